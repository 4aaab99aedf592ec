package dev.tether.stub.sim;

import dev.tether.machine.BackoffPolicy;
import dev.tether.machine.Cause;
import dev.tether.machine.ConnectionState;
import dev.tether.machine.LifecycleEvent;
import dev.tether.machine.Verdict;
import java.time.Duration;
import java.util.List;

/**
 * The connection invariants of DESIGN.md as {@link Oracle oracles}: I1, I2, I3 (announced delays
 * and actual waits), I4, I5, I8, I10, R4, and state against link. I9 (determinism) is checked by
 * comparing {@link SimulationResult#traceHash()} of two runs.
 *
 * <p>The factories are thread-safe. {@link #flapGuard()}, {@link #retryWaits()} and {@link
 * #stateAgainstLink()} remember per-session history, so give every simulation its own ({@link
 * #standard()} builds new ones on every call); the others are stateless.
 */
public final class Oracles {
  private Oracles() {}

  /**
   * Every connection oracle: I1, I2, I3 (both), I4, I5 (both halves), I8, I10, R4 and state against
   * link (new instances on every call).
   */
  public static List<Oracle> standard() {
    return List.of(
        terminalDelivery(),
        validPaths(),
        boundedRetries(),
        retryWaits(),
        quiescence(),
        oneLiveChannel(),
        lateCallbacks(),
        liveness(),
        flapGuard(),
        readBackpressure(),
        stateAgainstLink());
  }

  /**
   * How long a connection may still report {@code Connected} after its channel ended (for any
   * cause: closed, dropped, partitioned, crashed), or after a half-open channel's detection bound
   * ({@link SessionView#halfOpenDetectionBound()}) has passed. The stub network tells the client at
   * once, so this is slack for the driver's own hop, not a tolerance for missing the loss.
   */
  public static final Duration LINK_LOSS_BOUND = Duration.ofSeconds(1);

  /**
   * State against link: a session that reports {@code Connected} has exactly one open channel, and
   * it is not half-open past the session's detection bound; a channel lost for any cause leads the
   * connection out of {@code Connected} (to {@code Reconnecting} or an end) within {@link
   * #LINK_LOSS_BOUND}. Remembers since when each session's state and link disagree (one new oracle
   * per simulation; not thread-safe).
   */
  public static Oracle stateAgainstLink() {
    return new StateAgainstLinkOracle();
  }

