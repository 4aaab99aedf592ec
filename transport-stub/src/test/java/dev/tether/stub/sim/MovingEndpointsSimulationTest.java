package dev.tether.stub.sim;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tether.machine.BackoffPolicy;
import dev.tether.machine.Cause;
import dev.tether.machine.LifecycleEvent;
import dev.tether.runtime.FailureClassifier;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Test;

/**
 * The fault kinds of issue 16 inside a simulation, with the standard oracles unchanged in strength:
 * a server that moves (its discovery service lags), a final close (1008), a service restart (1012,
 * retried promptly) and the user's "retry now".
 */
class MovingEndpointsSimulationTest {

  /** Records every emitted event with its simulated time; never reports a violation. */
  static final class Recorder implements Oracle {
    final List<Long> atNanos = new ArrayList<>();
    final List<LifecycleEvent> events = new ArrayList<>();

    @Override
    public String invariant() {
      return "recorder";
    }

    @Override
    public String onEmit(SessionView s, LifecycleEvent e) {
      atNanos.add(s.nowNanos());
      events.add(e);
      return null;
    }

    long timeOf(LifecycleEvent e) {
      return atNanos.get(events.indexOf(e));
    }
  }

  static SimulationResult run(String plan, Recorder recorder) {
    return Simulation.builder()
        .seed(5)
        .sessions(1)
        .duration(Duration.ofMinutes(10))
        .plan(FaultPlan.parse(plan))
        .policies(i -> BackoffPolicy.defaults())
        .oracle(recorder)
        .build()
        .run();
  }

  @Test
  void movedServerIsReachedOnceItsNewAddressIsAnnounced() {
    Recorder rec = new Recorder();
    SimulationResult r = run("move 0 60000 30000\n", rec);

    assertThat(r.violation()).isEmpty();
    LifecycleEvent.Reconnected back =
        rec.events.stream()
            .filter(LifecycleEvent.Reconnected.class::isInstance)
            .map(LifecycleEvent.Reconnected.class::cast)
            .findFirst()
            .orElseThrow();
    assertThat(back.endpoint()).contains("sim://s0.1");
    // Not before the discovery service announced the new address, 30 s after the move.
    assertThat(rec.timeOf(back)).isGreaterThanOrEqualTo(Duration.ofSeconds(90).toNanos());
    assertThat(back.attempts()).isGreaterThan(1); // the old address refused meanwhile
    assertThat(rec.events)
        .filteredOn(LifecycleEvent.Reconnecting.class::isInstance)
        .map(e -> ((LifecycleEvent.Reconnecting) e).cause().message())
        .anyMatch(m -> m.contains("connection refused: sim://s0"));
  }

  @Test
  void policyViolationCloseEndsTheConnectionFatalWithoutAnAttempt() {
    Recorder rec = new Recorder();
    SimulationResult r = run("fatal 0 60000\n", rec);

    assertThat(r.violation()).isEmpty();
    assertThat(rec.events).filteredOn(LifecycleEvent::isTerminal).hasSize(1);
    LifecycleEvent last = rec.events.get(rec.events.size() - 1);
    assertThat(last).isInstanceOf(LifecycleEvent.PermanentlyDisconnected.class);
    LifecycleEvent.PermanentlyDisconnected pd = (LifecycleEvent.PermanentlyDisconnected) last;
    assertThat(pd.cause().kind()).isEqualTo(Cause.Kind.FATAL);
    assertThat(pd.cause().detail())
        .contains(new Cause.Detail.CloseCode(FailureClassifier.POLICY_VIOLATION));
    assertThat(pd.attempts()).isZero();
    assertThat(rec.events.get(rec.events.size() - 2)).isInstanceOf(LifecycleEvent.Connected.class);
  }

  @Test
  void serviceRestartIsRetriedWithoutTheBackoffDelayOnlyOnce() {
    Recorder rec = new Recorder();
    SimulationResult r = run("service-restart 0 60000\n", rec);

    assertThat(r.violation()).isEmpty();
    List<LifecycleEvent.Reconnecting> retries =
        rec.events.stream()
            .filter(LifecycleEvent.Reconnecting.class::isInstance)
            .map(LifecycleEvent.Reconnecting.class::cast)
            .toList();
    assertThat(retries.get(0).attempt()).isEqualTo(1);
    assertThat(retries.get(0).delay()).isZero();
    // The server is down for 2 s: the prompt attempt is refused and the next waits its delay.
    assertThat(retries.get(1).attempt()).isEqualTo(2);
    assertThat(retries.get(1).delay()).isPositive();
    assertThat(rec.events).anyMatch(LifecycleEvent.Reconnected.class::isInstance);
  }

