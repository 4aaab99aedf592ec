package dev.tether.stub.sim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class SimulationTest {

  private static Simulation.Builder small(long seed, FaultProfile profile) {
    return Simulation.builder()
        .seed(seed)
        .sessions(20)
        .duration(Duration.ofHours(2))
        .faults(profile, 2.0);
  }

  @Test
  void chaosRunHoldsEveryInvariant() {
    SimulationResult r = small(7, FaultProfile.CHAOS).build().run();
    assertThat(r.violation()).isEmpty();
    assertThat(r.faultsApplied()).isPositive();
    assertThat(r.transitions()).isPositive();
    System.out.println(r.toJson());
  }

  @Test
  void sameSeedGivesSameTraceHash() {
    SimulationResult a = small(3, FaultProfile.CHAOS).build().run();
    SimulationResult b = small(3, FaultProfile.CHAOS).build().run();
    SimulationResult c = small(4, FaultProfile.CHAOS).build().run();
    assertThat(a.traceHash()).isEqualTo(b.traceHash());
    assertThat(a.traceHash()).isNotEqualTo(c.traceHash());
  }

  @Test
  void livenessRegimeRecovers() {
    SimulationResult r = small(11, FaultProfile.OUTAGES).regime(Regime.LIVENESS).build().run();
    assertThat(r.violation()).isEmpty();
    assertThat(r.plan().faults()).allMatch(f -> f.atMillis() + f.lengthMillis() <= 3_600_000L);
  }

  @Test
  void printedPlanParsesBackToTheSamePlan() {
    FaultPlan plan = small(5, FaultProfile.CHAOS).build().plan();
    assertThat(plan.size()).isPositive();
    assertThat(FaultPlan.parse(plan.toString())).isEqualTo(plan);
  }

  @Test
  void malformedPlanLineIsNamed() {
    assertThatThrownBy(() -> FaultPlan.parse("outage 1 x 5"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("outage 1 x 5");
  }

  @Test
  void shrinkingKeepsOnlyTheFaultsThatMatter() {
    FaultPlan plan = small(5, FaultProfile.CHAOS).build().plan();
    Fault needle = plan.faults().get(plan.size() / 2);
    FaultPlan shrunk = Simulation.shrink(plan, p -> p.faults().contains(needle));
    assertThat(shrunk.faults()).containsExactly(needle);
  }
}
