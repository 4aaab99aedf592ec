package dev.tether.machine;

import dev.tether.machine.Effect.CancelTimer;
import dev.tether.machine.Effect.CloseChannel;
import dev.tether.machine.Effect.Emit;
import dev.tether.machine.Effect.OpenChannel;
import dev.tether.machine.Effect.StartHandshake;
import dev.tether.machine.Effect.StartTimer;
import dev.tether.machine.Effect.TimerKind;
import dev.tether.machine.MachineState.Attempt;
import dev.tether.machine.MachineState.Stage;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The connection state machine: a pure transition function {@code step(state, input) -> (state',
 * effects)}.
 *
 * <p>Same arguments, same result: the current time and the random draw for jitter are parameters,
 * and nothing is read from globals. Inputs naming an attempt or channel that is not current change
 * nothing (I5); the only effect of a stale input is closing a channel that opened too late.
 *
 * <p>Instances are immutable and thread-safe.
 */
public final class ConnectionMachine {

  private final BackoffPolicy policy;
  private final boolean handshake;

  /**
   * Creates a machine.
   *
   * @param policy the backoff policy for the initial connect and every reconnect
   * @param handshake whether an opened channel must complete a handshake ({@link
   *     Effect.StartHandshake}) before the connection counts as connected
   */
  public ConnectionMachine(BackoffPolicy policy, boolean handshake) {
    this.policy = Objects.requireNonNull(policy, "policy");
    this.handshake = handshake;
  }

  /** The policy this machine applies. */
  public BackoffPolicy policy() {
    return policy;
  }

  /**
   * Computes the next state and the effects of {@code input}.
   *
   * @param state the current state
   * @param input what happened
   * @param nowNanos the driver's current time (used for downtime and outage start)
   * @param random a uniform draw in [0, 1) used for jitter if a backoff delay is computed
   * @return the transition; {@code state} itself with no effects for a stale or ignored input
   */
  public Transition step(MachineState state, Input input, long nowNanos, double random) {
    Objects.requireNonNull(state, "state");
    Objects.requireNonNull(input, "input");
    // Each input is handled by a method that builds the transition directly: no per-step builder
    // object, so a step allocates only what it returns.
    if (input instanceof Input.Start) {
      return start(state, nowNanos);
    } else if (input instanceof Input.CloseRequested close) {
      return close(state, close.reason());
    } else if (input instanceof Input.BackoffElapsed elapsed) {
      return backoffElapsed(state, elapsed.attemptId());
    } else if (input instanceof Input.ChannelOpened opened) {
      return opened(state, opened.attemptId(), nowNanos);
    } else if (input instanceof Input.ChannelOpenFailed failed) {
      return openFailed(state, failed, random);
    } else if (input instanceof Input.HandshakeSucceeded ok) {
      return handshakeSucceeded(state, ok.attemptId(), nowNanos);
    } else if (input instanceof Input.HandshakeFailed failed) {
      return handshakeFailed(state, failed, random);
    } else if (input instanceof Input.ConnectTimedOut timeout) {
      return connectTimedOut(state, timeout.attemptId(), random);
    } else if (input instanceof Input.ChannelLost lost) {
      return lost(state, lost, nowNanos, random);
    } else if (input instanceof Input.ReconnectNow) {
      return reconnectNow(state);
    }
    throw new AssertionError("unknown input " + input);
  }

  private Transition start(MachineState s, long nowNanos) {
    if (!(s.stage() instanceof Stage.NotStarted)) {
      return unchanged(s);
    }
    Attempt first =
        new Attempt(
            s.lastAttemptId() + 1,
            false,
            1,
            policy.maxAttempts(),
            Duration.ZERO,
            Optional.empty(),
            nowNanos);
    return open(s, first, new Emit(first.event()), null);
  }

