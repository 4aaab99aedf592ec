package dev.tether.runtime;

import dev.tether.machine.BackoffPolicy;
import dev.tether.machine.Cause;
import dev.tether.machine.ConnectionState;
import dev.tether.machine.Effect;
import dev.tether.machine.Input;
import dev.tether.machine.LifecycleEvent;
import dev.tether.machine.MachineState;
import dev.tether.machine.Transition;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.BiFunction;
import java.util.function.Predicate;
import java.util.function.UnaryOperator;

/**
 * Deliberately broken machine variants, for tests that prove the oracles and the reference model
 * catch them. Each variant rewrites the machine's transition for an input, as a plausible bug in
 * {@code ConnectionMachine} would; {@link #plant} installs one in a connection. A variant may
 * remember the states it saw, so each factory call gives one machine's bug. Lives in the runtime
 * package to reach the driver's test-only seam; never used outside tests.
 */
public final class PlantedMachineBugs {
  private PlantedMachineBugs() {}

  /** A machine bug: rewrites the transition the real machine computed for an input. */
  public interface Variant extends BiFunction<Input, Transition, Transition> {}

  /**
   * From now on {@code connection}'s machine has the bug {@code variant}.
   *
   * @param connection a connection built by {@link Connection#builder()}, not yet started
   */
  public static void plant(Connection connection, Variant variant) {
    ((ConnectionDriver) connection).plantVariant(variant);
  }

  /**
   * {@code connection}'s machine forgets to cancel the backoff timer when it is closed while
   * waiting out a backoff delay ({@link #backoffCancelDroppedOnClose()}). The driver's defensive
   * clean-up after the terminal event still cancels the timer, so only an oracle that looks at the
   * moment of the terminal event can see the leak.
   *
   * @param connection a connection built by {@link Connection#builder()}, not yet started
   */
  public static void forgetBackoffCancelOnClose(Connection connection) {
    plant(connection, backoffCancelDroppedOnClose());
  }

  /** A close drops the {@code CancelTimer(BACKOFF)} effect: the backoff timer leaks. */
  public static Variant backoffCancelDroppedOnClose() {
    return (input, t) ->
        input instanceof Input.CloseRequested
            ? without(
                t, e -> e instanceof Effect.CancelTimer c && c.kind() == Effect.TimerKind.BACKOFF)
            : t;
  }

  /**
   * A close during the handshake drops the {@code CloseChannel} effect: the machine forgets that a
   * channel is open while its handshake runs (it closes channels only when up, or while opening).
   */
  public static Variant channelKeptOnCloseDuringHandshake() {
    return channelKeptWhileHandshaking(Input.CloseRequested.class);
  }

  /**
   * A channel that opens for an attempt two or more attempts back is not closed: the machine only
   * remembers the attempt just before the current one as "late" (an off-by-one in staleness).
   */
  public static Variant lateChannelKeptFromTwoAttemptsBack() {
    return (input, t) ->
        input instanceof Input.ChannelOpened o
                && t.next().lastAttemptId() - o.attemptId() >= 2
                && t.effects().equals(List.of(new Effect.CloseChannel(o.attemptId())))
            ? new Transition(t.next(), List.of())
            : t;
  }

  /**
   * Late channels are never closed: neither the one of an attempt the connect timer gave up on (its
   * {@code CloseChannel} is dropped, so the driver keeps waiting for it), nor one that opens after
   * its attempt was superseded. The connection then holds two open channels (I5).
   */
  public static Variant lateChannelsKept() {
    return (input, t) ->
        input instanceof Input.ConnectTimedOut || input instanceof Input.ChannelOpened
            ? without(t, e -> e instanceof Effect.CloseChannel)
            : t;
  }

  /**
   * A connect timeout that meets the handshake drops the {@code CloseChannel} effect: the machine
   * gives the attempt up and retries, but closes the attempt's channel only while it is still
   * opening, not once it is handshaking. The kept channel stays open beside the next attempt's
   * (I5).
   */
  public static Variant channelKeptOnConnectTimeoutDuringHandshake() {
    return channelKeptWhileHandshaking(Input.ConnectTimedOut.class);
  }

  /** An input of type {@code on} that meets a handshake drops the {@code CloseChannel} effect. */
  private static Variant channelKeptWhileHandshaking(Class<? extends Input> on) {
    MachineState[] before = {MachineState.initial()};
    return (input, t) -> {
      boolean handshaking = before[0].stage() instanceof MachineState.Stage.Handshaking;
      Transition out =
          on.isInstance(input) && handshaking
              ? without(t, e -> e instanceof Effect.CloseChannel)
              : t;
      before[0] = out.next();
      return out;
    };
  }

