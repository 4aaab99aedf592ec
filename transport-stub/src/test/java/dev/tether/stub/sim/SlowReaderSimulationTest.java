package dev.tether.stub.sim;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The slow-reader fault inside a simulation: plans, replay, backpressure, oracles. */
class SlowReaderSimulationTest {

  static SimulationResult explicit(String plan) {
    return Simulation.builder()
        .seed(5)
        .sessions(2)
        .duration(Duration.ofMinutes(10))
        .plan(FaultPlan.parse(plan))
        .build()
        .run();
  }

  @Test
  void explicitSlowReaderWindowDelaysFramesWithoutLossAndBlocksTheWriter() {
    // Session 0's server reads one frame per second for two minutes; session 1 is untouched.
    SimulationResult r = explicit("slow-reader 0 60000 120000 1000\n");
    assertThat(r.violation()).isEmpty();
    assertThat(r.faultsApplied()).isEqualTo(1);
    // Two minutes of the writer: the server reads ~120 frames late, then the backlog at the heal.
    assertThat(r.coverage().slowReaderFrames()).isBetween(120L, 120L + 64 + 8);
    assertThat(r.coverage().writesBlocked()).isPositive();
    assertThat(r.finalStates()).containsEntry("Connected", 2L); // slow, never broken
  }

  @Test
  void slowReaderOverlappingDropsAndHalfOpenHoldsEveryInvariant() {
    SimulationResult r =
        explicit(
            """
            slow-reader 0 30000 300000 300
            drop 0 90000
            half-open 0 150000
            slow-reader 1 30000 60000 4000
            slow-reader 1 60000 60000 200
            restart 1 70000
            """);
    assertThat(r.violation()).isEmpty();
    assertThat(r.coverage().slowReaderFrames()).isPositive();
  }

  @Test
  void printedFormReplaysAndChaosDrawsSlowReaders() {
    FaultPlan chaos =
        FaultPlan.random(
            3, FaultProfile.CHAOS, 2.0, 20, Duration.ofHours(2).toMillis(), Regime.SAFETY);
    assertThat(chaos.faults()).extracting(Fault::kind).contains(Fault.Kind.SLOW_READER);
    assertThat(FaultPlan.parse(chaos.toString())).isEqualTo(chaos);
    assertThat(chaos.toString()).containsPattern("(?m)^slow-reader \\d+ \\d+ \\d+ \\d+$");
    FaultPlan flaky =
        FaultPlan.random(
            3, FaultProfile.FLAKY, 2.0, 20, Duration.ofHours(2).toMillis(), Regime.SAFETY);
    assertThat(flaky.faults()).extracting(Fault::kind).doesNotContain(Fault.Kind.SLOW_READER);
  }

  @Test
  void chaosRunsWithSlowReadersHoldEveryInvariantAndMeetBackpressure() {
    Coverage c = Coverage.zero();
    for (long seed = 1; seed <= 10; seed++) {
      SimulationResult r =
          Simulation.builder()
              .seed(seed)
              .sessions(16)
              .duration(Duration.ofHours(2))
              .faults(FaultProfile.CHAOS, 2.0)
              .build()
              .run();
      assertThat(r.violation()).as("seed %d", seed).isEmpty();
      c = c.plus(r.coverage());
    }
    assertThat(c.slowReaderFrames()).isPositive();
    assertThat(c.writesBlocked()).isPositive();
  }
}