  private Transition close(MachineState s, String reason) {
    Stage stage = s.stage();
    Effect e0 = null;
    Effect e1 = null;
    if (stage instanceof Stage.Waiting w) {
      e0 = new CancelTimer(TimerKind.BACKOFF, w.attempt().id());
    } else if (stage instanceof Stage.Opening o) {
      e0 = new CancelTimer(TimerKind.CONNECT_TIMEOUT, o.attempt().id());
      e1 = new CloseChannel(o.attempt().id());
    } else if (stage instanceof Stage.Handshaking h) {
      e0 = new CancelTimer(TimerKind.CONNECT_TIMEOUT, h.attempt().id());
      e1 = new CloseChannel(h.attempt().id());
    } else if (stage instanceof Stage.Up up) {
      e0 = new CloseChannel(up.channelId());
    } else if (stage instanceof Stage.Ended) {
      return unchanged(s);
    }
    return end(s, e0, e1, new LifecycleEvent.Closed(reason));
  }

  /** Opens the pending attempt at once when waiting out its backoff; nothing otherwise. */
  private Transition reconnectNow(MachineState s) {
    if (s.stage() instanceof Stage.Waiting w) {
      return open(s, w.attempt(), new CancelTimer(TimerKind.BACKOFF, w.attempt().id()), null);
    }
    return unchanged(s);
  }

  private Transition backoffElapsed(MachineState s, long attemptId) {
    if (s.stage() instanceof Stage.Waiting w && w.attempt().id() == attemptId) {
      return open(s, w.attempt(), null, null);
    }
    return unchanged(s);
  }

  private Transition opened(MachineState s, long attemptId, long nowNanos) {
    if (s.stage() instanceof Stage.Opening o && o.attempt().id() == attemptId) {
      if (handshake) {
        return transition(
            new MachineState(
                new Stage.Handshaking(o.attempt()),
                s.lastAttemptId(),
                s.lastEpoch(),
                s.recentLossesNanos()),
            new StartHandshake(attemptId),
            null,
            null,
            null);
      }
      return up(s, o.attempt(), nowNanos);
    }
    // Too late: the attempt was abandoned (timeout, close) or superseded. Never keep it (I5).
    return transition(s, new CloseChannel(attemptId), null, null, null);
  }

  private Transition openFailed(MachineState s, Input.ChannelOpenFailed f, double random) {
    long attemptId = f.attemptId();
    if (s.stage() instanceof Stage.Opening o && o.attempt().id() == attemptId) {
      return fail(
          s,
          o.attempt(),
          f.cause(),
          f.verdict(),
          new CancelTimer(TimerKind.CONNECT_TIMEOUT, attemptId),
          null,
          random);
    }
    return unchanged(s);
  }

  private Transition handshakeSucceeded(MachineState s, long attemptId, long nowNanos) {
    if (s.stage() instanceof Stage.Handshaking h && h.attempt().id() == attemptId) {
      return up(s, h.attempt(), nowNanos);
    }
    return unchanged(s);
  }

  private Transition handshakeFailed(MachineState s, Input.HandshakeFailed f, double random) {
    if (s.stage() instanceof Stage.Handshaking h && h.attempt().id() == f.attemptId()) {
      return abandonAndFail(s, h.attempt(), f.cause(), f.verdict(), random);
    }
    return unchanged(s);
  }

  private Transition connectTimedOut(MachineState s, long attemptId, double random) {
    Attempt a = connectingAttempt(s.stage());
    if (a != null && a.id() == attemptId) {
      return fail(
          s,
          a,
          policy.connectTimeoutCause(),
          Verdict.RETRY,
          new CloseChannel(attemptId),
          null,
          random);
    }
    return unchanged(s);
  }

  private Transition lost(MachineState s, Input.ChannelLost lost, long nowNanos, double random) {
    Stage stage = s.stage();
    long channelId = lost.channelId();
    if (stage instanceof Stage.Up up && up.channelId() == channelId) {
      return connectedLost(s, lost, nowNanos, random);
    }
    if (stage instanceof Stage.Handshaking h && h.attempt().id() == channelId) {
      return abandonAndFail(s, h.attempt(), lost.cause(), lost.verdict(), random);
    }
    return unchanged(s);
  }

