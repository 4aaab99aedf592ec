package dev.tether.stub.sim;

import java.util.Locale;

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
