package dev.tether.model.sim;

// example:simulation-imports:begin
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import dev.tether.machine.ConnectionState;
import dev.tether.machine.LifecycleEvent;
import dev.tether.runtime.LifecycleListener;
import dev.tether.stub.sim.FaultPlan;
import dev.tether.stub.sim.FaultProfile;
import dev.tether.stub.sim.Oracle;
import dev.tether.stub.sim.SessionView;
import dev.tether.stub.sim.Simulation;
import dev.tether.stub.sim.SimulationResult;
import java.time.Duration;
import org.junit.jupiter.api.Test;

// example:simulation-imports:end

/**
 * Keeps the "Verify your code under faults" example of docs/simulation.md honest: the code between
 * the markers is the documented example, compiled and run here.
 */
class SimulationDocsExampleTest {

  // example:simulation:begin
  /** Your code: a status indicator fed by lifecycle events (here: a simple one). */
  static final class StatusIndicator implements LifecycleListener {
    private final LifecycleListener next;
    private String text = "starting";

    StatusIndicator(LifecycleListener next) {
      this.next = next;
    }

    @Override
    public void onEvent(LifecycleEvent event) {
      text = event.state().label();
      next.onEvent(event); // hand the event on, so the oracles check what your code delivers
    }

    String text() {
      return text;
    }
  }

  /** Your own invariant: the indicator never says "Connected" while the connection is not. */
  static final class IndicatorIsHonest implements Oracle {
    @Override
    public String invariant() {
      return "indicator-honest";
    }

    @Override
    public String onEvent(SessionView s, LifecycleEvent previous, LifecycleEvent event) {
      boolean up = s.connection().state() instanceof ConnectionState.Connected;
      return event.state() instanceof ConnectionState.Connected && !up
          ? "indicator shows Connected but the connection is " + s.connection().state()
          : null;
    }
  }

  @Test
  void myListenerSurvivesFaults() {
    for (long seed = 1; seed <= 20; seed++) {
      Simulation sim =
          Simulation.builder()
              .seed(seed)
              .sessions(20)
              .duration(Duration.ofHours(6))
              .faults(FaultProfile.CHAOS)
              .listenerDecorator(StatusIndicator::new) // your code sits between Tether and oracles
              .oracle(new IndicatorIsHonest())
              .build();
      SimulationResult result = sim.run();
      if (!result.passed()) {
        fail("seed %d: %s%nminimal plan:%n%s", seed, result.violation().get(), sim.shrink(result));
      }
    }
  }

  @Test
  void replayAnExplicitPlan() {
    FaultPlan plan =
        FaultPlan.parse(
            """
            # kind session atMillis [lengthMillis [param]]
            outage 0 60000 120000
            drop 1 30000
            close 2 90000
            """);
    SimulationResult result =
        Simulation.builder()
            .seed(7)
            .sessions(3)
            .duration(Duration.ofMinutes(10))
            .plan(plan)
            .build()
            .run();
    assertThat(result.violation()).isEmpty();
    assertThat(result.coverage().permanentlyDisconnected()).isEqualTo(1); // session 0: 10 attempts
  }

  // example:simulation:end

}
