package dev.tether.model.sim;

import dev.tether.model.prop.Property;
import dev.tether.stub.sim.Coverage;
import dev.tether.stub.sim.FaultPlan;
import dev.tether.stub.sim.Simulation;
import dev.tether.stub.sim.SimulationResult;
import java.util.function.LongFunction;

/**
 * Runs a {@link Simulation} over many seeds; on the first violation, shrinks its fault plan and
 * fails with the seed, the replay command and the shrunk plan in the form {@link FaultPlan#parse}
 * reads. Honours the {@link Property} system properties ({@code -Dtether.seed=N} replays one seed).
 */
final class SimulationHarness {
  private SimulationHarness() {}

  /**
   * Runs {@code defaultSeeds} seeds (or the one given by {@code -Dtether.seed}).
   *
   * @return the summed coverage of all runs
   * @throws AssertionError on the first violation, describing the seed and the shrunk plan
   */
  static Coverage forAllSeeds(
      String name, Class<?> testClass, int defaultSeeds, LongFunction<Simulation> simulation) {
    String one = System.getProperty(Property.SEED);
    long base = Long.getLong(Property.SEED_BASE, 1L);
    int count = Integer.getInteger(Property.SEEDS, defaultSeeds);
    long first = one != null ? Long.parseLong(one) : base;
    long last = one != null ? first : base + count - 1;
    Coverage total = Coverage.zero();
    for (long seed = first; seed <= last; seed++) {
      Simulation sim = simulation.apply(seed);
      SimulationResult r = sim.run();
      if (!r.passed()) {
        throw failure(name, testClass, seed, sim, r);
      }
      total = total.plus(r.coverage());
    }
    return total;
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
            + "\nreplay: mvn -B verify -pl model-tests -am -Dtest="
            + testClass.getSimpleName()
            + " -Dsurefire.failIfNoSpecifiedTests=false -D"
            + Property.SEED
            + "="
            + seed
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
