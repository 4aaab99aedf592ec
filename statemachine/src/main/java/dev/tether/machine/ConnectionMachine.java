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
    Step s = new Step(state, nowNanos, random);
    if (input instanceof Input.Start) {
      s.start();
    } else if (input instanceof Input.CloseRequested close) {
      s.close(close.reason());
    } else if (input instanceof Input.BackoffElapsed elapsed) {
      s.backoffElapsed(elapsed.attemptId());
    } else if (input instanceof Input.ChannelOpened opened) {
      s.opened(opened.attemptId());
    } else if (input instanceof Input.ChannelOpenFailed failed) {
      s.openFailed(failed.attemptId(), failed.cause());
    } else if (input instanceof Input.HandshakeSucceeded ok) {
      s.handshakeSucceeded(ok.attemptId());
    } else if (input instanceof Input.HandshakeFailed failed) {
      s.handshakeFailed(failed.attemptId(), failed.cause());
    } else if (input instanceof Input.ConnectTimedOut timeout) {
      s.connectTimedOut(timeout.attemptId());
    } else if (input instanceof Input.ChannelLost lost) {
      s.lost(lost.channelId(), lost.cause());
    } else {
      throw new AssertionError("unknown input " + input);
    }
    return s.result();
  }

  /** Up to four effects in fields; {@link #toList()} makes the one immutable list. */
  private static final class EffectList {
    private Effect e0;
    private Effect e1;
    private Effect e2;
    private Effect e3;
    private int size;

    void add(Effect e) {
      switch (size++) {
        case 0 -> e0 = e;
        case 1 -> e1 = e;
        case 2 -> e2 = e;
        case 3 -> e3 = e;
        default -> throw new IllegalStateException("more than four effects in one step");
      }
    }

    List<Effect> toList() {
      return switch (size) {
        case 0 -> List.of();
        case 1 -> List.of(e0);
        case 2 -> List.of(e0, e1);
        case 3 -> List.of(e0, e1, e2);
        default -> List.of(e0, e1, e2, e3);
      };
    }
  }

  /** One transition under construction; confined to a single {@code step} call. */
  private final class Step {
    private final long nowNanos;
    private final double random;
    private Stage stage;
    private long lastAttemptId;
    private long lastEpoch;
    // At most four effects per step (cancel, close, emit, start timer), kept in fields so that a
    // step allocates one small immutable list and no growable buffer.
    private final EffectList effects = new EffectList();

    Step(MachineState state, long nowNanos, double random) {
      this.stage = state.stage();
      this.lastAttemptId = state.lastAttemptId();
      this.lastEpoch = state.lastEpoch();
      this.nowNanos = nowNanos;
      this.random = random;
    }

    Transition result() {
      return new Transition(new MachineState(stage, lastAttemptId, lastEpoch), effects.toList());
    }

    void start() {
      if (!(stage instanceof Stage.NotStarted)) {
        return;
      }
      Attempt first =
          new Attempt(
              ++lastAttemptId,
              false,
              1,
              policy.maxAttempts(),
              Duration.ZERO,
              Optional.empty(),
              nowNanos);
      effects.add(new Emit(first.event()));
      open(first);
    }

    void close(String reason) {
      if (stage instanceof Stage.Waiting w) {
        effects.add(new CancelTimer(TimerKind.BACKOFF, w.attempt().id()));
      } else if (stage instanceof Stage.Opening o) {
        abandon(o.attempt());
      } else if (stage instanceof Stage.Handshaking h) {
        abandon(h.attempt());
      } else if (stage instanceof Stage.Up up) {
        effects.add(new CloseChannel(up.channelId()));
      } else if (stage instanceof Stage.Ended) {
        return;
      }
      end(new LifecycleEvent.Closed(reason));
    }

    void backoffElapsed(long attemptId) {
      if (stage instanceof Stage.Waiting w && w.attempt().id() == attemptId) {
        open(w.attempt());
      }
    }

    void opened(long attemptId) {
      if (stage instanceof Stage.Opening o && o.attempt().id() == attemptId) {
        if (handshake) {
          stage = new Stage.Handshaking(o.attempt());
          effects.add(new StartHandshake(attemptId));
        } else {
          up(o.attempt());
        }
      } else {
        // Too late: the attempt was abandoned (timeout, close) or superseded. Never keep it (I5).
        effects.add(new CloseChannel(attemptId));
      }
    }

    void openFailed(long attemptId, Cause cause) {
      if (stage instanceof Stage.Opening o && o.attempt().id() == attemptId) {
        effects.add(new CancelTimer(TimerKind.CONNECT_TIMEOUT, attemptId));
        fail(o.attempt(), cause);
      }
    }

    void handshakeSucceeded(long attemptId) {
      if (stage instanceof Stage.Handshaking h && h.attempt().id() == attemptId) {
        up(h.attempt());
      }
    }

    void handshakeFailed(long attemptId, Cause cause) {
      if (stage instanceof Stage.Handshaking h && h.attempt().id() == attemptId) {
        abandon(h.attempt());
        fail(h.attempt(), cause);
      }
    }

    void connectTimedOut(long attemptId) {
      Attempt a = connectingAttempt();
      if (a != null && a.id() == attemptId) {
        effects.add(new CloseChannel(attemptId));
        fail(
            a,
            Cause.of(
                Cause.Kind.CONNECT_TIMEOUT,
                "attempt " + a.number() + " did not connect within " + policy.connectTimeout()));
      }
    }

    void lost(long channelId, Cause cause) {
      if (stage instanceof Stage.Up up && up.channelId() == channelId) {
        effects.add(new CloseChannel(channelId));
        retry(true, 1, Optional.of(cause), nowNanos);
      } else if (stage instanceof Stage.Handshaking h && h.attempt().id() == channelId) {
        abandon(h.attempt());
        fail(h.attempt(), cause);
      }
    }

    private Attempt connectingAttempt() {
      if (stage instanceof Stage.Opening o) {
        return o.attempt();
      }
      if (stage instanceof Stage.Handshaking h) {
        return h.attempt();
      }
      return null;
    }

    private void open(Attempt a) {
      stage = new Stage.Opening(a);
      effects.add(new OpenChannel(a.id()));
      effects.add(new StartTimer(TimerKind.CONNECT_TIMEOUT, a.id(), policy.connectTimeout()));
    }

    /** Stops an attempt whose channel is opening or open: its timer and its channel. */
    private void abandon(Attempt a) {
      effects.add(new CancelTimer(TimerKind.CONNECT_TIMEOUT, a.id()));
      effects.add(new CloseChannel(a.id()));
    }

    private void up(Attempt a) {
      effects.add(new CancelTimer(TimerKind.CONNECT_TIMEOUT, a.id()));
      long epoch = ++lastEpoch;
      stage = new Stage.Up(epoch, a.id());
      LifecycleEvent event =
          a.reconnect()
              ? new LifecycleEvent.Reconnected(
                  epoch, a.number(), Duration.ofNanos(Math.max(0, nowNanos - a.outageStartNanos())))
              : new LifecycleEvent.Connected(epoch);
      effects.add(new Emit(event));
    }

    private void fail(Attempt a, Cause cause) {
      boolean failFast = !a.reconnect() && a.number() == 1 && policy.failFastOnFirstConnect();
      int next = a.number() + 1;
      if (failFast || !policy.allowsAttempt(next)) {
        end(new LifecycleEvent.PermanentlyDisconnected(cause, a.number()));
      } else {
        retry(a.reconnect(), next, Optional.of(cause), a.outageStartNanos());
      }
    }

    private void retry(boolean reconnect, int number, Optional<Cause> cause, long outageStart) {
      // Retry n of an outage is reconnect attempt n, or initial attempt n + 1.
      int retry = reconnect ? number : number - 1;
      Duration delay = policy.delay(retry, random);
      Attempt a =
          new Attempt(
              ++lastAttemptId, reconnect, number, policy.maxAttempts(), delay, cause, outageStart);
      stage = new Stage.Waiting(a);
      effects.add(new Emit(a.event()));
      effects.add(new StartTimer(TimerKind.BACKOFF, a.id(), delay));
    }

    private void end(LifecycleEvent terminal) {
      stage = new Stage.Ended(terminal.state());
      effects.add(new Emit(terminal));
    }
  }
}
