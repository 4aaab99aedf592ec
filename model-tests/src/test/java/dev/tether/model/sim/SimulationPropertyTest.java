package dev.tether.model.sim;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tether.model.prop.Property;
import dev.tether.stub.sim.Coverage;
import dev.tether.stub.sim.FaultProfile;
import dev.tether.stub.sim.Regime;
import dev.tether.stub.sim.Simulation;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * I1–I5, I8, I9 and I10 over many seeded fault simulations, with coverage statistics that fail the
 * test when a category the oracles rely on is never reached. {@code -Dtether.seed=N} replays one
 * seed.
 */
class SimulationPropertyTest {
  /** Seeds per property: about 30 ms each, so the class stays within a few seconds. */
  static final int SEEDS = 120;

  static final FaultProfile[] PROFILES = {
    FaultProfile.CHAOS, FaultProfile.FLAKY, FaultProfile.OUTAGES, FaultProfile.PARTITIONS
  };

  static Simulation safety(long seed) {
    return safetyBuilder(seed).build();
  }

  static Simulation.Builder safetyBuilder(long seed) {
    return profiled(seed).regime(Regime.SAFETY);
  }

  static Simulation liveness(long seed) {
    return profiled(seed).regime(Regime.LIVENESS).build();
  }

  /** 16 sessions for 2 h under the seed's fault profile (the seeds take turns) at intensity 2. */
  private static Simulation.Builder profiled(long seed) {
    return SimulationHarness.simulation(
        seed, 16, Duration.ofHours(2), PROFILES[(int) (seed % PROFILES.length)], 2.0);
  }

  @Test
  void safetyRegimeHoldsConnectionInvariantsAndReachesEveryCategory() {
    Coverage c =
        SimulationHarness.forAllSeeds("safety", getClass(), SEEDS, SimulationPropertyTest::safety);
    System.out.println("safety coverage over seeds: " + c);
    if (!Property.replaying()) {
      assertThat(c.permanentlyDisconnected())
          .as("runs reaching PermanentlyDisconnected")
          .isPositive();
      assertThat(c.highAttempts()).as("attempts >= " + Coverage.HIGH_ATTEMPT).isPositive();
      assertThat(c.closeDuringBackoff()).as("close during backoff").isPositive();
      assertThat(c.staleCallbacks()).as("stale callbacks").isPositive();
      assertThat(c.reconnected()).as("reconnects").isPositive();
      assertThat(c.halfOpen()).as("half-open channels").isPositive();
      assertThat(c.slowReaderFrames()).as("frames read by a slow reader").isPositive();
      assertThat(c.writesBlocked()).as("writes blocked by backpressure").isPositive();
      assertThat(c.flapping()).as("sessions ended by the flap guard").isPositive();
    }
  }

  @Test
  void livenessRegimeRecoversOnceTheNetworkHeals() {
    Coverage c =
        SimulationHarness.forAllSeeds(
            "liveness", getClass(), SEEDS / 2, SimulationPropertyTest::liveness);
    if (!Property.replaying()) {
      assertThat(c.reconnected()).as("reconnects").isPositive();
    }
  }

  @Test
  void sameSeedGivesTheSameTraceHash() {
    for (long seed = 1; seed <= 10; seed++) {
      assertThat(safety(seed).run().traceHash())
          .as("seed %d", seed)
          .isEqualTo(safety(seed).run().traceHash());
    }
  }
}
