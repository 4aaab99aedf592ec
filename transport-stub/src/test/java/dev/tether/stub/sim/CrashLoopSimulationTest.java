package dev.tether.stub.sim;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tether.machine.BackoffPolicy;
import dev.tether.machine.Cause;
import dev.tether.machine.LifecycleEvent;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The crash-loop fault inside a simulation, and the flap guard (I10) that must end it. */
class CrashLoopSimulationTest {

  /** Session 0's server crashes one second after every accepted connection, for ten minutes. */
  static final String CRASH_LOOP = "crash-loop 0 60000 600000 1000\n";

  static SimulationResult run(BackoffPolicy policy, List<LifecycleEvent> events) {
    return Simulation.builder()
        .seed(5)
        .sessions(1)
        .duration(Duration.ofMinutes(20))
        .plan(FaultPlan.parse(CRASH_LOOP))
        .policies(i -> policy)
        .onConnection((c, i) -> c.subscribe(events::add))
        .build()
        .run();
  }

  @Test
  void crashLoopEndsFlappingOnceTheGuardsLimitIsCrossed() {
    List<LifecycleEvent> events = new ArrayList<>();
    BackoffPolicy guarded = BackoffPolicy.builder().flapLimit(4, Duration.ofMinutes(3)).build();
    SimulationResult r = run(guarded, events);
    assertThat(r.violation()).isEmpty();
    assertThat(r.coverage().flapping()).isEqualTo(1);
    assertThat(r.finalStates()).containsEntry("PermanentlyDisconnected", 1L);
    LifecycleEvent last = events.get(events.size() - 1);
    assertThat(last).isInstanceOf(LifecycleEvent.PermanentlyDisconnected.class);
    LifecycleEvent.PermanentlyDisconnected pd = (LifecycleEvent.PermanentlyDisconnected) last;
    assertThat(pd.cause().kind()).isEqualTo(Cause.Kind.FLAPPING);
    assertThat(pd.cause().message())
        .startsWith("lost the connection 5 times within 180 s (flap limit 4); last loss: ")
        .endsWith("CHANNEL_CLOSED: peer crashed 1000 ms after accepting");
    // The crash at the start of the loop, then four crashes of fresh connections: five losses.
    assertThat(events).filteredOn(e -> e instanceof LifecycleEvent.Reconnected).hasSize(4);
  }

  @Test
  void withoutTheGuardTheCrashLoopIsRetriedUntilItHeals() {
    List<LifecycleEvent> events = new ArrayList<>();
    BackoffPolicy forever = BackoffPolicy.builder().unlimitedAttempts().noFlapGuard().build();
    SimulationResult r = run(forever, events);
    assertThat(r.violation()).isEmpty();
    assertThat(r.coverage().flapping()).isZero();
    // Ten minutes of a connection lasting one second, reconnected after about 100 ms.
    assertThat(r.coverage().reconnected()).isGreaterThan(400);
    assertThat(r.finalStates()).containsEntry("Connected", 1L);
  }

  @Test
  void defaultPolicyEndsACrashLoopWithinItsMinute() {
    List<LifecycleEvent> events = new ArrayList<>();
    SimulationResult r = run(BackoffPolicy.defaults(), events);
    assertThat(r.violation()).isEmpty();
    assertThat(r.coverage().flapping()).isEqualTo(1);
    assertThat(events).filteredOn(e -> e instanceof LifecycleEvent.Reconnected).hasSize(10);
  }

  @Test
  void printedFormReplaysAndChaosDrawsCrashLoops() {
    FaultPlan chaos =
        FaultPlan.random(
            3, FaultProfile.CHAOS, 2.0, 20, Duration.ofHours(2).toMillis(), Regime.SAFETY);
    assertThat(chaos.faults()).extracting(Fault::kind).contains(Fault.Kind.CRASH_LOOP);
    assertThat(FaultPlan.parse(chaos.toString())).isEqualTo(chaos);
    assertThat(chaos.toString()).containsPattern("(?m)^crash-loop \\d+ \\d+ \\d+ \\d+$");
  }

  @Test
  void oracleRejectsAConnectionThatFlapsPastItsLimitWithoutEnding() {
    Oracle i10 = Oracles.flapGuard();
    FakeSession s =
        new FakeSession(BackoffPolicy.builder().flapLimit(1, Duration.ofSeconds(10)).build());
    Cause lost = Cause.of(Cause.Kind.CHANNEL_CLOSED, "x");
    LifecycleEvent loss = new LifecycleEvent.Reconnecting(1, 10, Duration.ZERO, lost);
    assertThat(i10.onEmit(s, new LifecycleEvent.Connecting(1, 10, Duration.ZERO, Optional.empty())))
        .isNull();
    assertThat(i10.onEmit(s, loss)).isNull();
    s.now += 10_000_000_000L; // exactly one window later: the first loss no longer counts
    assertThat(i10.onEmit(s, loss)).isNull();
    s.now += 1;
    assertThat(i10.onEmit(s, loss)).contains("2 losses within PT10S (flap limit 1)");
  }

  @Test
  void oracleRejectsFlappingBeforeTheLimitAndWithoutAGuard() {
    Cause verdict = Cause.of(Cause.Kind.FLAPPING, "x");
    LifecycleEvent flapped = new LifecycleEvent.PermanentlyDisconnected(verdict, 0);
    FakeSession guarded =
        new FakeSession(BackoffPolicy.builder().flapLimit(2, Duration.ofSeconds(10)).build());
    assertThat(Oracles.flapGuard().onEmit(guarded, flapped))
        .isEqualTo("ended FLAPPING at loss 1 within PT10S, but the flap limit is 2");
    FakeSession off = new FakeSession(BackoffPolicy.builder().noFlapGuard().build());
    assertThat(Oracles.flapGuard().onEmit(off, flapped))
        .startsWith("ended FLAPPING although the policy has no flap guard");
  }

  /** Just enough of a session for the flap-guard oracle: its policy and a settable clock. */
  static final class FakeSession implements SessionView {
    final BackoffPolicy policy;
    long now;

    FakeSession(BackoffPolicy policy) {
      this.policy = policy;
    }

    @Override
    public int index() {
      return 0;
    }

    @Override
    public dev.tether.runtime.Connection connection() {
      throw new UnsupportedOperationException();
    }

    @Override
    public BackoffPolicy policy() {
      return policy;
    }

    @Override
    public dev.tether.stub.StubEndpoint endpoint() {
      throw new UnsupportedOperationException();
    }

    @Override
    public long nowNanos() {
      return now;
    }

    @Override
    public LifecycleEvent lastEvent() {
      return null;
    }

    @Override
    public int terminalEvents() {
      return 0;
    }

    @Override
    public int liveTimers() {
      return 0;
    }

    @Override
    public int framesHeld() {
      return 0;
    }

    @Override
    public int maxFramesHeld() {
      return 0;
    }

    @Override
    public long readPauses() {
      return 0;
    }
  }
}
