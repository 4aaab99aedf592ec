package dev.tether.model.sim;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tether.runtime.Connection;
import dev.tether.runtime.PlantedOracleBugs;
import dev.tether.stub.sim.FaultPlan;
import dev.tether.stub.sim.Simulation;
import dev.tether.stub.sim.SimulationResult;
import dev.tether.stub.sim.Violation;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/**
 * Issue 17, "Oracles that can fail": for each of state against link, I3 on the clock and I8 that
 * means it, a plausible bug that the oracles before them let pass is caught at a low seed of the
 * standard safety runs, by that oracle, and shrunk to a plan that still shows it. The same runs
 * with the real driver pass ({@link TimerLeakPlantedBugTest#theSameRunsWithTheRealMachinePass}).
 */
class OraclesThatCanFailTest {
  /** The bug must show within this many seeds: "at a low seed". */
  static final int LOW_SEEDS = 10;

  static Simulation planted(long seed, Consumer<Connection> bug) {
    return SimulationPropertyTest.safetyBuilder(seed).onConnection((c, i) -> bug.accept(c)).build();
  }

  /** Runs the low seeds with {@code bug}, asserts the first violation, shrinks and replays it. */
  static Violation caughtAndShrunk(Consumer<Connection> bug, String invariant) {
    SimulationHarness.Caught caught =
        SimulationHarness.firstFailingSeed(
            "the planted bug must be caught", LOW_SEEDS, seed -> planted(seed, bug));
    Violation v = caught.violation();
    assertThat(v.invariant()).as("caught by %s: %s", invariant, v).isEqualTo(invariant);

    FaultPlan shrunk = caught.shrink();
    assertThat(shrunk.size()).isLessThan(caught.failed().plan().size()).isLessThanOrEqualTo(3);
    SimulationResult replay = caught.replayPrinted(shrunk);
    assertThat(replay.violation().map(Violation::invariant)).contains(invariant);
    System.out.println(
        invariant
            + " caught at seed "
            + caught.seed()
            + ": "
            + v
            + "\nshrunk plan ("
            + shrunk.size()
            + " of "
            + caught.failed().plan().size()
            + " faults):\n"
            + shrunk);
    return v;
  }

  @Test
  void driverIgnoringChannelErrorEndsIsCaughtByStateAgainstLink() {
    Violation v = caughtAndShrunk(PlantedOracleBugs::ignoreChannelErrors, "link");
    assertThat(v.message()).contains("Connected with 0 open channel(s)");
  }

  @Test
  void driverSchedulingEveryRetryAtOnceIsCaughtByI3OnTheClock() {
    Violation v = caughtAndShrunk(PlantedOracleBugs::retryAtOnce, "I3");
    assertThat(v.message())
        .containsPattern("started PT0S after it was announced with delay PT0\\.");
  }

  @Test
  void permanentlyDisconnectedBeforeTheBudgetIsSpentIsCaughtByI8() {
    Violation v = caughtAndShrunk(c -> PlantedOracleBugs.giveUpAfter(c, 3), "I8");
    assertThat(v.message()).contains("gave up after attempt 3 of");
  }
}
