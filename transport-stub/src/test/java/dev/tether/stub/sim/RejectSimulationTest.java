package dev.tether.stub.sim;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tether.machine.BackoffPolicy;
import dev.tether.machine.Cause;
import dev.tether.machine.LifecycleEvent;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Test;

/**
 * The reject fault (revoked credentials: upgrades refused with 401) inside a simulation: a fatal
 * failure ends the connection at the attempt that met it, with exactly one terminal event, and the
 * standard oracles hold unchanged.
 */
class RejectSimulationTest {

  /** From minute 1, for two minutes, session 0's server refuses the client's credentials. */
  static final String REJECT = "reject 0 60000 120000\n";

  @Test
  void rejectedUpgradeEndsTheConnectionFatalAtTheFirstAttempt() {
    List<LifecycleEvent> events = new ArrayList<>();
    SimulationResult r =
        Simulation.builder()
            .seed(5)
            .sessions(1)
            .duration(Duration.ofMinutes(10))
            .plan(FaultPlan.parse(REJECT))
            .policies(i -> BackoffPolicy.defaults())
            .onConnection((c, i) -> c.subscribe(events::add))
            .build()
            .run();

    assertThat(r.violation()).isEmpty();
    assertThat(r.finalStates()).containsEntry("PermanentlyDisconnected", 1L);
    assertThat(events).filteredOn(LifecycleEvent::isTerminal).hasSize(1);
    LifecycleEvent last = events.get(events.size() - 1);
    assertThat(last).isInstanceOf(LifecycleEvent.PermanentlyDisconnected.class);
    LifecycleEvent.PermanentlyDisconnected pd = (LifecycleEvent.PermanentlyDisconnected) last;
    assertThat(pd.cause().kind()).isEqualTo(Cause.Kind.FATAL);
    assertThat(pd.cause().detail()).contains(new Cause.Detail.UpgradeRejected(401));
    // The drop, then one attempt that met the 401: not the policy's ten.
    assertThat(pd.attempts()).isEqualTo(1);
    assertThat(events.get(events.size() - 2)).isInstanceOf(LifecycleEvent.Reconnecting.class);
  }

  @Test
  void chaosDrawsRejectionsAndTheOraclesHold() {
    FaultPlan chaos =
        FaultPlan.random(
            3, FaultProfile.CHAOS, 2.0, 20, Duration.ofHours(2).toMillis(), Regime.SAFETY);
    assertThat(chaos.faults()).extracting(Fault::kind).contains(Fault.Kind.REJECT);
    assertThat(FaultPlan.parse(chaos.toString())).isEqualTo(chaos);
    assertThat(chaos.toString()).containsPattern("(?m)^reject \\d+ \\d+ \\d+$");

    Map<Integer, LifecycleEvent> lastEvents = new ConcurrentHashMap<>();
    SimulationResult r =
        Simulation.builder()
            .seed(3)
            .sessions(20)
            .duration(Duration.ofHours(2))
            .plan(chaos)
            .onConnection((c, i) -> c.subscribe(e -> lastEvents.put(i, e)))
            .build()
            .run();

    assertThat(r.violation()).isEmpty();
    assertThat(lastEvents.values())
        .filteredOn(
            e ->
                e instanceof LifecycleEvent.PermanentlyDisconnected pd
                    && pd.cause().kind() == Cause.Kind.FATAL)
        .isNotEmpty();
  }
}
