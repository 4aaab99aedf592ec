package dev.tether.stub.sim;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * The slow-consumer fault inside a simulation (R4): the client's consumer falls behind a server
 * that pushes as fast as its buffer allows; the client stops reading at its bound, the frames wait
 * with the server, nothing is lost and the connection is kept.
 */
class SlowConsumerSimulationTest {
  private final AtomicInteger mostHeld = new AtomicInteger();
  private final AtomicLong readPauses = new AtomicLong();

  /** Records the most frames any client held, and its pauses, next to the standard R4 oracle. */
  private final Oracle recorder =
      new Oracle() {
        @Override
        public String invariant() {
          return "record";
        }

        @Override
        public String onCheck(SessionView s) {
          mostHeld.accumulateAndGet(s.framesHeld(), Math::max);
          return null;
        }

        @Override
        public String atEnd(SessionView s) {
          readPauses.addAndGet(s.readPauses());
          return null;
        }
      };

  private SimulationResult explicit(String plan) {
    return Simulation.builder()
        .seed(5)
        .sessions(2)
        .duration(Duration.ofMinutes(10))
        .plan(FaultPlan.parse(plan))
        .oracle(recorder)
        .build()
        .run();
  }

  @Test
  void slowConsumerStopsTheReaderWithinItsBoundAndLosesNothing() {
    // Session 0's consumer handles one frame per second for two minutes; session 1 is untouched.
    SimulationResult r = explicit("slow-consumer 0 60000 120000 1000\n");
    assertThat(r.violation()).isEmpty(); // R4 and the "frames" check: in order, none lost
    assertThat(mostHeld.get()).as("the bound was reached, never passed").isEqualTo(16);
    assertThat(readPauses.get()).as("the client stopped reading").isPositive();
    assertThat(r.coverage().writesBlocked()).as("the server met backpressure").isPositive();
    assertThat(r.finalStates()).containsEntry("Connected", 2L); // slow, never broken
    assertThat(r.coverage().reconnected()).isZero();
  }

  @Test
  void slowConsumerOverlappingDropsAndSlowReadersHoldsEveryInvariant() {
    SimulationResult r =
        explicit(
            """
            slow-consumer 0 30000 300000 300
            drop 0 90000
            slow-reader 0 100000 60000 500
            half-open 0 150000
            slow-consumer 1 30000 60000 4000
            slow-consumer 1 60000 60000 200
            restart 1 70000
            """);
    assertThat(r.violation()).isEmpty();
    assertThat(readPauses.get()).isPositive();
  }

  @Test
  void chaosDrawsSlowConsumersAndHoldsEveryInvariant() {
    FaultPlan chaos =
        FaultPlan.random(
            3, FaultProfile.CHAOS, 2.0, 20, Duration.ofHours(2).toMillis(), Regime.SAFETY);
    assertThat(chaos.faults()).extracting(Fault::kind).contains(Fault.Kind.SLOW_CONSUMER);
    assertThat(FaultPlan.parse(chaos.toString())).isEqualTo(chaos);
    for (long seed = 1; seed <= 4; seed++) {
      SimulationResult r =
          Simulation.builder()
              .seed(seed)
              .sessions(16)
              .duration(Duration.ofHours(2))
              .faults(FaultProfile.CHAOS, 2.0)
              .oracle(recorder)
              .build()
              .run();
      assertThat(r.violation()).as("seed %d", seed).isEmpty();
    }
    assertThat(readPauses.get()).isPositive();
    assertThat(mostHeld.get()).isEqualTo(16);
  }
}
