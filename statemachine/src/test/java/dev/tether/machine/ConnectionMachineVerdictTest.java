package dev.tether.machine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tether.machine.Effect.CancelTimer;
import dev.tether.machine.Effect.CloseChannel;
import dev.tether.machine.Effect.Emit;
import dev.tether.machine.Effect.OpenChannel;
import dev.tether.machine.Effect.StartTimer;
import dev.tether.machine.Effect.TimerKind;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * Failures that are final ({@link Verdict#FATAL}), prompt retries ({@link Verdict#RETRY_PROMPTLY})
 * and {@link Input.ReconnectNow} in {@link ConnectionMachine}, case by case.
 */
class ConnectionMachineVerdictTest {
  static final Cause UNAUTHORIZED =
      Cause.of(
          Cause.Kind.OPEN_FAILED,
          "WebSocket upgrade rejected with HTTP 401",
          new Cause.Detail.UpgradeRejected(401));
  static final Cause RESTARTING =
      Cause.of(Cause.Kind.CHANNEL_CLOSED, "service restart", new Cause.Detail.CloseCode(1012));
  static final Cause REFUSED = Cause.of(Cause.Kind.OPEN_FAILED, "refused");
  static final Duration CONNECT_TIMEOUT = BackoffPolicy.defaults().connectTimeout();

  /** Retry delays of 1 s, 2 s, 4 s (jitter off), 3 attempts, flap guard 2 losses in 10 s. */
  ConnectionMachine machine =
      new ConnectionMachine(
          BackoffPolicy.builder()
              .exponential(Duration.ofSeconds(1), 2, Duration.ofSeconds(30))
              .jitter(0)
              .maxAttempts(3)
              .flapLimit(2, Duration.ofSeconds(10))
              .build(),
          false);

  Transition step(MachineState s, Input in) {
    return machine.step(s, in, 0, 0.5);
  }

  MachineState opening() {
    return step(MachineState.initial(), new Input.Start()).next();
  }

  MachineState connected() {
    return step(opening(), new Input.ChannelOpened(1)).next();
  }

  static long pendingId(MachineState s) {
    return ((MachineState.Stage.Waiting) s.stage()).attempt().id();
  }

  @Test
  void fatalOpenFailureEndsAtAttemptOneWithExactlyOneTerminalEvent() {
    Transition t = step(opening(), new Input.ChannelOpenFailed(1, UNAUTHORIZED, Verdict.FATAL));

    Cause fatal =
        Cause.of(
            Cause.Kind.FATAL,
            "WebSocket upgrade rejected with HTTP 401",
            new Cause.Detail.UpgradeRejected(401));
    assertThat(t.next().state()).isEqualTo(new ConnectionState.PermanentlyDisconnected(fatal, 1));
    assertThat(t.effects())
        .containsExactly(
            new CancelTimer(TimerKind.CONNECT_TIMEOUT, 1),
            new Emit(new LifecycleEvent.PermanentlyDisconnected(fatal, 1)));
  }

  @Test
  void fatalFailureOfALaterAttemptEndsAtThatAttempt() {
    MachineState s = step(opening(), new Input.ChannelOpenFailed(1, REFUSED)).next();
    s = step(s, new Input.BackoffElapsed(pendingId(s))).next();
    Transition t = step(s, new Input.ChannelOpenFailed(2, UNAUTHORIZED, Verdict.FATAL));

    ConnectionState.PermanentlyDisconnected end =
        (ConnectionState.PermanentlyDisconnected) t.next().state();
    assertThat(end.attempts()).isEqualTo(2);
    assertThat(end.cause().kind()).isEqualTo(Cause.Kind.FATAL);
  }

  @Test
  void fatalHandshakeFailureClosesTheChannelBeforeTheTerminalEvent() {
    ConnectionMachine withHandshake = new ConnectionMachine(machine.policy(), true);
    MachineState s = withHandshake.step(opening(), new Input.ChannelOpened(1), 0, 0.5).next();
    Transition t =
        withHandshake.step(s, new Input.HandshakeFailed(1, REFUSED, Verdict.FATAL), 0, 0.5);

    Cause fatal = Cause.of(Cause.Kind.FATAL, "refused");
    assertThat(t.effects())
        .containsExactly(
            new CancelTimer(TimerKind.CONNECT_TIMEOUT, 1),
            new CloseChannel(1),
            new Emit(new LifecycleEvent.PermanentlyDisconnected(fatal, 1)));
  }

  @Test
  void fatalLossOfAnEstablishedChannelEndsWithoutAnAttempt() {
    Cause violation =
        Cause.of(Cause.Kind.CHANNEL_CLOSED, "policy violation", new Cause.Detail.CloseCode(1008));
    Transition t = step(connected(), new Input.ChannelLost(1, violation, Verdict.FATAL));

    Cause fatal = Cause.of(Cause.Kind.FATAL, "policy violation", new Cause.Detail.CloseCode(1008));
    assertThat(t.effects())
        .containsExactly(
            new CloseChannel(1), new Emit(new LifecycleEvent.PermanentlyDisconnected(fatal, 0)));
  }

  @Test
  void fatalFailureWithAnEmptyMessageIsNamedByItsKind() {
    Transition t =
        step(
            opening(),
            new Input.ChannelOpenFailed(1, Cause.of(Cause.Kind.OPEN_FAILED, ""), Verdict.FATAL));

    assertThat(((ConnectionState.PermanentlyDisconnected) t.next().state()).cause())
        .isEqualTo(Cause.of(Cause.Kind.FATAL, "OPEN_FAILED"));
  }

  @Test
  void promptLossReconnectsWithoutTheBackoffDelayOnlyForTheFirstRetry() {
    Transition t = step(connected(), new Input.ChannelLost(1, RESTARTING, Verdict.RETRY_PROMPTLY));

    LifecycleEvent.Reconnecting first =
        new LifecycleEvent.Reconnecting(1, 3, Duration.ZERO, RESTARTING);
    assertThat(t.effects())
        .containsExactly(
            new CloseChannel(1),
            new Emit(first),
            new StartTimer(TimerKind.BACKOFF, 2, Duration.ZERO));

    // Attempt 1 fails promptly too: attempt 2 still waits its policy delay (2 s), no hot loop.
    MachineState s = step(t.next(), new Input.BackoffElapsed(2)).next();
    Transition again = step(s, new Input.ChannelOpenFailed(2, RESTARTING, Verdict.RETRY_PROMPTLY));
    assertThat(again.effects())
        .contains(
            new Emit(new LifecycleEvent.Reconnecting(2, 3, Duration.ofSeconds(2), RESTARTING)));
  }

  @Test
  void promptFailureOfTheFirstInitialAttemptRetriesAtOnceTheSecondWaits() {
    Transition t = step(opening(), new Input.ChannelOpenFailed(1, REFUSED, Verdict.RETRY_PROMPTLY));
    assertThat(t.next().state())
        .isEqualTo(new ConnectionState.Connecting(2, 3, Duration.ZERO, Optional.of(REFUSED)));

    MachineState s = step(t.next(), new Input.BackoffElapsed(2)).next();
    Transition again = step(s, new Input.ChannelOpenFailed(2, REFUSED, Verdict.RETRY_PROMPTLY));
    assertThat(again.next().state())
        .isEqualTo(
            new ConnectionState.Connecting(3, 3, Duration.ofSeconds(2), Optional.of(REFUSED)));
  }

  @Test
  void retryVerdictKeepsThePolicyDelay() {
    Transition t = step(connected(), new Input.ChannelLost(1, RESTARTING, Verdict.RETRY));
    assertThat(t.next().state())
        .isEqualTo(new ConnectionState.Reconnecting(1, 3, Duration.ofSeconds(1), RESTARTING));
  }

  @Test
  void promptLossStillCountsForTheFlapGuard() {
    MachineState s = connected();
    for (int loss = 1; loss <= 2; loss++) {
      long channel = ((MachineState.Stage.Up) s.stage()).channelId();
      s = step(s, new Input.ChannelLost(channel, RESTARTING, Verdict.RETRY_PROMPTLY)).next();
      long id = pendingId(s);
      s = step(s, new Input.BackoffElapsed(id)).next();
      s = step(s, new Input.ChannelOpened(id)).next();
    }
    long channel = ((MachineState.Stage.Up) s.stage()).channelId();
    Transition t = step(s, new Input.ChannelLost(channel, RESTARTING, Verdict.RETRY_PROMPTLY));

    assertThat(((ConnectionState.PermanentlyDisconnected) t.next().state()).cause().kind())
        .isEqualTo(Cause.Kind.FLAPPING);
  }

  @Test
  void reconnectNowOpensThePendingAttemptAtOnceWithoutANewNumber() {
    MachineState s = step(connected(), new Input.ChannelLost(1, RESTARTING)).next();
    Transition t = step(s, new Input.ReconnectNow());

    assertThat(t.effects())
        .containsExactly(
            new CancelTimer(TimerKind.BACKOFF, 2),
            new OpenChannel(2),
            new StartTimer(TimerKind.CONNECT_TIMEOUT, 2, CONNECT_TIMEOUT));
    assertThat(t.next().state()).isEqualTo(s.state()); // still Reconnecting (1/3): no new event
    assertThat(t.next().stage()).isInstanceOf(MachineState.Stage.Opening.class);

    // The stale backoff timer, had it fired anyway, changes nothing.
    assertThat(step(t.next(), new Input.BackoffElapsed(2)).effects()).isEmpty();
    // The attempt it opened is attempt 1 of the outage: success is Reconnected after 1 attempt.
    assertThat(step(t.next(), new Input.ChannelOpened(2)).effects())
        .anySatisfy(
            e ->
                assertThat(e)
                    .isEqualTo(new Emit(new LifecycleEvent.Reconnected(2, 1, Duration.ZERO))));
  }

  @Test
  void reconnectNowDuringTheInitialConnectOpensTheNextInitialAttempt() {
    MachineState s = step(opening(), new Input.ChannelOpenFailed(1, REFUSED)).next();
    Transition t = step(s, new Input.ReconnectNow());

    assertThat(t.effects()).contains(new CancelTimer(TimerKind.BACKOFF, 2), new OpenChannel(2));
    assertThat(t.next().state()).isEqualTo(s.state());
  }

  @Test
  void reconnectNowAtTheLastAttemptMakesNoAttemptBeyondMaxAttempts() {
    MachineState s = opening();
    for (long id = 1; id <= 2; id++) {
      s = step(s, new Input.ChannelOpenFailed(id, REFUSED)).next();
      s = step(s, new Input.ReconnectNow()).next();
    }
    Transition t = step(s, new Input.ChannelOpenFailed(3, REFUSED));

    assertThat(t.next().state()).isEqualTo(new ConnectionState.PermanentlyDisconnected(REFUSED, 3));
    assertThat(step(t.next(), new Input.ReconnectNow()).effects()).isEmpty();
  }

  @Test
  void reconnectNowIsANoOpInEveryStateButWaiting() {
    ConnectionMachine withHandshake = new ConnectionMachine(machine.policy(), true);
    MachineState handshaking =
        withHandshake.step(opening(), new Input.ChannelOpened(1), 0, 0.5).next();
    MachineState closed = step(connected(), new Input.CloseRequested("bye")).next();
    MachineState fatal =
        step(opening(), new Input.ChannelOpenFailed(1, UNAUTHORIZED, Verdict.FATAL)).next();
    for (MachineState s :
        List.of(MachineState.initial(), opening(), handshaking, connected(), closed, fatal)) {
      Transition t = withHandshake.step(s, new Input.ReconnectNow(), 0, 0.5);
      assertThat(t.next()).as("%s", s.stage()).isSameAs(s);
      assertThat(t.effects()).as("%s", s.stage()).isEmpty();
    }
  }

  @Test
  void staleFatalFailureChangesNothing() {
    MachineState s = step(opening(), new Input.ChannelOpenFailed(1, REFUSED)).next();
    Transition t = step(s, new Input.ChannelOpenFailed(1, UNAUTHORIZED, Verdict.FATAL));
    assertThat(t.next()).isSameAs(s);
    assertThat(t.effects()).isEmpty();
  }
}
