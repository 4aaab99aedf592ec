package dev.tether.machine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tether.machine.Effect.CancelTimer;
import dev.tether.machine.Effect.CloseChannel;
import dev.tether.machine.Effect.Emit;
import dev.tether.machine.Effect.OpenChannel;
import dev.tether.machine.Effect.StartHandshake;
import dev.tether.machine.Effect.StartTimer;
import dev.tether.machine.Effect.TimerKind;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The transition table, case by case. Random draws are 0.5, so delays carry no jitter. */
class ConnectionMachineTest {
  static final Cause REFUSED = Cause.of(Cause.Kind.OPEN_FAILED, "refused");
  static final Cause DROPPED = Cause.of(Cause.Kind.CHANNEL_CLOSED, "dropped");
  static final Duration TIMEOUT = BackoffPolicy.DEFAULT_CONNECT_TIMEOUT;

  BackoffPolicy policy = BackoffPolicy.builder().maxAttempts(3).build();
  ConnectionMachine machine = new ConnectionMachine(policy, false);
  long now;

  Transition step(MachineState s, Input in) {
    return machine.step(s, in, now, 0.5);
  }

  MachineState started() {
    return step(MachineState.initial(), new Input.Start()).next();
  }

  MachineState connected() {
    return step(started(), new Input.ChannelOpened(1)).next();
  }

  /** Connected on channel 1, then lost: waiting for reconnect attempt 1 (id 2). */
  MachineState reconnecting() {
    return step(connected(), new Input.ChannelLost(1, DROPPED)).next();
  }

  @Test
  void startOpensFirstAttemptWithConnectTimeout() {
    Transition t = step(MachineState.initial(), new Input.Start());
    assertThat(t.next().state())
        .isEqualTo(new ConnectionState.Connecting(1, 3, Duration.ZERO, Optional.empty()));
    assertThat(t.effects())
        .containsExactly(
            new Emit(new LifecycleEvent.Connecting(1, 3, Duration.ZERO, Optional.empty())),
            new OpenChannel(1),
            new StartTimer(TimerKind.CONNECT_TIMEOUT, 1, TIMEOUT));
  }

  @Test
  void startTwiceIsIgnored() {
    MachineState s = started();
    Transition t = step(s, new Input.Start());
    assertThat(t.next()).isEqualTo(s);
    assertThat(t.effects()).isEmpty();
  }

  @Test
  void openedChannelConnectsWithEpochOne() {
    Transition t = step(started(), new Input.ChannelOpened(1));
    assertThat(t.next().state()).isEqualTo(new ConnectionState.Connected(1));
    assertThat(t.effects())
        .containsExactly(
            new CancelTimer(TimerKind.CONNECT_TIMEOUT, 1),
            new Emit(new LifecycleEvent.Connected(1)));
  }

  @Test
  void failedInitialAttemptBacksOffAndRetries() {
    Transition t = step(started(), new Input.ChannelOpenFailed(1, REFUSED));
    Duration d = Duration.ofMillis(100);
    assertThat(t.next().state())
        .isEqualTo(new ConnectionState.Connecting(2, 3, d, Optional.of(REFUSED)));
    assertThat(t.effects())
        .containsExactly(
            new CancelTimer(TimerKind.CONNECT_TIMEOUT, 1),
            new Emit(new LifecycleEvent.Connecting(2, 3, d, Optional.of(REFUSED))),
            new StartTimer(TimerKind.BACKOFF, 2, d));
    Transition opened = step(t.next(), new Input.BackoffElapsed(2));
    assertThat(opened.effects())
        .containsExactly(new OpenChannel(2), new StartTimer(TimerKind.CONNECT_TIMEOUT, 2, TIMEOUT));
  }

  @Test
  void failFastEndsOnFirstFailure() {
    machine =
        new ConnectionMachine(BackoffPolicy.builder().failFastOnFirstConnect(true).build(), false);
    Transition t = step(started(), new Input.ChannelOpenFailed(1, REFUSED));
    assertThat(t.next().state()).isEqualTo(new ConnectionState.PermanentlyDisconnected(REFUSED, 1));
    assertThat(t.effects())
        .containsExactly(
            new CancelTimer(TimerKind.CONNECT_TIMEOUT, 1),
            new Emit(new LifecycleEvent.PermanentlyDisconnected(REFUSED, 1)));
  }

