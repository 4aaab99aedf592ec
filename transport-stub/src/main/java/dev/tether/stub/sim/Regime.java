package dev.tether.stub.sim;

import dev.tether.machine.BackoffPolicy;
import java.time.Duration;
import java.util.Locale;
import java.util.Optional;

/**
 * How faults are spread over a run. {@link #SAFETY}: random faults over the whole run, each healing
 * after its window; the oracles check safety invariants. {@link #LIVENESS}: faults stop at the heal
 * time (half the run) and every connection must recover (I8).
 */
public enum Regime {
  /** Faults throughout; each heals. */
  SAFETY,
  /** Faults only in the first half; then the network stays healthy and I8 is checked. */
  LIVENESS;

  /** The simulated time after which a liveness run has no faults. */
  public long healMillis(long durationMillis) {
    return this == LIVENESS ? durationMillis / 2 : durationMillis;
  }

  /**
   * Why a run of {@code duration} in this regime cannot check liveness (I8) for a connection with
   * {@code policy}: the network heals at {@link #healMillis}, and the connection is held to be
   * {@code Connected} only once its {@link Oracles#recoveryBound recovery bound} has passed since,
   * which must happen before the run ends. A run too short for that would pass with nothing
   * checked; callers (the CLI) refuse it with this reason instead.
   *
   * @param duration the run's length
   * @param policy a session's backoff policy
   * @return empty if I8 is checked, and always for {@link #SAFETY} (which checks no liveness);
   *     otherwise the reason, naming the heal time, the bound and the shortest run that fits
   */
  public Optional<String> livenessUnchecked(Duration duration, BackoffPolicy policy) {
    if (this != LIVENESS) {
      return Optional.empty();
    }
    Duration heal = Duration.ofMillis(healMillis(duration.toMillis()));
    Duration bound = Oracles.recoveryBound(policy);
    if (livenessFits(heal, bound, duration)) {
      return Optional.empty();
    }
    long shortest = shortestRun(bound).toSeconds();
    return Optional.of(
        "liveness (I8) cannot be checked: the faults heal at "
            + seconds(heal)
            + " and a connection with "
            + policy
            + " may need up to "
            + seconds(bound)
            + " to recover (connect timeout + longest backoff delay + "
            + seconds(Oracles.LATENCY_SLACK)
            + " slack), which does not fit in a run of "
            + seconds(duration)
            + "; run at least "
            + shortest
            + "s");
  }

  /**
   * The shortest run, in whole seconds, whose liveness check for a connection with {@code policy}
   * lies inside it: the one figure both {@link #livenessUnchecked} and {@code tether simulate}'s
   * refusal name.
   */
  public static Duration shortestLivenessRun(BackoffPolicy policy) {
    return shortestRun(Oracles.recoveryBound(policy));
  }

  private static Duration shortestRun(Duration bound) {
    // heal is half the run: 2 × bound is just short; the search ends within a few seconds after.
    Duration d = Duration.ofSeconds(Math.max(1, 2 * bound.toSeconds() - 2));
    while (!livenessFits(Duration.ofMillis(LIVENESS.healMillis(d.toMillis())), bound, d)) {
      d = d.plusSeconds(1);
    }
    return d;
  }

  /** Whether the liveness check at {@code heal + bound} lies inside a run of {@code duration}. */
  static boolean livenessFits(Duration heal, Duration bound, Duration duration) {
    return heal.plus(bound).toNanos() < duration.toNanos() - 1;
  }

  private static String seconds(Duration d) {
    return d.toMillis() % 1000 == 0 ? d.toSeconds() + "s" : d.toMillis() / 1000.0 + "s";
  }

  /**
   * The regime named {@code name} (safety or liveness, case-insensitive).
   *
   * @throws IllegalArgumentException if there is no such regime
   */
  public static Regime parse(String name) {
    for (Regime r : values()) {
      if (r.name().equalsIgnoreCase(name)) {
        return r;
      }
    }
    throw new IllegalArgumentException("unknown regime '" + name + "', expected safety|liveness");
  }

  @Override
  public String toString() {
    return name().toLowerCase(Locale.ROOT);
  }
}
