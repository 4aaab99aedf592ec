package dev.tether.stub.sim;

import dev.tether.machine.BackoffPolicy;
import dev.tether.machine.Cause;
import dev.tether.machine.ConnectionState;
import dev.tether.machine.LifecycleEvent;
import java.time.Duration;
import java.util.List;

/**
 * The connection invariants of DESIGN.md as {@link Oracle oracles}: I1, I2, I3, I4, I5, I8, I10 and
 * R4. I9 (determinism) is checked by comparing {@link SimulationResult#traceHash()} of two runs.
 *
 * <p>The factories are thread-safe. Each oracle but {@link #flapGuard()} is stateless; that one
 * remembers each session's recent losses, so give every simulation its own ({@link #standard()}
 * builds new ones on every call).
 */
public final class Oracles {
  private Oracles() {}

  /** Every connection oracle: I1, I2, I3, I4, I5, I8, I10, R4 (new instances on every call). */
  public static List<Oracle> standard() {
    return List.of(
        terminalDelivery(),
        validPaths(),
        boundedRetries(),
        quiescence(),
        oneLiveChannel(),
        liveness(),
        flapGuard(),
        readBackpressure());
  }

  /**
   * I10: at every loss of an established connection, with the session's flap guard on, the
   * connection ends {@code PermanentlyDisconnected(FLAPPING)} exactly when this loss makes more
   * than the policy's limit within its window, and reconnects otherwise; with the guard off it
   * never ends {@code FLAPPING}. Keeps the times of each session's recent losses (one new oracle
   * per simulation; not thread-safe).
   */
  public static Oracle flapGuard() {
    return new FlapGuardOracle();
  }

  /**
   * R4: the frames the client holds (received, not yet handled by its consumer) never exceed its
   * bound, however slow the consumer: the client stops reading instead.
   */
  public static Oracle readBackpressure() {
    return new Oracle() {
      @Override
      public String invariant() {
        return "R4";
      }

      @Override
      public String onCheck(SessionView s) {
        return s.framesHeld() <= s.maxFramesHeld()
            ? null
            : "the client holds " + s.framesHeld() + " frames, bound " + s.maxFramesHeld();
      }
    };
  }

  /**
   * I1: when the connection is terminal, the subscriber got exactly one terminal event, as its last
   * event (checked at the end of the run, after the simulation's own late subscriber was served).
   */
  public static Oracle terminalDelivery() {
    return new Oracle() {
      @Override
      public String invariant() {
        return "I1";
      }

      @Override
      public String atEnd(SessionView s) {
        ConnectionState state = s.connection().state();
        if (!state.isTerminal()) {
          return null;
        }
        LifecycleEvent last = s.lastEvent();
        if (s.terminalEvents() != 1 || last == null || !last.isTerminal()) {
          return "connection is "
              + state.label()
              + " but the subscriber received "
              + s.terminalEvents()
              + " terminal events, last event "
              + last;
        }
        return null;
      }
    };
  }

  /**
   * I2: every event sequence is a path of the transition graph; attempts within an outage count 1,
   * 2, 3, … and restart at 1 after a reconnect.
   */
  public static Oracle validPaths() {
    return new Oracle() {
      @Override
      public String invariant() {
        return "I2";
      }

      @Override
      public String onEvent(SessionView s, LifecycleEvent prev, LifecycleEvent e) {
        return Paths.check(prev, e);
      }
    };
  }

  /** I3: attempt ≤ maxAttempts and each delay lies within the policy's bounds for its retry. */
  public static Oracle boundedRetries() {
    return new Oracle() {
      @Override
      public String invariant() {
        return "I3";
      }

      @Override
      public String onEvent(SessionView s, LifecycleEvent prev, LifecycleEvent e) {
        if (e instanceof LifecycleEvent.Connecting c) {
          return delayWithin(s.policy(), c.attempt(), c.attempt() - 1, c.delay());
        }
        if (e instanceof LifecycleEvent.Reconnecting r) {
          return delayWithin(s.policy(), r.attempt(), r.attempt(), r.delay());
        }
        return null;
      }
    };
  }

  private static String delayWithin(BackoffPolicy p, int attempt, int retry, Duration delay) {
    if (!p.allowsAttempt(attempt)) {
      return "attempt " + attempt + " exceeds maxAttempts " + p.maxAttempts();
    }
    if (retry == 0) {
      return delay.isZero() ? null : "first attempt has delay " + delay;
    }
    Duration min = p.minDelay(retry);
    Duration max = p.maxDelay(retry);
    if (delay.compareTo(min) < 0 || delay.compareTo(max) > 0) {
      return "delay " + delay + " of retry " + retry + " outside [" + min + ", " + max + "]";
    }
    return null;
  }

