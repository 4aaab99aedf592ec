package dev.tether.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tether.machine.Cause;
import dev.tether.machine.LifecycleEvent;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The readable lines of {@code tether watch}: every failed attempt shows its cause. */
class LifecycleTextTest {
  private static final Cause REFUSED = Cause.of(Cause.Kind.OPEN_FAILED, "Connection refused");

  @Test
  void aRetryOfTheFirstConnectShowsWhyTheAttemptBeforeFailed() {
    assertThat(
            LifecycleJson.describe(
                new LifecycleEvent.Connecting(2, 5, Duration.ofMillis(250), Optional.of(REFUSED))))
        .isEqualTo("Connecting (2/5) in 250 ms after OPEN_FAILED: Connection refused");
    assertThat(
            LifecycleJson.describe(
                new LifecycleEvent.Connecting(1, 5, Duration.ZERO, Optional.empty())))
        .isEqualTo("Connecting (1/5)");
  }

  @Test
  void aFinalLossSaysNoAttemptWasMadeInsteadOfCountingZero() {
    Cause policy = Cause.of(Cause.Kind.FATAL, "closed with 1008", new Cause.Detail.CloseCode(1008));
    assertThat(LifecycleJson.describe(new LifecycleEvent.PermanentlyDisconnected(policy, 0)))
        .startsWith("PermanentlyDisconnected at once, without a reconnect attempt: FATAL")
        .doesNotContain("0 attempt");
    assertThat(LifecycleJson.describe(new LifecycleEvent.PermanentlyDisconnected(REFUSED, 3)))
        .isEqualTo("PermanentlyDisconnected after 3 attempt(s): OPEN_FAILED: Connection refused");
  }
}
