package dev.tether.machine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tether.machine.Effect.CloseChannel;
import dev.tether.machine.Effect.Emit;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The flap guard (I10) of {@link ConnectionMachine}, case by case, on a hand-driven clock. */
class ConnectionMachineFlapGuardTest {
  static final Cause DROPPED = Cause.of(Cause.Kind.CHANNEL_CLOSED, "dropped");
  static final Cause REFUSED = Cause.of(Cause.Kind.OPEN_FAILED, "refused");
  static final long SECOND = 1_000_000_000L;

  /** At most 2 losses within 10 s; the third ends the connection. */
  ConnectionMachine machine =
      new ConnectionMachine(
          BackoffPolicy.builder().maxAttempts(3).flapLimit(2, Duration.ofSeconds(10)).build(),
          false);

  long now;

  Transition step(MachineState s, Input in) {
    return machine.step(s, in, now, 0.5);
  }

  MachineState connected() {
    MachineState s = step(MachineState.initial(), new Input.Start()).next();
    return step(s, new Input.ChannelOpened(1)).next();
  }

  /** The channel of {@code s} (which is up) is lost at {@code atSeconds}. */
  Transition lose(MachineState s, long atSeconds) {
    now = atSeconds * SECOND;
    return step(s, new Input.ChannelLost(((MachineState.Stage.Up) s.stage()).channelId(), DROPPED));
  }

  /** From waiting out a backoff to connected again, without time passing. */
  MachineState reconnect(MachineState s) {
    long id = ((MachineState.Stage.Waiting) s.stage()).attempt().id();
    s = step(s, new Input.BackoffElapsed(id)).next();
    s = step(s, new Input.ChannelOpened(id)).next();
    assertThat(s.state()).isInstanceOf(ConnectionState.Connected.class);
    return s;
  }

  /** Connected, then lost at each of {@code seconds} and reconnected after each but the last. */
  Transition losses(long... seconds) {
    MachineState s = connected();
    Transition t = null;
    for (int i = 0; i < seconds.length; i++) {
      t = lose(s, seconds[i]);
      if (i < seconds.length - 1) {
        s = reconnect(t.next());
      }
    }
    return t;
  }

  @Test
  void lossOverTheLimitWithinTheWindowEndsFlappingWithoutAnotherAttempt() {
    Transition t = losses(0, 1, 2);
    ConnectionState end = t.next().state();
    assertThat(end).isInstanceOf(ConnectionState.PermanentlyDisconnected.class);
    ConnectionState.PermanentlyDisconnected pd = (ConnectionState.PermanentlyDisconnected) end;
    assertThat(pd.cause().kind()).isEqualTo(Cause.Kind.FLAPPING);
    assertThat(pd.attempts()).isZero();
    assertThat(pd.cause().message())
        .isEqualTo(
            "lost the connection 3 times within 10 s (flap limit 2); last loss: "
                + "CHANNEL_CLOSED: dropped");
    assertThat(t.effects())
        .containsExactly(
            new CloseChannel(3),
            new Emit(new LifecycleEvent.PermanentlyDisconnected(pd.cause(), 0)));
  }

  @Test
  void lossesUpToTheLimitKeepReconnecting() {
    Transition t = losses(0, 9);
    assertThat(t.next().state()).isInstanceOf(ConnectionState.Reconnecting.class);
    assertThat(((ConnectionState.Reconnecting) t.next().state()).attempt()).isEqualTo(1);
  }

  @Test
  void aLossCountsForExactlyOneWindowLength() {
    // The first loss (0 s) is exactly one window old at 10 s: it no longer counts.
    assertThat(losses(0, 1, 10).next().state()).isInstanceOf(ConnectionState.Reconnecting.class);
    assertThat(losses(0, 1, 9).next().state())
        .isInstanceOf(ConnectionState.PermanentlyDisconnected.class);
  }

