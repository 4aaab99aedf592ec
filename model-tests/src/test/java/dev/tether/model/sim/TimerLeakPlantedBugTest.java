package dev.tether.model.sim;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tether.runtime.PlantedMachineBugs;
import dev.tether.stub.sim.FaultPlan;
import dev.tether.stub.sim.Simulation;
import dev.tether.stub.sim.SimulationResult;
import dev.tether.stub.sim.Violation;
import org.junit.jupiter.api.Test;

/**
 * A machine that does not cancel its backoff timer when closed during backoff must be caught by the
 * I4 oracle within the default seeds, although the driver's defensive clean-up cancels the timer
 * right after the terminal event (so the end-of-run "no live timer" check alone misses it).
 */
class TimerLeakPlantedBugTest {

  static Simulation leaky(long seed) {
    return SimulationPropertyTest.safetyBuilder(seed)
        .onConnection((c, i) -> PlantedMachineBugs.forgetBackoffCancelOnClose(c))
        .build();
  }

  @Test
  void backoffTimerLeakedOnCloseIsCaughtWithinTheDefaultSeeds() {
    SimulationHarness.Caught caught =
        SimulationHarness.firstFailingSeed(
            "the leak must be caught",
            SimulationPropertyTest.SEEDS,
            TimerLeakPlantedBugTest::leaky);
    Violation v = caught.violation();
    assertThat(v.invariant()).isEqualTo("I4");
    assertThat(v.message()).contains("timer(s) still live when Closed");

    FaultPlan shrunk = caught.shrink();
    assertThat(shrunk.size()).isLessThan(caught.failed().plan().size());
    SimulationResult replay = caught.replayPrinted(shrunk);
    assertThat(replay.violation().map(Violation::invariant)).contains("I4");
    System.out.println(
        "timer leak caught at seed " + caught.seed() + ": " + v + "\nshrunk plan:\n" + shrunk);
  }

  @Test
  void theSameRunsWithTheRealMachinePass() {
    for (long seed = 1; seed <= 20; seed++) {
      assertThat(SimulationPropertyTest.safety(seed).run().violation())
          .as("seed %d", seed)
          .isEmpty();
    }
  }
}
