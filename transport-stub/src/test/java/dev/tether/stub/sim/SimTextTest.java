package dev.tether.stub.sim;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tether.machine.LifecycleEvent;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * A violation reads as text: simulated time as h:mm:ss.SSS, events without PT0.1S or brackets,
 * faults as the plan lines a user writes.
 */
class SimTextTest {
  record Sample(int attempt, Duration delay, Optional<String> endpoint, String cause) {}

  @Test
  void simulatedTimeReadsAsAClockPastTwentyFourHours() {
    assertThat(SimText.clock(86_222_616_000_000L)).isEqualTo("23:57:02.616");
    assertThat(SimText.clock(Duration.ofHours(25).toNanos())).isEqualTo("25:00:00.000");
    assertThat(SimText.clock(0)).isEqualTo("0:00:00.000");
  }

  @Test
  void anEventReadsAsItsNameAndFields() {
    assertThat(
            SimText.entry(
                new Sample(1, Duration.ofNanos(107_955_927), Optional.empty(), "CHANNEL_ERROR")))
        .isEqualTo("Sample attempt 1, delay 107.955 ms, cause CHANNEL_ERROR");
    assertThat(SimText.entry(new Sample(2, Duration.ofMillis(200), Optional.of("sim://s1"), "x")))
        .isEqualTo("Sample attempt 2, delay 200 ms, endpoint sim://s1, cause x");
    assertThat(SimText.entry("drop 209 86222616")).isEqualTo("drop 209 86222616");
  }

  @Test
  void aViolationPrintsTheClockNotAnIsoDuration() {
    Violation v =
        new Violation("I4", 209, Duration.ofHours(24).toNanos(), "1 timer(s) live", List.of());
    assertThat(v.toString())
        .isEqualTo("I4 violated at 24:00:00.000 (simulated) in session 209: 1 timer(s) live");
  }

  @Test
  void aFaultReadsAsItsPlanLineNotItsRecordForm() {
    List<Fault> faults =
        List.of(
            new Fault.Window(Fault.Kind.OUTAGE, 0, 1_836_170, 694_813, 0),
            new Fault.Window(Fault.Kind.SLOW_READER, 3, 60_000, 120_000, 1000),
            new Fault.Instant(Fault.Kind.SERVICE_RESTART, 209, 86_222_616));
    List<String> lines = faults.stream().map(SimText::entry).toList();
    assertThat(lines)
        .containsExactly(
            "outage 0 1836170 694813",
            "slow-reader 3 60000 120000 1000",
            "service-restart 209 86222616");
    assertThat(FaultPlan.parse(String.join("\n", lines))).isEqualTo(FaultPlan.of(faults));
  }

  /** Fires at the first reconnect attempt: just after the fault that caused it. */
  static final class FiresOnReconnecting implements Oracle {
    @Override
    public String invariant() {
      return "no-reconnecting";
    }

    @Override
    public String onEvent(SessionView s, LifecycleEvent previous, LifecycleEvent event) {
      return event instanceof LifecycleEvent.Reconnecting ? "reconnecting" : null;
    }
  }

  @Test
  void precedingEventsShowTheFaultAsItsPlanLine() {
    FaultPlan plan = FaultPlan.parse("outage 0 60000 120000");
    Violation v =
        Simulation.builder()
            .seed(1)
            .sessions(1)
            .duration(Duration.ofMinutes(10))
            .plan(plan)
            .oracle(new FiresOnReconnecting())
            .build()
            .run()
            .violation()
            .orElseThrow();
    String fault = "0:01:00.000 outage 0 60000 120000";
    assertThat(v.precedingEvents()).as("%s", v).contains(fault);
    assertThat(v.toString()).contains("\n  " + fault + "\n");
  }
}
