package dev.tether.model.sim;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tether.machine.LifecycleEvent;
import dev.tether.runtime.LifecycleListener;
import dev.tether.stub.sim.FaultPlan;
import dev.tether.stub.sim.FaultProfile;
import dev.tether.stub.sim.Simulation;
import dev.tether.stub.sim.Violation;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * docs/simulation.md's "your own invariant" ({@link SimulationDocsExampleTest.IndicatorIsHonest})
 * is not a tautology: with the documented pass-through indicator it holds, but an indicator that
 * hands each event on only when the next one arrives (one behind: "Connected" shown after the
 * connection was lost) makes it fire, within a few seeds, and the shrunk plan still shows it.
 */
class OwnInvariantFiresTest {

  /** THE PLANTED BUG: hands each event on when the next one arrives, so it is always one behind. */
  static final class LaggingIndicator implements LifecycleListener {
    private final LifecycleListener next;
    private LifecycleEvent held;

    LaggingIndicator(LifecycleListener next) {
      this.next = next;
    }

    @Override
    public void onEvent(LifecycleEvent event) {
      LifecycleEvent previous = held;
      held = event;
      if (previous != null) {
        next.onEvent(previous);
      }
    }
  }

  static Simulation lagging(long seed) {
    return SimulationHarness.simulation(seed, 20, Duration.ofHours(6), FaultProfile.CHAOS, 1.0)
        .listenerDecorator(LaggingIndicator::new)
        .oracle(new SimulationDocsExampleTest.IndicatorIsHonest())
        .build();
  }

  @Test
  void theDocumentedInvariantFiresOnAnIndicatorThatLags() {
    SimulationHarness.Caught caught =
        SimulationHarness.firstFailingSeed(
            "the lagging indicator is caught", 5, OwnInvariantFiresTest::lagging);
    Violation v = caught.violation();
    assertThat(v.invariant()).isEqualTo("indicator-honest");
    assertThat(v.message()).startsWith("indicator shows Connected but the connection is");
    FaultPlan shrunk = caught.shrink();
    assertThat(shrunk.size()).isLessThanOrEqualTo(ConnectionOraclePlantedBugsTest.SMALL);
    assertThat(caught.simulation().run(shrunk).violation().map(Violation::invariant))
        .contains("indicator-honest");
  }
}
