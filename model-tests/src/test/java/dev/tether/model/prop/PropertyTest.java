package dev.tether.model.prop;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class PropertyTest {

  /** A planted bug: the sequence fails once it holds both 3 and 7. */
  static void noThreeAndSeven(List<Integer> xs) {
    if (xs.contains(3) && xs.contains(7)) {
      throw new AssertionError("3 and 7 together");
    }
  }

  static List<Integer> randomInts(java.util.SplittableRandom r) {
    List<Integer> xs = new ArrayList<>();
    for (int i = 0; i < 40; i++) {
      xs.add(r.nextInt(10));
    }
    return xs;
  }

  @Test
  void failureIsShrunkToTheMinimalSequenceAndNamesTheSeed() {
    assertThatThrownBy(
            () ->
                Property.forAll(
                    "planted",
                    PropertyTest.class,
                    5,
                    PropertyTest::randomInts,
                    PropertyTest::noThreeAndSeven))
        .isInstanceOf(AssertionError.class)
        .hasMessageContaining("failed for seed 1")
        .hasMessageContaining("-Dtether.seed=1")
        .hasMessageContaining("shrunk from 40 to 2 commands");
  }

  @Test
  void shrinkKeepsOnlyWhatIsNeeded() {
    List<Integer> shrunk =
        Property.shrink(List.of(1, 3, 5, 5, 7, 9, 3), PropertyTest::noThreeAndSeven);
    assertThat(shrunk).hasSize(2).contains(3, 7);
  }

  @Test
  void passingPropertyPasses() {
    Property.forAll("trivial", PropertyTest.class, 20, r -> List.of(r.nextInt(3)), xs -> {});
  }
}
