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
    SimulationResult caught = null;
    for (long seed = 1; seed <= SimulationPropertyTest.SEEDS && caught == null; seed++) {
      SimulationResult r = leaky(seed).run();
      if (!r.passed()) {
        caught = r;
      }
    }
    assertThat(caught)
        .as("the leak must be caught within %d seeds", SimulationPropertyTest.SEEDS)
        .isNotNull();
    Violation v = caught.violation().orElseThrow();
    assertThat(v.invariant()).isEqualTo("I4");
    assertThat(v.message()).contains("timer(s) still live when Closed");

    Simulation sim = leaky(caught.seed());
    FaultPlan shrunk = sim.shrink(caught);
    assertThat(shrunk.size()).isLessThan(caught.plan().size());
    SimulationResult replay = sim.run(FaultPlan.parse(shrunk.toString()));
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