  /**
   * A handshake's success is taken without comparing its attempt: the late success of an attempt
   * already given up (its channel was lost mid-handshake) completes the handshake the next attempt
   * is running, which is announced up before its own handshake finished (I5: a late callback
   * changed state). The event's downtime reads zero (the variant has no clock; no oracle reads it).
   */
  public static Variant handshakeSuccessOfAnyAttempt() {
    MachineState[] before = {MachineState.initial()};
    return (input, t) -> {
      Transition out = t;
      if (input instanceof Input.HandshakeSucceeded ok
          && before[0].stage() instanceof MachineState.Stage.Handshaking h
          && h.attempt().id() != ok.attemptId()) {
        out = up(before[0], h.attempt());
      }
      before[0] = out.next();
      return out;
    };
  }

  /** What the machine does when attempt {@code a}'s own handshake succeeds, downtime zero. */
  private static Transition up(MachineState s, MachineState.Attempt a) {
    long epoch = s.lastEpoch() + 1;
    LifecycleEvent event =
        a.reconnect()
            ? new LifecycleEvent.Reconnected(epoch, a.number(), Duration.ZERO)
            : new LifecycleEvent.Connected(epoch);
    return new Transition(
        new MachineState(
            new MachineState.Stage.Up(epoch, a.id()),
            s.lastAttemptId(),
            epoch,
            s.recentLossesNanos()),
        List.of(
            new Effect.CancelTimer(Effect.TimerKind.CONNECT_TIMEOUT, a.id()),
            new Effect.Emit(event)));
  }

  /**
   * The backoff timer is started with the delay truncated to whole seconds (a unit slip), while the
   * event still announces the real delay: every retry under a second happens at once.
   */
  public static Variant backoffTimerTruncatedToSeconds() {
    return (input, t) ->
        map(
            t,
            e ->
                e instanceof Effect.StartTimer s && s.kind() == Effect.TimerKind.BACKOFF
                    ? new Effect.StartTimer(
                        s.kind(), s.attemptId(), Duration.ofSeconds(s.delay().toSeconds()))
                    : e);
  }

  /**
   * Once connected, the machine cancels the connect timer of the attempt before the one that
   * connected (an off-by-one in the timer's id): the real one stays live until it fires.
   */
  public static Variant connectTimerCancelledForThePreviousAttempt() {
    return (input, t) ->
        t.next().stage() instanceof MachineState.Stage.Up
            ? map(
                t,
                e ->
                    e instanceof Effect.CancelTimer c
                            && c.kind() == Effect.TimerKind.CONNECT_TIMEOUT
                        ? new Effect.CancelTimer(c.kind(), c.attemptId() - 1)
                        : e)
            : t;
  }

  /** The {@code Reconnected} event names the previous epoch (the state has the new one). */
  public static Variant reconnectedNamesThePreviousEpoch() {
    return (input, t) ->
        map(
            t,
            e ->
                e instanceof Effect.Emit emit
                        && emit.event() instanceof LifecycleEvent.Reconnected r
                    ? new Effect.Emit(
                        new LifecycleEvent.Reconnected(r.epoch() - 1, r.attempts(), r.downtime()))
                    : e);
  }

  /**
   * A failure judged fatal ends the connection with a generic message instead of the failure's own
   * (the user cannot tell a revoked token from a missing command).
   */
  public static Variant fatalEndLosesTheFailuresMessage() {
    return (input, t) -> {
      if (!(t.next().stage() instanceof MachineState.Stage.Ended ended)
          || !(ended.terminal() instanceof ConnectionState.PermanentlyDisconnected pd)
          || pd.cause().kind() != Cause.Kind.FATAL) {
        return t;
      }
      var generic =
          new LifecycleEvent.PermanentlyDisconnected(
              Cause.of(Cause.Kind.FATAL, "fatal failure"), pd.attempts());
      return new Transition(
          withStage(t.next(), new MachineState.Stage.Ended(generic.state())),
          t.effects().stream()
              .map(e -> e instanceof Effect.Emit ? new Effect.Emit(generic) : e)
              .toList());
    };
  }

