package dev.tether.stub;

import java.time.Duration;
import java.util.Objects;
import java.util.random.RandomGenerator;

/**
 * A latency distribution for a simulated link: each call draws the time one connect takes. Draws
 * come from an injected random source so that a seed replays exactly.
 *
 * <p>Implementations are used from the scheduler's thread only.
 */
@FunctionalInterface
public interface Latency {

  /** Draws the next latency; never negative. */
  Duration next();

  /** Always {@code latency}. */
  static Latency fixed(Duration latency) {
    Objects.requireNonNull(latency, "latency");
    if (latency.isNegative()) {
      throw new IllegalArgumentException("latency must not be negative, was " + latency);
    }
    return () -> latency;
  }

  /**
   * Uniform in [{@code min}, {@code max}], drawn from {@code random}.
   *
   * @throws IllegalArgumentException if {@code min} is negative or greater than {@code max}
   */
  static Latency uniform(Duration min, Duration max, RandomGenerator random) {
    Objects.requireNonNull(random, "random");
    long lo = min.toNanos();
    long hi = max.toNanos();
    if (lo < 0 || lo > hi) {
      throw new IllegalArgumentException("need 0 <= min <= max, was min=" + min + " max=" + max);
    }
    return () -> Duration.ofNanos(lo == hi ? lo : random.nextLong(lo, hi + 1));
  }
}
