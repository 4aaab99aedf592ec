package dev.tether.stub.sim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** {@link FaultPlan#parse}: a bad line is named, in the words of a plan file, not of Java. */
class FaultPlanParseTest {

  @Test
  void planRoundTripsThroughItsText() {
    FaultPlan plan = FaultPlan.parse("outage 0 100 200\nhalf-open 1 50\ndrop 0 7\n");
    assertThat(FaultPlan.parse(plan.toString())).isEqualTo(plan);
  }

  @Test
  void unknownKindNamesTheKindsNotAJavaEnum() {
    assertThatThrownBy(() -> FaultPlan.parse("sunspot 0 5"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("cannot parse fault 'sunspot 0 5'")
        .hasMessageContaining("unknown fault kind 'sunspot', expected outage|hang|drop|")
        .hasMessageNotContaining("enum constant")
        .hasMessageNotContaining("dev.tether");
  }

  @Test
  void badNumberIsNamedWithoutJavasWording() {
    assertThatThrownBy(() -> FaultPlan.parse("drop 0 abc"))
        .hasMessageContaining("atMillis 'abc' is not a whole number")
        .hasMessageNotContaining("For input string");
    assertThatThrownBy(() -> FaultPlan.parse("drop"))
        .hasMessageContaining("expected kind session atMillis [lengthMillis [param]], got 1 words");
  }
}
