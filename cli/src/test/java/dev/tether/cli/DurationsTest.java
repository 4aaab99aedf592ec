package dev.tether.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class DurationsTest {
  @Test
  void acceptsMillisSecondsMinutesHoursDays() {
    assertThat(Durations.parse("250ms")).isEqualTo(Duration.ofMillis(250));
    assertThat(Durations.parse("2s")).isEqualTo(Duration.ofSeconds(2));
    assertThat(Durations.parse("1m")).isEqualTo(Duration.ofMinutes(1));
    assertThat(Durations.parse(" 24H ")).isEqualTo(Duration.ofHours(24));
    assertThat(Durations.parse("2d")).isEqualTo(Duration.ofDays(2));
  }

  @Test
  void rejectsWhatIsNotAPositiveDurationNamingIt() {
    for (String bad : new String[] {"", "ms", "10", "0s", "-1s", "1.5s", "5x", "1 s", "s1"}) {
      assertThatThrownBy(() -> Durations.parse(bad))
          .as(bad)
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("'" + bad + "' is not a positive number");
    }
  }

  @Test
  void formatsInTheLargestUnitThatDividesAndParsesBack() {
    for (String text : new String[] {"100ms", "1500ms", "2s", "90s", "1m", "2h", "3d"}) {
      assertThat(Durations.format(Durations.parse(text))).isEqualTo(text);
    }
  }

  @Test
  void humanOutputShowsAPolicyWithoutJavaDurationsOrRecordSyntax() {
    assertThat(LifecycleJson.policy(dev.tether.machine.BackoffPolicy.defaults()))
        .isEqualTo(
            "backoff 100ms x2 up to 30s, jitter 20%, 10 attempts, connect timeout 10s,"
                + " flap guard 10 losses per 1m")
        .doesNotContain("PT")
        .doesNotContain("BackoffPolicy[");
  }
}