  /**
   * I4: when the terminal event is emitted, the machine has cancelled every timer it started and
   * closed every channel (seen at the emit itself, before the connection's clean-up could hide a
   * leak); after it, no open channel, no live timer, no further event; at the end of the run no
   * live timer anywhere (checked by the simulation on its scheduler).
   */
  public static Oracle quiescence() {
    return new Oracle() {
      @Override
      public String invariant() {
        return "I4";
      }

      @Override
      public String onEmit(SessionView s, LifecycleEvent e) {
        if (!e.isTerminal()) {
          return null;
        }
        if (s.liveTimers() != 0) {
          return s.liveTimers() + " timer(s) still live when " + e + " was emitted";
        }
        return s.endpoint().openCount() != 0
            ? s.endpoint().openCount() + " channel(s) still open when " + e + " was emitted"
            : null;
      }

      @Override
      public String onEvent(SessionView s, LifecycleEvent prev, LifecycleEvent e) {
        return prev != null && prev.isTerminal() ? "event " + e + " after terminal " + prev : null;
      }

      @Override
      public String onCheck(SessionView s) {
        if (!s.connection().state().isTerminal()) {
          return null;
        }
        if (s.endpoint().openCount() != 0) {
          return s.endpoint().openCount() + " channel(s) open after " + s.connection().state();
        }
        return s.liveTimers() != 0
            ? s.liveTimers() + " timer(s) live after " + s.connection().state()
            : null;
      }
    };
  }

  /** I5: at most one open channel per connection after every step. */
  public static Oracle oneLiveChannel() {
    return new Oracle() {
      @Override
      public String invariant() {
        return "I5";
      }

      @Override
      public String onCheck(SessionView s) {
        int open = s.endpoint().openCount();
        return open > 1 ? open + " channels open at once" : null;
      }
    };
  }

  /**
   * I8: once the network has healed and the recovery bound has passed, the connection is Connected,
   * or PermanentlyDisconnected (retries ran out first), or Closed by the user.
   */
  public static Oracle liveness() {
    return new Oracle() {
      @Override
      public String invariant() {
        return "I8";
      }

      @Override
      public String afterHeal(SessionView s, long healedAtNanos) {
        ConnectionState state = s.connection().state();
        if (state instanceof ConnectionState.Connected || state.isTerminal()) {
          return null;
        }
        return "still "
            + state.label()
            + " "
            + Duration.ofNanos(s.nowNanos() - healedAtNanos)
            + " after the network healed";
      }
    };
  }

  /**
   * The recovery bound of I8 for {@code policy}: a connect that hangs until its timeout, plus the
   * longest backoff delay, plus slack for link latency.
   */
  public static Duration recoveryBound(BackoffPolicy policy) {
    Duration longest = Duration.ZERO;
    int retries = policy.maxAttempts() == ConnectionState.UNLIMITED ? 64 : policy.maxAttempts();
    for (int retry = 1; retry <= Math.min(retries, 64); retry++) {
      Duration d = policy.maxDelay(retry);
      longest = d.compareTo(longest) > 0 ? d : longest;
    }
    return policy.connectTimeout().plus(longest).plus(LATENCY_SLACK);
  }

  /** Slack for link latency in the recovery bound: far above the simulated links' 50 ms. */
  static final Duration LATENCY_SLACK = Duration.ofSeconds(1);

  /** The transition graph of I2. */
  static final class Paths {
    private Paths() {}

    static String check(LifecycleEvent prev, LifecycleEvent e) {
      if (prev == null) {
        return e instanceof LifecycleEvent.Connecting c && c.attempt() == 1
            ? null
            : "first event is " + e + ", expected Connecting attempt 1";
      }
      if (e.isTerminal()) {
        return terminal(prev, e);
      }
      if (e instanceof LifecycleEvent.Connecting c) {
        return prev instanceof LifecycleEvent.Connecting p && p.attempt() + 1 == c.attempt()
            ? null
            : bad(prev, e);
      }
      if (e instanceof LifecycleEvent.Reconnecting r) {
        boolean fresh = isUp(prev) && r.attempt() == 1;
        boolean next =
            prev instanceof LifecycleEvent.Reconnecting p && p.attempt() + 1 == r.attempt();
        return fresh || next ? null : bad(prev, e);
      }
      if (e instanceof LifecycleEvent.Connected) {
        return prev instanceof LifecycleEvent.Connecting ? null : bad(prev, e);
      }
      if (e instanceof LifecycleEvent.Reconnected up) {
        return prev instanceof LifecycleEvent.Reconnecting p && p.attempt() == up.attempts()
            ? null
            : bad(prev, e);
      }
      return bad(prev, e);
    }

    private static String terminal(LifecycleEvent prev, LifecycleEvent e) {
      if (e instanceof LifecycleEvent.PermanentlyDisconnected pd) {
        // The flap guard ends an established connection at its loss, with no attempt (I10).
        if (pd.cause().kind() == Cause.Kind.FLAPPING) {
          return isUp(prev) && pd.attempts() == 0 ? null : bad(prev, e);
        }
        int attempt = attemptOf(prev);
        return attempt == pd.attempts() ? null : bad(prev, e);
      }
      return null; // Closed may follow any non-terminal event; after a terminal one I4 reports it.
    }

    private static int attemptOf(LifecycleEvent e) {
      if (e instanceof LifecycleEvent.Connecting c) {
        return c.attempt();
      }
      if (e instanceof LifecycleEvent.Reconnecting r) {
        return r.attempt();
      }
      return -1;
    }

    private static boolean isUp(LifecycleEvent e) {
      return e instanceof LifecycleEvent.Connected || e instanceof LifecycleEvent.Reconnected;
    }

    private static String bad(LifecycleEvent prev, LifecycleEvent e) {
      return "invalid transition " + prev + " -> " + e;
    }
  }
}