  @Test
  void lossStartsReconnectingAtAttemptOneAndClosesTheOldChannel() {
    Transition t = step(connected(), new Input.ChannelLost(1, DROPPED));
    Duration d = Duration.ofMillis(100);
    assertThat(t.next().state()).isEqualTo(new ConnectionState.Reconnecting(1, 3, d, DROPPED));
    assertThat(t.effects())
        .containsExactly(
            new CloseChannel(1),
            new Emit(new LifecycleEvent.Reconnecting(1, 3, d, DROPPED)),
            new StartTimer(TimerKind.BACKOFF, 2, d));
  }

  @Test
  void reconnectedReportsAttemptsAndDowntime() {
    now = 1_000;
    MachineState s = reconnecting();
    s = step(s, new Input.BackoffElapsed(2)).next();
    s = step(s, new Input.ChannelOpenFailed(2, REFUSED)).next();
    assertThat(s.state())
        .isEqualTo(new ConnectionState.Reconnecting(2, 3, Duration.ofMillis(200), REFUSED));
    s = step(s, new Input.BackoffElapsed(3)).next();
    now = 5_000;
    Transition t = step(s, new Input.ChannelOpened(3));
    assertThat(t.next().state()).isEqualTo(new ConnectionState.Connected(2));
    assertThat(t.effects())
        .containsExactly(
            new CancelTimer(TimerKind.CONNECT_TIMEOUT, 3),
            new Emit(new LifecycleEvent.Reconnected(2, 2, Duration.ofNanos(4_000))));
  }

  @Test
  void exhaustedAttemptsArePermanent() {
    MachineState s = reconnecting();
    for (long id = 2; id <= 3; id++) {
      s = step(s, new Input.BackoffElapsed(id)).next();
      s = step(s, new Input.ChannelOpenFailed(id, REFUSED)).next();
    }
    s = step(s, new Input.BackoffElapsed(4)).next();
    Transition t = step(s, new Input.ChannelOpenFailed(4, REFUSED));
    assertThat(t.next().state()).isEqualTo(new ConnectionState.PermanentlyDisconnected(REFUSED, 3));
    assertThat(t.effects())
        .containsExactly(
            new CancelTimer(TimerKind.CONNECT_TIMEOUT, 4),
            new Emit(new LifecycleEvent.PermanentlyDisconnected(REFUSED, 3)));
  }

  @Test
  void connectTimeoutAbandonsTheOpenAndCountsAsFailure() {
    Transition t = step(started(), new Input.ConnectTimedOut(1));
    assertThat(t.effects().get(0)).isEqualTo(new CloseChannel(1));
    assertThat(t.next().state()).isInstanceOf(ConnectionState.Connecting.class);
    ConnectionState.Connecting c = (ConnectionState.Connecting) t.next().state();
    assertThat(c.attempt()).isEqualTo(2);
    assertThat(c.lastFailure().orElseThrow().kind()).isEqualTo(Cause.Kind.CONNECT_TIMEOUT);
  }

  @Test
  void closeDuringBackoffCancelsTheTimer() {
    Transition t = step(reconnecting(), new Input.CloseRequested("bye"));
    assertThat(t.next().state()).isEqualTo(new ConnectionState.Closed("bye"));
    assertThat(t.effects())
        .containsExactly(
            new CancelTimer(TimerKind.BACKOFF, 2), new Emit(new LifecycleEvent.Closed("bye")));
  }

  @Test
  void closeWhileConnectingAbandonsTheOpen() {
    Transition t = step(started(), new Input.CloseRequested("bye"));
    assertThat(t.effects())
        .containsExactly(
            new CancelTimer(TimerKind.CONNECT_TIMEOUT, 1),
            new CloseChannel(1),
            new Emit(new LifecycleEvent.Closed("bye")));
  }

  @Test
  void closeWhileConnectedClosesTheChannel() {
    Transition t = step(connected(), new Input.CloseRequested("bye"));
    assertThat(t.effects())
        .containsExactly(new CloseChannel(1), new Emit(new LifecycleEvent.Closed("bye")));
  }

  @Test
  void closeBeforeStartIsClosed() {
    Transition t = step(MachineState.initial(), new Input.CloseRequested("never"));
    assertThat(t.next().state()).isEqualTo(new ConnectionState.Closed("never"));
    assertThat(t.effects()).containsExactly(new Emit(new LifecycleEvent.Closed("never")));
  }