  @Test
  void retryNowStartsThePendingAttemptAtOnceAsTheSameAttempt() {
    Recorder rec = new Recorder();
    // Down from minute 1 for 5 minutes; at 1:40 the user presses "retry now" mid-backoff.
    SimulationResult r = run("outage 0 60000 300000\nretry-now 0 100000\n", rec);

    assertThat(r.violation()).isEmpty();
    long pressed = Duration.ofSeconds(100).toNanos();
    int before = -1;
    int after = -1;
    for (int i = 0; i < rec.events.size(); i++) {
      if (rec.events.get(i) instanceof LifecycleEvent.Reconnecting re) {
        if (rec.atNanos.get(i) < pressed) {
          before = re.attempt();
        } else if (after < 0) {
          after = re.attempt();
          // The refusal of the attempt opened at the press: one link latency after it.
          assertThat(rec.atNanos.get(i) - pressed)
              .isLessThanOrEqualTo(SimSession.MAX_LATENCY.toNanos());
        }
      }
    }
    assertThat(after).as("numbering goes on within the outage (I2)").isEqualTo(before + 1);
  }

  @Test
  void chaosDrawsTheNewFaultsAndTheOraclesHold() {
    FaultPlan chaos =
        FaultPlan.random(
            3, FaultProfile.CHAOS, 2.0, 20, Duration.ofHours(2).toMillis(), Regime.SAFETY);
    assertThat(chaos.faults())
        .extracting(Fault::kind)
        .contains(
            Fault.Kind.MOVE, Fault.Kind.FATAL, Fault.Kind.SERVICE_RESTART, Fault.Kind.RETRY_NOW);
    assertThat(FaultPlan.parse(chaos.toString())).isEqualTo(chaos);
    assertThat(chaos.toString())
        .containsPattern("(?m)^move \\d+ \\d+ \\d+$")
        .containsPattern("(?m)^service-restart \\d+ \\d+$")
        .containsPattern("(?m)^retry-now \\d+ \\d+$");

    Map<Integer, List<LifecycleEvent>> events = new ConcurrentHashMap<>();
    SimulationResult r =
        Simulation.builder()
            .seed(3)
            .sessions(20)
            .duration(Duration.ofHours(2))
            .plan(chaos)
            .onConnection(
                (c, i) ->
                    c.subscribe(e -> events.computeIfAbsent(i, k -> new ArrayList<>()).add(e)))
            .build()
            .run();

    assertThat(r.violation()).isEmpty();
    List<LifecycleEvent> all = events.values().stream().flatMap(List::stream).toList();
    assertThat(all)
        .as("a session reconnected to a server that moved")
        .anyMatch(
            e ->
                e instanceof LifecycleEvent.Reconnected up
                    && up.endpoint().orElse("").matches("sim://s\\d+\\.\\d+"));
    assertThat(all)
        .as("a prompt retry")
        .anyMatch(e -> e instanceof LifecycleEvent.Reconnecting re && re.delay().isZero());
  }

  @Test
  void livenessRunTooShortForTheRecoveryBoundSaysWhy() {
    Simulation tooShort =
        Simulation.builder().duration(Duration.ofSeconds(90)).regime(Regime.LIVENESS).build();
    assertThat(tooShort.livenessUnchecked())
        .hasValueSatisfying(
            why ->
                assertThat(why)
                    .contains("session 0", "heal at 45s", "does not fit in a run of 90s")
                    .contains("run at least"));
    assertThat(
            Simulation.builder()
                .duration(Duration.ofHours(1))
                .regime(Regime.LIVENESS)
                .build()
                .livenessUnchecked())
        .isEmpty();
    assertThat(
            Simulation.builder()
                .duration(Duration.ofSeconds(90))
                .regime(Regime.SAFETY)
                .build()
                .livenessUnchecked())
        .isEmpty();
  }

  @Test
  void theShortestRunRegimeNamesIsLongEnough() {
    BackoffPolicy p = BackoffPolicy.defaults();
    String why = Regime.LIVENESS.livenessUnchecked(Duration.ofSeconds(90), p).orElseThrow();
    long shortest = Long.parseLong(why.replaceAll(".*run at least (\\d+)s$", "$1"));
    assertThat(Regime.LIVENESS.livenessUnchecked(Duration.ofSeconds(shortest), p)).isEmpty();
    // The shortest, not merely long enough: a second less is refused (it said 96 s where 95 s fit).
    assertThat(Regime.LIVENESS.livenessUnchecked(Duration.ofSeconds(shortest - 1), p)).isPresent();
    assertThat(Regime.shortestLivenessRun(p)).isEqualTo(Duration.ofSeconds(shortest));
  }
}