  /**
   * The attempt's event is emitted again when its backoff elapses and it opens ("emit on every
   * stage change"): subscribers see {@code Reconnecting(n)} twice (I2 forbids the repeat).
   */
  public static Variant attemptAnnouncedAgainWhenItOpens() {
    return (input, t) -> {
      if (!(input instanceof Input.BackoffElapsed)
          || !(t.next().stage() instanceof MachineState.Stage.Opening o)) {
        return t;
      }
      // After the attempt's own effects: it opens (so it did start when announced, which I3 checks
      // on the clock), and then its announcement comes again, which only the path check (I2) sees.
      List<Effect> effects = new ArrayList<>(t.effects());
      effects.add(new Effect.Emit(event(o.attempt(), o.attempt().delay())));
      return new Transition(t.next(), effects);
    };
  }

  /**
   * The flap guard ends the connection one loss early: at the loss that makes {@code limit} losses
   * within the window instead of more than {@code limit} ({@code >=} for {@code >}).
   *
   * @param policy the connection's policy (its flap limit)
   */
  public static Variant flapGuardOneLossEarly(BackoffPolicy policy) {
    return (input, t) -> {
      if (!(input instanceof Input.ChannelLost lost)
          || !policy.hasFlapGuard()
          || !(t.next().stage() instanceof MachineState.Stage.Waiting w)
          || !w.attempt().reconnect()
          || w.attempt().number() != 1
          || t.next().recentLossesNanos().size() != policy.flapLimit()) {
        return t;
      }
      var flapping =
          new LifecycleEvent.PermanentlyDisconnected(
              Cause.of(Cause.Kind.FLAPPING, "lost the connection too often"), 0);
      MachineState s = t.next();
      MachineState next =
          new MachineState(
              new MachineState.Stage.Ended(flapping.state()),
              s.lastAttemptId() - 1,
              s.lastEpoch(),
              s.recentLossesNanos());
      return new Transition(
          next, List.of(new Effect.CloseChannel(lost.channelId()), new Effect.Emit(flapping)));
    };
  }

  /**
   * Backoff jitter drawn from a process-wide {@link Random} instead of the connection's seeded
   * source: delays stay within the policy's bounds, but a seed no longer replays (I9).
   *
   * @param policy the connection's policy (its delays)
   */
  public static Variant jitterFromASharedRandom(BackoffPolicy policy) {
    return (input, t) -> {
      if (!(t.next().stage() instanceof MachineState.Stage.Waiting w)
          || w.attempt().delay().isZero()) {
        return t;
      }
      MachineState.Attempt a = w.attempt();
      int retry = a.reconnect() ? a.number() : a.number() - 1;
      Duration d = policy.delay(retry, SHARED.nextDouble());
      MachineState.Attempt redrawn =
          new MachineState.Attempt(
              a.id(),
              a.reconnect(),
              a.number(),
              a.maxAttempts(),
              d,
              a.cause(),
              a.outageStartNanos());
      return new Transition(
          withStage(t.next(), new MachineState.Stage.Waiting(redrawn)),
          t.effects().stream()
              .map(
                  e ->
                      e instanceof Effect.StartTimer st && st.kind() == Effect.TimerKind.BACKOFF
                          ? new Effect.StartTimer(st.kind(), st.attemptId(), d)
                          : e instanceof Effect.Emit emit && !emit.event().isTerminal()
                              ? new Effect.Emit(event(redrawn, d))
                              : e)
              .toList());
    };
  }

  /** The process-wide source of {@link #jitterFromASharedRandom}: never reseeded between runs. */
  private static final Random SHARED = new Random();

  private static LifecycleEvent event(MachineState.Attempt a, Duration delay) {
    return a.reconnect()
        ? new LifecycleEvent.Reconnecting(
            a.number(), a.maxAttempts(), delay, a.cause().orElseThrow())
        : new LifecycleEvent.Connecting(a.number(), a.maxAttempts(), delay, a.cause());
  }

  /** {@code s} with another stage, its ids and losses kept. */
  private static MachineState withStage(MachineState s, MachineState.Stage stage) {
    return new MachineState(stage, s.lastAttemptId(), s.lastEpoch(), s.recentLossesNanos());
  }

  private static Transition without(Transition t, Predicate<Effect> dropped) {
    return new Transition(t.next(), t.effects().stream().filter(dropped.negate()).toList());
  }

  private static Transition map(Transition t, UnaryOperator<Effect> f) {
    return new Transition(t.next(), t.effects().stream().map(f).toList());
  }
}
