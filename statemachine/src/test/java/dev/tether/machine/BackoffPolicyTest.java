package dev.tether.machine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class BackoffPolicyTest {

  @Test
  void defaultsMatchTheDesign() {
    BackoffPolicy p = BackoffPolicy.defaults();
    assertThat(p.maxAttempts()).isEqualTo(10);
    assertThat(p.jitter()).isEqualTo(0.2);
    assertThat(p.delay(1, 0.5)).isEqualTo(Duration.ofMillis(100));
    assertThat(p.delay(2, 0.5)).isEqualTo(Duration.ofMillis(200));
    assertThat(p.delay(20, 0.5)).isEqualTo(Duration.ofSeconds(30));
  }

  @Test
  void jitterSurvivesAtTheCap() {
    BackoffPolicy p = BackoffPolicy.defaults();
    assertThat(p.delay(30, 0.0)).isEqualTo(Duration.ofSeconds(24));
    assertThat(p.delay(30, 0.999999)).isGreaterThan(Duration.ofMillis(35_999));
    assertThat(p.maxDelay(30)).isEqualTo(Duration.ofSeconds(36));
  }

  @Test
  void delaysStayWithinBoundsForManySeeds() {
    BackoffPolicy p = BackoffPolicy.defaults();
    for (long seed = 0; seed < 200; seed++) {
      SplittableRandom r = new SplittableRandom(seed);
      for (int retry = 1; retry <= 40; retry++) {
        Duration d = p.delay(retry, r.nextDouble());
        assertThat(d).isBetween(p.minDelay(retry), p.maxDelay(retry));
      }
    }
  }

  @Test
  void explicitDelayListRepeatsItsLastEntry() {
    BackoffPolicy p =
        BackoffPolicy.builder()
            .delays(List.of(Duration.ZERO, Duration.ofSeconds(2), Duration.ofSeconds(10)))
            .jitter(0)
            .build();
    assertThat(p.delay(1, 0.3)).isEqualTo(Duration.ZERO);
    assertThat(p.delay(2, 0.3)).isEqualTo(Duration.ofSeconds(2));
    assertThat(p.delay(3, 0.3)).isEqualTo(Duration.ofSeconds(10));
    assertThat(p.delay(9, 0.3)).isEqualTo(Duration.ofSeconds(10));
  }

  @Test
  void unlimitedAttemptsAllowAnyNumber() {
    BackoffPolicy p = BackoffPolicy.builder().unlimitedAttempts().build();
    assertThat(p.allowsAttempt(1_000_000)).isTrue();
    assertThat(p.delay(1_000_000, 0.5)).isEqualTo(Duration.ofSeconds(30));
  }

  @Test
  void badOptionsAreRejectedWithTheirName() {
    assertThatThrownBy(() -> BackoffPolicy.builder().maxAttempts(0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("maxAttempts");
    assertThatThrownBy(() -> BackoffPolicy.builder().jitter(1.0)).hasMessageContaining("jitter");
    assertThatThrownBy(
            () ->
                BackoffPolicy.builder()
                    .exponential(Duration.ofSeconds(2), 2, Duration.ofSeconds(1)))
        .hasMessageContaining("maxDelay");
    assertThatThrownBy(
            () ->
                BackoffPolicy.builder()
                    .exponential(Duration.ofMillis(1), 0.5, Duration.ofSeconds(1)))
        .hasMessageContaining("multiplier");
    assertThatThrownBy(() -> BackoffPolicy.builder().connectTimeout(Duration.ZERO))
        .hasMessageContaining("connectTimeout");
    assertThatThrownBy(() -> BackoffPolicy.builder().delays(List.of(Duration.ofMillis(-1))))
        .hasMessageContaining("delays[0]");
    assertThatThrownBy(
            () ->
                BackoffPolicy.builder()
                    .exponential(Duration.ofMillis(1), 2, Duration.ofSeconds(1))
                    .delays(List.of(Duration.ofSeconds(1)))
                    .build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("alternatives");
  }

  @Test
  void flapGuardIsOnByDefaultAndCanBeChangedOrSwitchedOff() {
    BackoffPolicy d = BackoffPolicy.defaults();
    assertThat(d.hasFlapGuard()).isTrue();
    assertThat(d.flapLimit()).isEqualTo(10);
    assertThat(d.flapWindow()).isEqualTo(Duration.ofMinutes(1));
    assertThat(d.toString()).contains("flapLimit=10 per PT1M");
    BackoffPolicy editor = BackoffPolicy.builder().flapLimit(4, Duration.ofMinutes(3)).build();
    assertThat(editor.flapLimit()).isEqualTo(4);
    assertThat(editor.flapWindow()).isEqualTo(Duration.ofMinutes(3));
    BackoffPolicy off = BackoffPolicy.builder().noFlapGuard().build();
    assertThat(off.hasFlapGuard()).isFalse();
    assertThat(off.flapLimit()).isEqualTo(ConnectionState.UNLIMITED);
    assertThat(off.flapWindow()).isEqualTo(Duration.ZERO);
    assertThat(off.toString()).contains("noFlapGuard");
    BackoffPolicy.Builder on =
        BackoffPolicy.builder().noFlapGuard().flapLimit(1, Duration.ofSeconds(1));
    assertThat(on.build().hasFlapGuard()).isTrue();
  }

  @Test
  void badFlapLimitsAreRejectedWithTheirName() {
    Duration minute = Duration.ofMinutes(1);
    assertThatThrownBy(() -> BackoffPolicy.builder().flapLimit(0, minute))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("flapLimit");
    assertThatThrownBy(() -> BackoffPolicy.builder().flapLimit(1_001, minute))
        .hasMessageContaining("flapLimit");
    assertThat(BackoffPolicy.builder().flapLimit(1_000, minute).build().flapLimit())
        .isEqualTo(BackoffPolicy.MAX_FLAP_LIMIT);
    assertThatThrownBy(() -> BackoffPolicy.builder().flapLimit(3, Duration.ZERO))
        .hasMessageContaining("flapLimit window");
    assertThatThrownBy(() -> BackoffPolicy.builder().flapLimit(3, Duration.ofDays(2)))
        .hasMessageContaining("flapLimit window");
  }

  @Test
  void randomOutsideUnitIntervalIsRejected() {
    assertThatThrownBy(() -> BackoffPolicy.defaults().delay(1, 1.0))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void precomputedDelaysAreTheFormulasForEveryRetry() {
    List<BackoffPolicy> policies =
        List.of(
            BackoffPolicy.defaults(),
            BackoffPolicy.builder()
                .exponential(Duration.ofMillis(10), 1.0, Duration.ofSeconds(1))
                .build(),
            BackoffPolicy.builder() // below its cap for more retries than are precomputed
                .exponential(Duration.ofMillis(1), 1.05, Duration.ofHours(1))
                .build(),
            BackoffPolicy.builder()
                .exponential(Duration.ofMillis(300), 1.6, Duration.ofSeconds(120))
                .build());
    for (BackoffPolicy p : policies) {
      double cap = p.delayCap().toNanos();
      for (int retry = 1; retry <= 200; retry++) {
        double base =
            Math.min(p.initialDelay().toNanos() * Math.pow(p.multiplier(), retry - 1.0), cap);
        for (double random : new double[] {0.0, 0.37, 0.5, 0.999}) {
          double factor = 1.0 + p.jitter() * (2.0 * random - 1.0);
          assertThat(p.delay(retry, random))
              .as("%s retry %d random %s", p, retry, random)
              .isEqualTo(Duration.ofNanos(Math.round(base * factor)));
        }
      }
    }
  }
}
