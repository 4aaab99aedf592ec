package dev.tether.bench;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tether.machine.BackoffPolicy;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * B7's recovery goal is the "the policy's first delays plus 2 s of the server's return",
 * and the row says how it was reached.
 */
class ReconnectStormTest {
  @Test
  void goalIsTheDelayPendingAtTheReturnAtItsCapPlusTwoSecondsAndTheNoteSaysSo() {
    // Defaults (100 ms x 2, +-20 %), down 2,052 ms: the shortest delays 80 + 160 + 320 + 640 ms
    // reach retry 5 (1,200 ms); the fifth (1,280 ms) would end after the return. Retry 5 waits at
    // most 1,600 ms x 1.2.
    ReconnectStorm.Goal g =
        ReconnectStorm.goal(BackoffPolicy.defaults(), Duration.ofMillis(2_052).toNanos());
    assertThat(g.millis()).isEqualTo(3_920.0);
    assertThat(g.note())
        .contains("3,920 ms", "retry 5", "1,920 ms", "2,052 ms", "2,000 ms", "0 sessions lost");
  }

  @Test
  void goalWithoutJitterIsThePendingDelayItself() {
    BackoffPolicy flat = BackoffPolicy.builder().jitter(0).build();
    assertThat(ReconnectStorm.goal(flat, Duration.ofMillis(2_012).toNanos()).millis())
        .isEqualTo(3_600.0);
  }

  /** A short outage leaves a session on an early, short delay: the goal shrinks with it. */
  @Test
  void goalFollowsTheMeasuredDownTime() {
    ReconnectStorm.Goal g =
        ReconnectStorm.goal(BackoffPolicy.defaults(), Duration.ofMillis(200).toNanos());
    assertThat(g.millis()).isEqualTo(2_240.0);
    assertThat(g.note()).contains("retry 2");
  }
}
