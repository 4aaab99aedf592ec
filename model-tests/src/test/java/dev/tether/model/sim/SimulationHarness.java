package dev.tether.model.sim;

import dev.tether.model.prop.Property;
import dev.tether.stub.sim.Coverage;
import dev.tether.stub.sim.FaultPlan;
import dev.tether.stub.sim.FaultProfile;
import dev.tether.stub.sim.Simulation;
import dev.tether.stub.sim.SimulationResult;
import dev.tether.stub.sim.Violation;
import java.time.Duration;
import java.util.function.LongFunction;
import java.util.function.Predicate;

/**
 * {@link Property} for simulations: the same seeds ({@link Property#seeds}: {@code -Dtether.seed=N}
 * replays one, {@code -Dtether.seeds}, {@code -Dtether.seedBase}) and the same replay command; on
 * the first violation it shrinks with {@link Simulation#shrink} rather than {@link Property}'s
 * generic delta debugging, because a fault plan must keep violating the same invariant and starts
 * from the violating session's own faults, and it prints the shrunk plan in the form {@link
 * FaultPlan#parse} reads.
 */
final class SimulationHarness {
  private SimulationHarness() {}

  /**
   * The set-up the simulation tests share: {@code sessions} sessions for {@code duration} under
   * random faults of {@code profile} at {@code intensity}, everything drawn from {@code seed}.
   */
  static Simulation.Builder simulation(
      long seed, int sessions, Duration duration, FaultProfile profile, double intensity) {
    return Simulation.builder()
        .seed(seed)
        .sessions(sessions)
        .duration(duration)
        .faults(profile, intensity);
  }

  /**
   * Runs {@code defaultSeeds} seeds (or the one given by {@code -Dtether.seed}).
   *
   * @return the summed coverage of all runs
   * @throws AssertionError on the first violation, describing the seed and the shrunk plan
   */
  static Coverage forAllSeeds(
      String name, Class<?> testClass, int defaultSeeds, LongFunction<Simulation> simulation) {
    Coverage total = Coverage.zero();
    for (long seed : Property.seeds(defaultSeeds)) {
      Simulation sim = simulation.apply(seed);
      SimulationResult r = sim.run();
      if (!r.passed()) {
        throw failure(name, testClass, seed, sim, r);
      }
      total = total.plus(r.coverage());
    }
    return total;
  }

  /**
   * A planted bug's first failing run, found by {@link #firstFailingSeed}: the failed run and its
   * seed's simulation, built afresh (as a user replaying the seed would) for shrinking and replays.
   */
  record Caught(Simulation simulation, SimulationResult failed) {
    long seed() {
      return failed.seed();
    }

    Violation violation() {
      return failed.violation().orElseThrow();
    }

    /** Shrinks the failed run's plan with {@link Simulation#shrink} (each call shrinks again). */
    FaultPlan shrink() {
      return simulation.shrink(failed);
    }

    /**
     * Runs {@code plan} as printed and read back ({@link FaultPlan#parse}): what a user replays.
     */
    SimulationResult replayPrinted(FaultPlan plan) {
      return simulation.run(FaultPlan.parse(plan.toString()));
    }
  }

  /**
   * Runs seeds 1..{@code seeds} of {@code simulation} until one reports a violation.
   *
   * @param expectation what the test expects, for the failure message
   * @throws AssertionError when every seed passes: {@code expectation}, then "no failing seed
   *     within seeds 1..N"
   */
  static Caught firstFailingSeed(
      String expectation, int seeds, LongFunction<Simulation> simulation) {
    SimulationResult failed =
        firstFailingRun(expectation, seeds, seed -> simulation.apply(seed).run(), r -> !r.passed());
    return new Caught(simulation.apply(failed.seed()), failed);
  }

  /**
   * {@link #firstFailingSeed} for a failure that is not a violation (two runs of a seed that
   * differ, for I9): the first run of seeds 1..{@code seeds} that {@code fails}.
   *
   * @throws AssertionError when no seed's run fails
   */
  static SimulationResult firstFailingRun(
      String expectation,
      int seeds,
      LongFunction<SimulationResult> run,
      Predicate<SimulationResult> fails) {
    for (long seed = 1; seed <= seeds; seed++) {
      SimulationResult r = run.apply(seed);
      if (fails.test(r)) {
        return r;
      }
    }
    throw new AssertionError(expectation + ": no failing seed within seeds 1.." + seeds);
  }

  static AssertionError failure(
      String name, Class<?> testClass, long seed, Simulation sim, SimulationResult failed) {
    FaultPlan shrunk = sim.shrink(failed);
    SimulationResult again = sim.run(shrunk);
    String msg =
        "simulation '"
            + name
            + "' failed for seed "
            + seed
            + "\nreplay: "
            + Property.replayCommand(testClass, seed)
            + "\n"
            + failed.violation().orElseThrow()
            + "\nshrunk from "
            + failed.plan().size()
            + " to "
            + shrunk.size()
            + " faults; replay with .plan(FaultPlan.parse(\"\"\"\n"
            + shrunk
            + "\"\"\"))\nshrunk run: "
            + again.violation().map(Object::toString).orElse("passed (flaky shrink?)");
    return new AssertionError(msg);
  }
}