  @Test
  void terminalStateIgnoresEverything() {
    MachineState closed = step(connected(), new Input.CloseRequested("bye")).next();
    List<Input> inputs =
        List.of(
            new Input.Start(),
            new Input.CloseRequested("again"),
            new Input.ChannelLost(1, DROPPED),
            new Input.BackoffElapsed(2),
            new Input.ConnectTimedOut(1),
            new Input.ChannelOpenFailed(1, REFUSED),
            new Input.HandshakeSucceeded(1));
    for (Input in : inputs) {
      Transition t = step(closed, in);
      assertThat(t.next()).as("%s", in).isEqualTo(closed);
      assertThat(t.effects()).as("%s", in).isEmpty();
    }
  }

  @Test
  void lateOpenFromAnEarlierAttemptIsClosedAndChangesNothing() {
    MachineState s = step(started(), new Input.ConnectTimedOut(1)).next();
    Transition t = step(s, new Input.ChannelOpened(1));
    assertThat(t.next()).isEqualTo(s);
    assertThat(t.effects()).containsExactly(new CloseChannel(1));
  }

  @Test
  void staleLossFromAnEarlierChannelChangesNothing() {
    MachineState s = reconnecting();
    s = step(s, new Input.BackoffElapsed(2)).next();
    s = step(s, new Input.ChannelOpened(2)).next();
    Transition t = step(s, new Input.ChannelLost(1, DROPPED));
    assertThat(t.next()).isEqualTo(s);
    assertThat(t.effects()).isEmpty();
  }

  @Test
  void staleTimersChangeNothing() {
    MachineState s = connected();
    for (Input in : List.of(new Input.BackoffElapsed(1), new Input.ConnectTimedOut(1))) {
      Transition t = step(s, in);
      assertThat(t.next()).isEqualTo(s);
      assertThat(t.effects()).isEmpty();
    }
  }

  @Test
  void handshakeMustSucceedBeforeConnected() {
    machine = new ConnectionMachine(policy, true);
    Transition opened = step(started(), new Input.ChannelOpened(1));
    assertThat(opened.next().state()).isInstanceOf(ConnectionState.Connecting.class);
    assertThat(opened.effects()).containsExactly(new StartHandshake(1));
    Transition ok = step(opened.next(), new Input.HandshakeSucceeded(1));
    assertThat(ok.next().state()).isEqualTo(new ConnectionState.Connected(1));
  }

  @Test
  void failedHandshakeClosesTheChannelAndCountsAsFailure() {
    machine = new ConnectionMachine(policy, true);
    MachineState s = step(started(), new Input.ChannelOpened(1)).next();
    Cause c = Cause.of(Cause.Kind.HANDSHAKE_FAILED, "resubscribe failed");
    Transition t = step(s, new Input.HandshakeFailed(1, c));
    assertThat(t.effects())
        .startsWith(new CancelTimer(TimerKind.CONNECT_TIMEOUT, 1), new CloseChannel(1));
    assertThat(t.next().state())
        .isEqualTo(new ConnectionState.Connecting(2, 3, Duration.ofMillis(100), Optional.of(c)));
  }

  @Test
  void channelLostDuringHandshakeFailsTheAttempt() {
    machine = new ConnectionMachine(policy, true);
    MachineState s = step(started(), new Input.ChannelOpened(1)).next();
    Transition t = step(s, new Input.ChannelLost(1, DROPPED));
    assertThat(t.next().state())
        .isEqualTo(
            new ConnectionState.Connecting(2, 3, Duration.ofMillis(100), Optional.of(DROPPED)));
  }

  @Test
  void sameInputsGiveSameTransition() {
    MachineState s = connected();
    Input in = new Input.ChannelLost(1, DROPPED);
    assertThat(machine.step(s, in, 7, 0.123)).isEqualTo(machine.step(s, in, 7, 0.123));
  }

  @Test
  void idsNeverRepeat() {
    MachineState s = reconnecting();
    s = step(s, new Input.BackoffElapsed(2)).next();
    s = step(s, new Input.ChannelOpened(2)).next();
    s = step(s, new Input.ChannelLost(2, DROPPED)).next();
    assertThat(s.lastAttemptId()).isEqualTo(3);
    assertThat(s.lastEpoch()).isEqualTo(2);
  }
}