  /**
   * An established connection was lost: reconnect from attempt 1, unless the loss is fatal or trips
   * the flap guard (I10), either of which ends the connection at once (a fatal loss is not counted
   * by the guard: there is nothing left to guard).
   */
  private Transition connectedLost(
      MachineState s, Input.ChannelLost lost, long nowNanos, double random) {
    CloseChannel close = new CloseChannel(lost.channelId());
    Cause cause = lost.cause();
    if (lost.verdict() == Verdict.FATAL) {
      return end(s, close, null, new LifecycleEvent.PermanentlyDisconnected(fatal(cause), 0));
    }
    boolean promptly = lost.verdict() == Verdict.RETRY_PROMPTLY;
    if (!policy.hasFlapGuard()) {
      return retry(s, close, null, true, 1, Optional.of(cause), nowNanos, random, promptly);
    }
    List<Long> losses = lossesWithinWindow(s.recentLossesNanos(), nowNanos);
    MachineState counted = new MachineState(s.stage(), s.lastAttemptId(), s.lastEpoch(), losses);
    if (losses.size() > policy.flapLimit()) {
      return end(
          counted,
          close,
          null,
          new LifecycleEvent.PermanentlyDisconnected(flapping(losses, cause), 0));
    }
    return retry(counted, close, null, true, 1, Optional.of(cause), nowNanos, random, promptly);
  }

  /**
   * The losses that count at {@code nowNanos}, oldest first: those of {@code recent} less than the
   * flap window ago, then this one. A sliding window: each loss counts for exactly one window
   * length after it happened.
   */
  private List<Long> lossesWithinWindow(List<Long> recent, long nowNanos) {
    long windowNanos = policy.flapWindow().toNanos();
    int from = 0;
    // Differences, not comparisons of raw values: nanoTime-style clocks may wrap.
    while (from < recent.size() && nowNanos - recent.get(from) >= windowNanos) {
      from++;
    }
    Long[] kept = new Long[recent.size() - from + 1];
    for (int i = from; i < recent.size(); i++) {
      kept[i - from] = recent.get(i);
    }
    kept[kept.length - 1] = nowNanos;
    return List.of(kept);
  }

  private Cause flapping(List<Long> losses, Cause last) {
    return Cause.of(
        Cause.Kind.FLAPPING,
        "lost the connection "
            + losses.size()
            + " times within "
            + readable(policy.flapWindow())
            + " (flap limit "
            + policy.flapLimit()
            + "); last loss: "
            + last);
  }

  /** {@code 60 s}, {@code 1500 ms}: how a window reads in a cause message. */
  private static String readable(Duration d) {
    if (d.toNanos() % 1_000_000 != 0) {
      return d.toString();
    }
    long millis = d.toMillis();
    return millis % 1000 == 0 ? millis / 1000 + " s" : millis + " ms";
  }

  private static Attempt connectingAttempt(Stage stage) {
    if (stage instanceof Stage.Opening o) {
      return o.attempt();
    }
    if (stage instanceof Stage.Handshaking h) {
      return h.attempt();
    }
    return null;
  }

  /** Opens the channel of attempt {@code a}, after the optional effects {@code e0, e1}. */
  private Transition open(MachineState s, Attempt a, Effect e0, Effect e1) {
    long id = a.id();
    return transition(
        new MachineState(
            new Stage.Opening(a),
            Math.max(id, s.lastAttemptId()),
            s.lastEpoch(),
            s.recentLossesNanos()),
        e0,
        e1,
        new OpenChannel(id),
        new StartTimer(TimerKind.CONNECT_TIMEOUT, id, policy.connectTimeout()));
  }

  /** Stops an attempt whose channel is open (its timer and its channel), then fails it. */
  private Transition abandonAndFail(
      MachineState s, Attempt a, Cause cause, Verdict verdict, double random) {
    return fail(
        s,
        a,
        cause,
        verdict,
        new CancelTimer(TimerKind.CONNECT_TIMEOUT, a.id()),
        new CloseChannel(a.id()),
        random);
  }

  private Transition up(MachineState s, Attempt a, long nowNanos) {
    long epoch = s.lastEpoch() + 1;
    LifecycleEvent event =
        a.reconnect()
            ? new LifecycleEvent.Reconnected(
                epoch, a.number(), Duration.ofNanos(Math.max(0, nowNanos - a.outageStartNanos())))
            : new LifecycleEvent.Connected(epoch);
    return transition(
        new MachineState(
            new Stage.Up(epoch, a.id()), s.lastAttemptId(), epoch, s.recentLossesNanos()),
        new CancelTimer(TimerKind.CONNECT_TIMEOUT, a.id()),
        new Emit(event),
        null,
        null);
  }