  @Test
  void windowSlidesWithEachLossInsteadOfRestartingWhenItRunsOut() {
    // 0, 6, 12: at 12 only 6 and 12 count. At 14, 6 s, 12 s and 14 s lie within 10 s: flapping,
    // although a window restarted at 12 would hold only two.
    assertThat(losses(0, 6, 12).next().state()).isInstanceOf(ConnectionState.Reconnecting.class);
    assertThat(losses(0, 6, 12, 14).next().state())
        .isInstanceOf(ConnectionState.PermanentlyDisconnected.class);
  }

  @Test
  void slowLossesNeverEndTheConnection() {
    long[] everyFiveSeconds = new long[200];
    for (int i = 0; i < everyFiveSeconds.length; i++) {
      everyFiveSeconds[i] = 5L * i;
    }
    Transition t = losses(everyFiveSeconds);
    assertThat(t.next().state()).isInstanceOf(ConnectionState.Reconnecting.class);
    assertThat(t.next().recentLossesNanos()).hasSizeLessThanOrEqualTo(2);
  }

  @Test
  void failedAttemptsDuringAnOutageAreNoFlaps() {
    MachineState s = lose(connected(), 0).next();
    // Two failed reconnect attempts: the retry budget's business, not the flap guard's.
    for (int i = 0; i < 2; i++) {
      long id = ((MachineState.Stage.Waiting) s.stage()).attempt().id();
      s = step(s, new Input.BackoffElapsed(id)).next();
      s = step(s, new Input.ChannelOpenFailed(id, REFUSED)).next();
    }
    s = reconnect(s);
    Transition second = lose(s, 1);
    assertThat(second.next().state()).isInstanceOf(ConnectionState.Reconnecting.class);
    assertThat(second.next().recentLossesNanos()).containsExactly(0L, SECOND);
  }

  @Test
  void lossDuringTheHandshakeIsAFailedAttemptNotAFlap() {
    machine = new ConnectionMachine(machine.policy(), true);
    MachineState s = step(MachineState.initial(), new Input.Start()).next();
    for (long id = 1; id <= 2; id++) {
      s = step(s, new Input.ChannelOpened(id)).next();
      s = step(s, new Input.ChannelLost(id, DROPPED)).next();
      assertThat(s.recentLossesNanos()).isEmpty();
      if (id < 2) {
        s = step(s, new Input.BackoffElapsed(id + 1)).next();
      }
    }
    assertThat(s.state()).isInstanceOf(ConnectionState.Connecting.class);
  }

  @Test
  void withoutTheGuardAConnectionThatDropsAtOnceReconnectsForever() {
    machine =
        new ConnectionMachine(BackoffPolicy.builder().maxAttempts(3).noFlapGuard().build(), false);
    MachineState s = connected();
    for (int i = 0; i < 1_000; i++) {
      s = reconnect(lose(s, 0).next());
    }
    assertThat(s.state()).isEqualTo(new ConnectionState.Connected(1_001));
    assertThat(s.recentLossesNanos()).isEmpty();
  }

  @Test
  void defaultGuardEndsTheEleventhLossWithinAMinute() {
    machine = new ConnectionMachine(BackoffPolicy.defaults(), false);
    long[] tenInAMinute = {0, 6, 12, 18, 24, 30, 36, 42, 48, 54};
    assertThat(losses(tenInAMinute).next().state())
        .isInstanceOf(ConnectionState.Reconnecting.class);
    long[] eleven = {0, 6, 12, 18, 24, 30, 36, 42, 48, 54, 59};
    assertThat(losses(eleven).next().state())
        .isInstanceOf(ConnectionState.PermanentlyDisconnected.class);
  }

  @Test
  void flappingCauseIsOnlyValidWithZeroAttempts() {
    Cause flapping = Cause.of(Cause.Kind.FLAPPING, "x");
    assertThat(new ConnectionState.PermanentlyDisconnected(flapping, 0).attempts()).isZero();
    for (var bad :
        List.<Runnable>of(
            () -> new ConnectionState.PermanentlyDisconnected(flapping, 1),
            () -> new ConnectionState.PermanentlyDisconnected(DROPPED, 0))) {
      assertThatThrownBy(bad::run).isInstanceOf(IllegalArgumentException.class);
    }
  }
}
