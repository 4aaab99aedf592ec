package dev.tether.model.sim;

import dev.tether.model.prop.Property;
import dev.tether.stub.sim.Coverage;
import dev.tether.stub.sim.FaultPlan;
import dev.tether.stub.sim.FaultProfile;
import dev.tether.stub.sim.Simulation;
import dev.tether.stub.sim.SimulationResult;
import java.time.Duration;
import java.util.function.LongFunction;

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