  /**
   * I3, the part the announced delays cannot show: each attempt starts exactly its announced delay
   * after it was announced ({@code Connecting}/{@code Reconnecting}), on the simulation's clock;
   * earlier only at the moment the user asked to retry now. Every announced attempt starts once
   * before the next is announced. Needs {@link SessionView#lastAttemptStart()}; skipped for views
   * without it. Remembers each session's announced attempt (one new oracle per simulation; not
   * thread-safe).
   */
  public static Oracle retryWaits() {
    return new RetryWaitOracle();
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

  /**
   * I3: attempt ≤ maxAttempts and each announced delay lies within the bounds computed here from
   * the policy's parameters (not by the policy's own code): for retry n the un-jittered delay is
   * the n-th explicit delay (the last repeating) or {@code initialDelay × multiplier^(n-1)} capped,
   * and the delay lies within ±jitter of it. The one exception: the first retry of an outage after
   * a failure the session's classifier judges {@link Verdict#RETRY_PROMPTLY} must wait no delay.
   */
  public static Oracle boundedRetries() {
    return new Oracle() {
      @Override
      public String invariant() {
        return "I3";
      }

      @Override
      public String onEvent(SessionView s, LifecycleEvent prev, LifecycleEvent e) {
        if (e instanceof LifecycleEvent.Connecting c) {
          boolean promptly = c.lastFailure().map(x -> prompt(s, x)).orElse(false);
          return delayWithin(s.policy(), c.attempt(), c.attempt() - 1, c.delay(), promptly);
        }
        if (e instanceof LifecycleEvent.Reconnecting r) {
          return delayWithin(s.policy(), r.attempt(), r.attempt(), r.delay(), prompt(s, r.cause()));
        }
        return null;
      }
    };
  }

  private static boolean prompt(SessionView s, Cause cause) {
    return s.classifier().classify(cause) == Verdict.RETRY_PROMPTLY;
  }

  private static String delayWithin(
      BackoffPolicy p, int attempt, int retry, Duration delay, boolean promptly) {
    if (p.maxAttempts() != ConnectionState.UNLIMITED && attempt > p.maxAttempts()) {
      return "attempt " + attempt + " exceeds maxAttempts " + p.maxAttempts();
    }
    if (retry == 0) {
      return delay.isZero() ? null : "first attempt has delay " + delay;
    }
    if (retry == 1 && promptly) {
      return delay.isZero() ? null : "first retry after a prompt-retry failure has delay " + delay;
    }
    double base = unjittered(p, retry);
    // ±1 ns: the policy rounds to whole nanoseconds; this computes in doubles of its own.
    long min = (long) Math.floor(base * (1.0 - p.jitter())) - 1;
    long max = (long) Math.ceil(base * (1.0 + p.jitter())) + 1;
    long nanos = delay.toNanos();
    if (nanos < min || nanos > max) {
      return "delay "
          + delay
          + " of retry "
          + retry
          + " outside ["
          + Duration.ofNanos(min)
          + ", "
          + Duration.ofNanos(max)
          + "] ("
          + p
          + ")";
    }
    return null;
  }

  /** The un-jittered delay of retry {@code retry} in nanoseconds, from the policy's parameters. */
  static double unjittered(BackoffPolicy p, int retry) {
    List<Duration> explicit = p.delays();
    if (!explicit.isEmpty()) {
      return explicit.get(Math.min(retry, explicit.size()) - 1).toNanos();
    }
    double cap = p.delayCap().toNanos();
    double d = p.initialDelay().toNanos();
    for (int i = 1; i < retry && d < cap; i++) {
      d *= p.multiplier();
    }
    return Math.min(d, cap);
  }

  /**
   * I4: when the terminal event is emitted, the machine has cancelled every timer it started and
   * closed every channel (seen at the emit itself, before the connection's clean-up could hide a
   * leak); after it, no open channel, no live timer, no further event; at the end of the run no
   * live timer anywhere (checked by the simulation on its scheduler). Abandoned opens count too: a
   * channel the server accepts after the client gave its attempt up (or ended) must be closed by
   * the client at once ({@link SessionView#lateAcceptLeak()}); an open the server never answers is
   * no leak (the transport SPI has no cancel), only counted in {@link Coverage#abandonedOpens()}.
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
        String leak = s.lateAcceptLeak();
        if (leak != null) {
          return leak;
        }
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

  /** I5, its first half: at most one open channel per connection after every step. */
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
   * I5, its second half: late callbacks from an earlier attempt never change state. While the
   * connection handles a callback of an open whose attempt it already gave up (the open's late
   * completion, its handshake's late success, a frame or the end of its channel), it emits no
   * lifecycle event and hands no frame to the user ({@link SessionView#lateCallbackEffect()}):
   * checked at the emit itself and after every step.
   */
  public static Oracle lateCallbacks() {
    return new Oracle() {
      @Override
      public String invariant() {
        return "I5";
      }

      @Override
      public String onEmit(SessionView s, LifecycleEvent e) {
        return s.lateCallbackEffect();
      }

      @Override
      public String onCheck(SessionView s) {
        return s.lateCallbackEffect();
      }
    };
  }

  /**
   * I8: {@code PermanentlyDisconnected} is legitimate only when the retry budget is spent (the last
   * allowed attempt failed, or the first connect failed with fail-fast on), or the cause is final
   * ({@code FATAL}) or {@code FLAPPING}: checked at every terminal event, in every regime. And once
   * the network has healed (every fault over, so some endpoint of the session is reachable through
   * its resolver: a server that moved has been announced) and the recovery bound has passed, the
   * connection is Connected, or has ended (legitimately, by the first check), or was closed by the
   * user. A liveness run too short for the bound checks nothing: see {@link
   * Regime#livenessUnchecked}.
   */
  public static Oracle liveness() {
    return new Oracle() {
      @Override
      public String invariant() {
        return "I8";
      }

      @Override
      public String onEmit(SessionView s, LifecycleEvent e) {
        return e instanceof LifecycleEvent.PermanentlyDisconnected pd ? givenUp(s, pd) : null;
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

  /** Null if ending {@code pd} is legitimate (see {@link #liveness()}), else why not. */
  private static String givenUp(SessionView s, LifecycleEvent.PermanentlyDisconnected pd) {
    Cause.Kind kind = pd.cause().kind();
    if (kind == Cause.Kind.FATAL || kind == Cause.Kind.FLAPPING) {
      return null;
    }
    BackoffPolicy p = s.policy();
    int spent = pd.attempts();
    if (p.maxAttempts() != ConnectionState.UNLIMITED && spent == p.maxAttempts()) {
      return null;
    }
    boolean initial = s.lastAttemptStart().map(a -> !a.reconnect()).orElse(true);
    if (p.failFastOnFirstConnect() && spent == 1 && initial) {
      return null;
    }
    return "gave up after attempt "
        + spent
        + " of "
        + (p.maxAttempts() == ConnectionState.UNLIMITED ? "unlimited" : p.maxAttempts())
        + " with a failure worth retrying: "
        + pd;
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
        // A final failure ends an established connection at its loss too, or the attempt it met.
        if (pd.cause().kind() == Cause.Kind.FATAL && isUp(prev)) {
          return pd.attempts() == 0 ? null : bad(prev, e);
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
