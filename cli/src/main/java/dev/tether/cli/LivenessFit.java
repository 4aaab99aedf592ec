package dev.tether.cli;

import dev.tether.machine.BackoffPolicy;
import dev.tether.stub.sim.Oracles;
import dev.tether.stub.sim.Regime;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * Whether a liveness run is long enough for I8 to be checked at all: the simulator checks a session
 * once the network has healed (half the run) and the recovery bound has passed, and only if that
 * instant lies inside the run. A run too short for it would check nothing and pass, so {@code
 * tether simulate} refuses it with the reason.
 *
 * <p>The one place the CLI computes this, from {@link Regime#healMillis} and {@link
 * Oracles#recoveryBound} of the simulator's built-in policies; when the simulator answers the
 * question itself, this class should ask it instead.
 */
final class LivenessFit {

  /**
   * The policies of the simulator's sessions ({@code Simulation.Builder}'s default): the default
   * policy and unlimited retries; both have the default delays and connect timeout.
   */
  private static final List<BackoffPolicy> POLICIES =
      List.of(BackoffPolicy.defaults(), BackoffPolicy.builder().unlimitedAttempts().build());

  private LivenessFit() {}

  /** Why {@code duration} is too short for {@code regime}, or empty if it fits (or is safety). */
  static Optional<String> problem(Regime regime, Duration duration) {
    if (regime != Regime.LIVENESS || fits(duration)) {
      return Optional.empty();
    }
    Duration heal = Duration.ofMillis(regime.healMillis(duration.toMillis()));
    Duration shortest = Duration.ofSeconds(1);
    while (!fits(shortest)) {
      shortest = shortest.plusSeconds(1);
    }
    return Optional.of(
        "too short for --regime liveness: faults heal at "
            + text(heal)
            + " and I8 is checked "
            + text(recoveryBound())
            + " (the recovery bound) later, after the run's end; nothing would be checked."
            + " Use --duration "
            + text(shortest)
            + " or more");
  }

  /** Whether the I8 check of every session falls inside a liveness run of {@code duration}. */
  static boolean fits(Duration duration) {
    long healNanos = Duration.ofMillis(Regime.LIVENESS.healMillis(duration.toMillis())).toNanos();
    // As the simulator schedules it: at heal + bound, strictly before the run's last nanosecond.
    return healNanos + recoveryBound().toNanos() < duration.toNanos() - 1;
  }

  /** {@code d} as {@code --duration} reads it: whole seconds, or milliseconds. */
  private static String text(Duration d) {
    return d.toMillis() % 1000 == 0 ? d.toSeconds() + "s" : d.toMillis() + "ms";
  }

  private static Duration recoveryBound() {
    Duration longest = Duration.ZERO;
    for (BackoffPolicy p : POLICIES) {
      Duration b = Oracles.recoveryBound(p);
      longest = b.compareTo(longest) > 0 ? b : longest;
    }
    return longest;
  }
}
