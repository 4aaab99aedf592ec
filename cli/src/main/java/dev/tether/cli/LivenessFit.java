package dev.tether.cli;

import dev.tether.stub.sim.Regime;
import dev.tether.stub.sim.Simulation;
import java.time.Duration;
import java.util.Optional;

/**
 * Whether a liveness run is long enough for I8 to be checked at all: the simulator checks a session
 * once the network has healed (half the run) and the recovery bound has passed, and only if that
 * instant lies inside the run. A run too short for it would check nothing and pass, so {@code
 * tether simulate} refuses it with the reason.
 *
 * <p>The simulator answers the question ({@link Simulation#livenessUnchecked}, {@link
 * Simulation#shortestLivenessRun}); this class only words it as a usage error, so the CLI and the
 * simulator cannot disagree on the shortest run.
 */
final class LivenessFit {

  /** Sessions enough to meet every default policy of the simulator (they go by index mod 4). */
  private static final int SESSIONS = 4;

  private LivenessFit() {}

  /** Why {@code duration} is too short for {@code regime}, or empty if it fits (or is safety). */
  static Optional<String> problem(Regime regime, Duration duration) {
    Simulation sim = simulation(regime, duration);
    return sim.livenessUnchecked()
        .map(
            why ->
                "too short for --regime liveness: "
                    + why
                    + "; nothing would be checked. Use --duration "
                    + sim.shortestLivenessRun().toSeconds()
                    + "s or more");
  }

  /** Whether the I8 check of every session falls inside a liveness run of {@code duration}. */
  static boolean fits(Duration duration) {
    return simulation(Regime.LIVENESS, duration).livenessUnchecked().isEmpty();
  }

  private static Simulation simulation(Regime regime, Duration duration) {
    return Simulation.builder().sessions(SESSIONS).regime(regime).duration(duration).build();
  }
}
