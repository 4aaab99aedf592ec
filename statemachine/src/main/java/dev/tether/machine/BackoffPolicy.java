package dev.tether.machine;

import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * How long to wait between connection attempts, how many to make, and how long one may take.
 *
 * <p>One policy governs the first connect and every reconnect; each outage starts again at retry 1.
 * Delays are either exponential ({@code initialDelay × multiplier^(n-1)}, capped at {@code
 * maxDelay}) or an explicit list (the last entry repeats). Jitter of ±{@code jitter} is applied
 * <em>after</em> the cap, so it survives at the cap instead of being clamped away (invariant I3):
 * with the defaults, a capped delay lies in [24 s, 36 s].
 *
 * <p>Defaults: exponential from 100 ms, ×2, capped at 30 s, ±20 % jitter, 10 attempts, connect
 * timeout 10 s, the first connect retries like any reconnect, and the flap guard on at more than 10
 * losses within 1 minute.
 *
 * <p><b>Flap guard (I10).</b> Attempts count per outage and start again at 1 after every reconnect,
 * so a peer that accepts and then drops every connection (a server crashing a second after each
 * start) would otherwise be retried forever, about once per first-retry delay. The flap guard
 * counts the losses of an established connection ({@code Connected} or {@code Reconnected} lost;
 * failed attempts during an outage are the retry budget's business) over a sliding window: the loss
 * that makes more than {@link #flapLimit()} of them less than {@link #flapWindow()} apart ends the
 * connection {@code PermanentlyDisconnected} with cause {@link Cause.Kind#FLAPPING}, at once,
 * without another attempt. It is on by default, deliberately generous: 11 losses in a minute mean
 * connected periods averaging under 6 s for a whole minute, which is a crash loop and not a flaky
 * but useful peer (a connection that stays up for 10 s between losses is never stopped), while
 * without the guard such a loop reconnects every few seconds for as long as the process lives.
 * Editors stop a crashing language server sooner (5 crashes in 3 minutes); ask for that with {@code
 * flapLimit(4, Duration.ofMinutes(3))}, or for the old behaviour, retrying for ever, with {@link
 * Builder#noFlapGuard()}.
 *
 * <p>Instances are immutable and thread-safe. The policy draws no random numbers itself: callers
 * pass the draw, which is what makes simulations replayable.
 */
public final class BackoffPolicy {

  /** Default first delay. */
  public static final Duration DEFAULT_INITIAL_DELAY = Duration.ofMillis(100);

  /** Default growth factor between consecutive delays. */
  public static final double DEFAULT_MULTIPLIER = 2.0;

  /** Default cap on the un-jittered delay. */
  public static final Duration DEFAULT_MAX_DELAY = Duration.ofSeconds(30);

  /** Default jitter fraction: each delay varies by up to ±20 %. */
  public static final double DEFAULT_JITTER = 0.2;

  /** Default number of attempts per outage (and for the initial connect). */
  public static final int DEFAULT_MAX_ATTEMPTS = 10;

  /** Default time allowed for one attempt to open its channel and finish its handshake. */
  public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(10);

  /**
   * Default flap limit: the connection ends at the 11th loss of an established connection within
   * {@link #DEFAULT_FLAP_WINDOW} (see the class documentation for why these numbers).
   */
  public static final int DEFAULT_FLAP_LIMIT = 10;

  /** Default flap window: losses less than a minute apart count together. */
  public static final Duration DEFAULT_FLAP_WINDOW = Duration.ofMinutes(1);

  /**
   * Largest flap limit the policy accepts. The machine keeps the time of each loss the limit
   * tolerates, so this bounds its state; a limit beyond it is no guard at all ({@link
   * Builder#noFlapGuard()} says so plainly).
   */
  public static final int MAX_FLAP_LIMIT = 1_000;

  /**
   * Longest delay the policy accepts; keeps nanosecond arithmetic far from overflow and catches
   * unit mistakes (a delay given in millis where seconds were meant).
   */
  public static final Duration MAX_CONFIGURABLE_DELAY = Duration.ofDays(1);

  private static final BackoffPolicy DEFAULTS = builder().build();

  /**
   * Most exponential base delays computed when the policy is built: more than the default policy's
   * 10 below its cap, and few enough (≤ 264 B per policy) for a policy built per connection.
   */
  private static final int MAX_PRECOMPUTED = 32;

  private static final double[] NONE = {};

  private final Duration initialDelay;
  private final double multiplier;
  private final Duration maxDelay;
  private final List<Duration> delays;
  private final double jitter;
  private final int maxAttempts;
  private final Duration connectTimeout;
  private final boolean failFastOnFirstConnect;
  private final int flapLimit;
  private final Duration flapWindow;
  // Built once per policy, not per connection: every connection's machine names it on a timeout,
  // and B5 counts each connection's own bytes.
  private final Cause connectTimeoutCause;
  // baseNanos(n) of exponential delays for retry n = 1, 2, … up to the first that reaches the cap
  // (every later one is the cap: the multiplier is >= 1) or MAX_PRECOMPUTED; empty for explicit
  // delays. The same expression, so the same doubles: traces do not change. A Math.pow per retry
  // was the costliest call of a failed attempt's step (TransitionBenchmark.tetherStep, B1).
  private final double[] exponentialNanos;

  private BackoffPolicy(Builder b) {
    this.initialDelay = b.initialDelay;
    this.multiplier = b.multiplier;
    this.maxDelay = b.maxDelay;
    this.delays = b.delays;
    this.jitter = b.jitter;
    this.maxAttempts = b.maxAttempts;
    this.connectTimeout = b.connectTimeout;
    this.failFastOnFirstConnect = b.failFastOnFirstConnect;
    this.flapLimit = b.flapLimit;
    this.flapWindow = b.flapWindow;
    this.connectTimeoutCause =
        Cause.of(Cause.Kind.CONNECT_TIMEOUT, "did not connect within " + connectTimeout);
    this.exponentialNanos = delays.isEmpty() ? precomputed() : NONE;
  }

  private double[] precomputed() {
    double cap = maxDelay.toNanos();
    int n = 1;
    while (n < MAX_PRECOMPUTED && computedNanos(n) < cap) {
      n++;
    }
    double[] table = new double[n];
    for (int retry = 1; retry <= n; retry++) {
      table[retry - 1] = computedNanos(retry);
    }
    return table;
  }

  /** The cause of an attempt that did not connect within {@link #connectTimeout()}. */
  Cause connectTimeoutCause() {
    return connectTimeoutCause;
  }

  /** The default policy (see the class documentation). */
  public static BackoffPolicy defaults() {
    return DEFAULTS;
  }

  /** A builder starting from the defaults. */
  public static Builder builder() {
    return new Builder();
  }

  /** Attempts per outage, or {@link ConnectionState#UNLIMITED}. */
  public int maxAttempts() {
    return maxAttempts;
  }

  /** Time allowed for one attempt to open and complete its handshake. */
  public Duration connectTimeout() {
    return connectTimeout;
  }

  /** Whether a failed first attempt of the initial connect ends the connection at once. */
  public boolean failFastOnFirstConnect() {
    return failFastOnFirstConnect;
  }

  /**
   * Losses of an established connection tolerated within {@link #flapWindow()}; the next one ends
   * the connection with cause {@link Cause.Kind#FLAPPING}. {@link ConnectionState#UNLIMITED} when
   * the flap guard is off.
   */
  public int flapLimit() {
    return flapLimit;
  }

  /**
   * How close together losses must be to count together for the flap guard: a loss counts while
   * less than this has passed since it. {@link Duration#ZERO} when the flap guard is off.
   */
  public Duration flapWindow() {
    return flapWindow;
  }

  /** Whether the flap guard is on. */
  public boolean hasFlapGuard() {
    return flapLimit != ConnectionState.UNLIMITED;
  }

  /** The jitter fraction in [0, 1). */
  public double jitter() {
    return jitter;
  }

  /**
   * The first un-jittered delay of exponential delays (ignored when {@link #delays()} is set): with
   * {@link #multiplier()} and {@link #delayCap()}, the parameters an independent check of I3
   * computes its bounds from.
   */
  public Duration initialDelay() {
    return initialDelay;
  }

  /** The growth factor of exponential delays (ignored when {@link #delays()} is set). */
  public double multiplier() {
    return multiplier;
  }

  /** The cap on un-jittered exponential delays ({@code maxDelay} of the builder). */
  public Duration delayCap() {
    return maxDelay;
  }

  /** The explicit delays (retry n waits entry n, the last repeats), or empty if exponential. */
  public List<Duration> delays() {
    return delays;
  }

  /** Whether attempt number {@code attempt} (1-based) is allowed. */
  public boolean allowsAttempt(int attempt) {
    return maxAttempts == ConnectionState.UNLIMITED || attempt <= maxAttempts;
  }

  /**
   * The delay before retry {@code retry} (1-based) of an outage.
   *
   * @param retry 1 for the first retry of an outage
   * @param random a uniform draw in [0, 1); 0.5 gives the un-jittered delay
   * @throws IllegalArgumentException if {@code retry < 1} or {@code random} is outside [0, 1)
   */
  public Duration delay(int retry, double random) {
    if (!(random >= 0.0 && random < 1.0)) {
      throw new IllegalArgumentException("random must be in [0, 1), was " + random);
    }
    double base = baseNanos(retry);
    double factor = 1.0 + jitter * (2.0 * random - 1.0);
    return Duration.ofNanos(Math.round(base * factor));
  }

  /** The smallest delay {@link #delay} can return for {@code retry}. */
  public Duration minDelay(int retry) {
    return Duration.ofNanos((long) Math.floor(baseNanos(retry) * (1.0 - jitter)));
  }

  /** The largest delay {@link #delay} can return for {@code retry}. */
  public Duration maxDelay(int retry) {
    return Duration.ofNanos((long) Math.ceil(baseNanos(retry) * (1.0 + jitter)));
  }

  private double baseNanos(int retry) {
    if (retry < 1) {
      throw new IllegalArgumentException("retry must be >= 1, was " + retry);
    }
    if (!delays.isEmpty()) {
      return delays.get(Math.min(retry, delays.size()) - 1).toNanos();
    }
    double[] table = exponentialNanos;
    if (retry <= table.length) {
      return table[retry - 1];
    }
    double last = table[table.length - 1];
    return last >= maxDelay.toNanos() ? last : computedNanos(retry);
  }

  private double computedNanos(int retry) {
    double grown = initialDelay.toNanos() * Math.pow(multiplier, retry - 1.0);
    return Math.min(grown, (double) maxDelay.toNanos());
  }

  @Override
  public String toString() {
    String shape =
        delays.isEmpty()
            ? "exponential(" + initialDelay + " x" + multiplier + " max " + maxDelay + ")"
            : "delays" + delays;
    return "BackoffPolicy["
        + shape
        + ", jitter="
        + jitter
        + ", maxAttempts="
        + (maxAttempts == ConnectionState.UNLIMITED ? "unlimited" : maxAttempts)
        + ", connectTimeout="
        + connectTimeout
        + (failFastOnFirstConnect ? ", failFastOnFirstConnect" : "")
        + (hasFlapGuard() ? ", flapLimit=" + flapLimit + " per " + flapWindow : ", noFlapGuard")
        + "]";
  }

  /**
   * Builds a {@link BackoffPolicy}. Each setter validates its argument at once; {@link #build()}
   * rejects conflicting combinations. Not thread-safe.
   */
  public static final class Builder {
    private Duration initialDelay = DEFAULT_INITIAL_DELAY;
    private double multiplier = DEFAULT_MULTIPLIER;
    private Duration maxDelay = DEFAULT_MAX_DELAY;
    private List<Duration> delays = List.of();
    private boolean exponentialSet;
    private double jitter = DEFAULT_JITTER;
    private int maxAttempts = DEFAULT_MAX_ATTEMPTS;
    private Duration connectTimeout = DEFAULT_CONNECT_TIMEOUT;
    private boolean failFastOnFirstConnect;
    private int flapLimit = DEFAULT_FLAP_LIMIT;
    private Duration flapWindow = DEFAULT_FLAP_WINDOW;

    private Builder() {}

    /**
     * Exponential delays: {@code initialDelay × multiplier^(n-1)}, capped at {@code maxDelay}.
     *
     * @throws IllegalArgumentException if a delay is negative or too long, the multiplier is below
     *     1, or {@code maxDelay < initialDelay}
     */
    public Builder exponential(Duration initialDelay, double multiplier, Duration maxDelay) {
      this.initialDelay = delayArg("initialDelay", initialDelay);
      this.maxDelay = delayArg("maxDelay", maxDelay);
      if (!(multiplier >= 1.0) || Double.isInfinite(multiplier)) {
        throw new IllegalArgumentException("multiplier must be finite and >= 1, was " + multiplier);
      }
      if (maxDelay.compareTo(initialDelay) < 0) {
        throw new IllegalArgumentException(
            "maxDelay (" + maxDelay + ") must not be below initialDelay (" + initialDelay + ")");
      }
      this.multiplier = multiplier;
      this.exponentialSet = true;
      return this;
    }

    /**
     * Explicit delays: retry n waits {@code delays[n-1]}; the last entry repeats.
     *
     * @throws IllegalArgumentException if the list is empty or holds a negative or too-long delay
     */
    public Builder delays(List<Duration> delays) {
      Objects.requireNonNull(delays, "delays");
      if (delays.isEmpty()) {
        throw new IllegalArgumentException("delays must not be empty");
      }
      for (int i = 0; i < delays.size(); i++) {
        delayArg("delays[" + i + "]", delays.get(i));
      }
      this.delays = List.copyOf(delays);
      return this;
    }

    /**
     * Jitter fraction: each delay is multiplied by a factor drawn from [1 - jitter, 1 + jitter).
     *
     * @throws IllegalArgumentException if {@code jitter} is outside [0, 1)
     */
    public Builder jitter(double jitter) {
      if (!(jitter >= 0.0 && jitter < 1.0)) {
        throw new IllegalArgumentException("jitter must be in [0, 1), was " + jitter);
      }
      this.jitter = jitter;
      return this;
    }

    /**
     * Attempts per outage and for the initial connect.
     *
     * @throws IllegalArgumentException if {@code maxAttempts < 1}
     */
    public Builder maxAttempts(int maxAttempts) {
      if (maxAttempts < 1) {
        throw new IllegalArgumentException(
            "maxAttempts must be >= 1 (use unlimitedAttempts() for no limit), was " + maxAttempts);
      }
      this.maxAttempts = maxAttempts;
      return this;
    }

    /**
     * Retry without limit: no outage ends the connection. The flap guard still may; with {@link
     * #noFlapGuard()} too, the connection never becomes permanently disconnected.
     */
    public Builder unlimitedAttempts() {
      this.maxAttempts = ConnectionState.UNLIMITED;
      return this;
    }

    /**
     * Time allowed for one attempt to open its channel and finish its handshake.
     *
     * @throws IllegalArgumentException if not positive or too long
     */
    public Builder connectTimeout(Duration connectTimeout) {
      delayArg("connectTimeout", connectTimeout);
      if (connectTimeout.isZero()) {
        throw new IllegalArgumentException("connectTimeout must be positive, was 0");
      }
      this.connectTimeout = connectTimeout;
      return this;
    }

    /** When true, a failed first connect attempt ends the connection instead of retrying. */
    public Builder failFastOnFirstConnect(boolean failFast) {
      this.failFastOnFirstConnect = failFast;
      return this;
    }

    /**
     * The flap guard (I10): the loss of an established connection that makes more than {@code
     * maxLossesWithinWindow} such losses less than {@code window} apart ends the connection with
     * cause {@link Cause.Kind#FLAPPING} instead of reconnecting. Replaces {@link #noFlapGuard()}.
     *
     * @param maxLossesWithinWindow losses tolerated within the window, 1 to {@link #MAX_FLAP_LIMIT}
     * @param window how close together losses count together; positive, at most {@link
     *     #MAX_CONFIGURABLE_DELAY}
     * @throws IllegalArgumentException if either is out of range
     */
    public Builder flapLimit(int maxLossesWithinWindow, Duration window) {
      if (maxLossesWithinWindow < 1 || maxLossesWithinWindow > MAX_FLAP_LIMIT) {
        throw new IllegalArgumentException(
            "flapLimit maxLossesWithinWindow must be in [1, "
                + MAX_FLAP_LIMIT
                + "] (use noFlapGuard() for no limit), was "
                + maxLossesWithinWindow);
      }
      delayArg("flapLimit window", window);
      if (window.isZero()) {
        throw new IllegalArgumentException("flapLimit window must be positive, was 0");
      }
      this.flapLimit = maxLossesWithinWindow;
      this.flapWindow = window;
      return this;
    }

    /**
     * No flap guard: a connection that keeps connecting and losing the connection reconnects for
     * ever (with {@link #unlimitedAttempts()}, the connection then never becomes permanently
     * disconnected). Replaces {@link #flapLimit}.
     */
    public Builder noFlapGuard() {
      this.flapLimit = ConnectionState.UNLIMITED;
      this.flapWindow = Duration.ZERO;
      return this;
    }

    /**
     * Builds the policy.
     *
     * @throws IllegalStateException if both {@code exponential(...)} and {@code delays(...)} were
     *     set
     */
    public BackoffPolicy build() {
      if (exponentialSet && !delays.isEmpty()) {
        throw new IllegalStateException(
            "exponential(...) and delays(...) are alternatives; set only one");
      }
      return new BackoffPolicy(this);
    }

    private static Duration delayArg(String name, Duration d) {
      Objects.requireNonNull(d, name);
      if (d.isNegative()) {
        throw new IllegalArgumentException(name + " must not be negative, was " + d);
      }
      if (d.compareTo(MAX_CONFIGURABLE_DELAY) > 0) {
        throw new IllegalArgumentException(
            name + " must be at most " + MAX_CONFIGURABLE_DELAY + ", was " + d);
      }
      return d;
    }
  }
}
