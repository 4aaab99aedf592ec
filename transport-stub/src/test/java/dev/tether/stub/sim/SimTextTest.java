package dev.tether.stub.sim;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** A violation reads as text: simulated time as h:mm:ss.SSS, events without PT0.1S or brackets. */
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
}