  /**
   * After the effects {@code e0, e1}: the next attempt, or the end if the verdict or the policy
   * says so.
   */
  private Transition fail(
      MachineState s,
      Attempt a,
      Cause cause,
      Verdict verdict,
      Effect e0,
      Effect e1,
      double random) {
    if (verdict == Verdict.FATAL) {
      return end(s, e0, e1, new LifecycleEvent.PermanentlyDisconnected(fatal(cause), a.number()));
    }
    boolean failFast = !a.reconnect() && a.number() == 1 && policy.failFastOnFirstConnect();
    int next = a.number() + 1;
    if (failFast || !policy.allowsAttempt(next)) {
      return end(s, e0, e1, new LifecycleEvent.PermanentlyDisconnected(cause, a.number()));
    }
    return retry(
        s,
        e0,
        e1,
        a.reconnect(),
        next,
        Optional.of(cause),
        a.outageStartNanos(),
        random,
        verdict == Verdict.RETRY_PROMPTLY);
  }

  /** The terminal cause of a failure judged {@link Verdict#FATAL}: its message and detail. */
  private static Cause fatal(Cause failure) {
    String reason = failure.message().isEmpty() ? failure.kind().name() : failure.message();
    return new Cause(Cause.Kind.FATAL, reason, failure.detail());
  }

  /**
   * After the effects {@code e0, e1}: waits out the backoff delay before attempt {@code number}; no
   * delay (a timer of zero) if {@code promptly} and this is the outage's first retry.
   */
  private Transition retry(
      MachineState s,
      Effect e0,
      Effect e1,
      boolean reconnect,
      int number,
      Optional<Cause> cause,
      long outageStart,
      double random,
      boolean promptly) {
    // Retry n of an outage is reconnect attempt n, or initial attempt n + 1.
    int retry = reconnect ? number : number - 1;
    // Only the first: a server that keeps saying "restarting" must not turn into a hot loop.
    Duration delay = promptly && retry == 1 ? Duration.ZERO : policy.delay(retry, random);
    long id = s.lastAttemptId() + 1;
    Attempt a = new Attempt(id, reconnect, number, policy.maxAttempts(), delay, cause, outageStart);
    return transition(
        new MachineState(new Stage.Waiting(a), id, s.lastEpoch(), s.recentLossesNanos()),
        e0,
        e1,
        new Emit(a.event()),
        new StartTimer(TimerKind.BACKOFF, id, delay));
  }

  /** After the effects {@code e0, e1}: the terminal state, announced by {@code terminal}. */
  private static Transition end(MachineState s, Effect e0, Effect e1, LifecycleEvent terminal) {
    return transition(
        new MachineState(
            new Stage.Ended(terminal.state()),
            s.lastAttemptId(),
            s.lastEpoch(),
            s.recentLossesNanos()),
        e0,
        e1,
        new Emit(terminal),
        null);
  }

  /** A stale or ignored input: the same state object, no effects. */
  private static Transition unchanged(MachineState s) {
    return new Transition(s, List.of());
  }

  /** The transition to {@code next} with the non-null effects among {@code e0..e3}, in order. */
  private static Transition transition(
      MachineState next, Effect e0, Effect e1, Effect e2, Effect e3) {
    return new Transition(next, compact(e0, e1, e2, e3));
  }

  /** The non-null effects in order, shifted left without an intermediate array. */
  private static List<Effect> compact(Effect e0, Effect e1, Effect e2, Effect e3) {
    if (e0 == null) {
      return e1 == null && e2 == null && e3 == null ? List.of() : compact(e1, e2, e3, null);
    }
    if (e1 == null) {
      return e2 == null && e3 == null ? List.of(e0) : compact(e0, e2, e3, null);
    }
    if (e2 == null) {
      return e3 == null ? List.of(e0, e1) : List.of(e0, e1, e3);
    }
    return e3 == null ? List.of(e0, e1, e2) : List.of(e0, e1, e2, e3);
  }
}
