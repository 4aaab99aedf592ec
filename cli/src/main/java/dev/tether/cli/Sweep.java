package dev.tether.cli;

import dev.tether.stub.sim.Simulation;
import dev.tether.stub.sim.SimulationResult;
import java.util.ArrayList;
import java.util.List;
import java.util.function.LongFunction;

/**
 * Runs every seed of one slice of a seed range and sums them up in a {@link SweepSummary}. Each
 * seed is a whole, independent simulation; a failing seed is recorded (not shrunk: its replay
 * command shrinks it) and the sweep goes on, so a summary counts every failure of its slice.
 */
final class Sweep {
  /**
   * Called after each seed with the seeds done and the failures so far (progress on a terminal).
   */
  interface Progress {
    void seedDone(long done, long of, long failures);
  }

  private final SimConfig config;
  private final LongFunction<Simulation.Builder> simulation;

  /**
   * @param config what every seed runs (for the summary and the replay command)
   * @param simulation the simulation of a seed
   */
  Sweep(SimConfig config, LongFunction<Simulation.Builder> simulation) {
    this.config = config;
    this.simulation = simulation;
  }

  /**
   * Runs the seeds of {@code slice} (null: an empty slice, when there are more shards than seeds).
   *
   * @param range the whole range the slice belongs to
   */
  SweepSummary run(SeedRange range, SeedRange slice, Progress progress) {
    List<Long> failing = new ArrayList<>();
    SweepSummary.Failure first = null;
    long runs = 0;
    long failures = 0;
    long sessionSeconds = 0;
    long transitions = 0;
    long wallStart = System.nanoTime(); // wall time for the summary only
    if (slice != null) {
      for (long seed = slice.first(); ; seed++) {
        SimulationResult r = simulation.apply(seed).build().run();
        runs++;
        sessionSeconds += r.sessions() * r.simulatedSeconds();
        transitions += r.transitions();
        if (!r.passed()) {
          failures++;
          if (failing.size() < SweepSummary.MAX_LISTED_FAILURES) {
            failing.add(seed);
          }
          if (first == null) {
            var v = r.violation().orElseThrow();
            first = new SweepSummary.Failure(seed, v.invariant(), v.message(), config.replay(seed));
          }
        }
        progress.seedDone(runs, slice.count(), failures);
        if (seed == slice.last()) {
          break; // not in the loop condition: slice.last() may be Long.MAX_VALUE
        }
      }
    }
    return new SweepSummary(
        config.toJson(),
        range,
        slice == null ? List.of() : List.of(slice),
        runs,
        failures,
        failing,
        first,
        sessionSeconds,
        transitions,
        (System.nanoTime() - wallStart) / 1_000_000);
  }
}
