package dev.tether.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class SeedRangeTest {

  /** Fixed, so a failure replays; printed with every failing case. */
  static final long SEED = 17;

  /** Cases of the property: enough to hit more shards than seeds, and ranges near the limits. */
  static final int CASES = 5_000;

  @Test
  void slicesAreDisjointContiguousAndCoverTheRange() {
    SplittableRandom random = new SplittableRandom(SEED);
    for (int i = 0; i < CASES; i++) {
      long first =
          i % 10 == 0 ? Long.MAX_VALUE - random.nextInt(1000) : random.nextLong(-1000, 1000);
      long count = 1L + random.nextInt(i % 3 == 0 ? 20 : 5000);
      long last = first > Long.MAX_VALUE - count ? Long.MAX_VALUE : first + count - 1;
      int n = 1 + random.nextInt(i % 2 == 0 ? 8 : 64);
      checkSlices(new SeedRange(first, last), n, "case " + i + " (seed " + SEED + ")");
    }
  }

  /** The slices in order: each starts right after the previous one, and the last ends the range. */
  private static void checkSlices(SeedRange range, int n, String what) {
    long next = range.first();
    long smallest = Long.MAX_VALUE;
    long largest = 0;
    boolean done = false;
    for (int k = 1; k <= n; k++) {
      SeedRange slice = range.slice(new SeedRange.Shard(k, n));
      String context = what + ": " + range + " shard " + k + "/" + n;
      if (slice == null) {
        assertThat(done).as(context + " is empty before the range is covered").isTrue();
        smallest = 0;
        continue;
      }
      assertThat(done).as(context + " after the range was covered").isFalse();
      assertThat(slice.first())
          .as(context + " starts right after the previous slice")
          .isEqualTo(next);
      smallest = Math.min(smallest, slice.count());
      largest = Math.max(largest, slice.count());
      if (slice.last() == range.last()) {
        done = true;
      } else {
        next = slice.last() + 1;
      }
    }
    assertThat(done).as(what + ": " + range + " in " + n + " slices is covered").isTrue();
    assertThat(largest - smallest)
        .as(what + ": slice sizes differ by at most one")
        .isLessThanOrEqualTo(1);
  }

  @Test
  void oneShardIsTheWholeRange() {
    SeedRange r = SeedRange.parse("5..9");
    assertThat(r.slice(new SeedRange.Shard(1, 1))).isEqualTo(r);
    assertThat(r.slice(SeedRange.Shard.parse("2/2"))).hasToString("8..9");
  }

  @Test
  void malformedRangesAndShardsNameTheirText() {
    for (String bad : new String[] {"9..5", "5", "a..b", "1..", "..3"}) {
      assertThatThrownBy(() -> SeedRange.parse(bad)).hasMessageContaining("'" + bad + "'");
    }
    for (String bad : new String[] {"0/4", "5/4", "1/0", "x/2", "3"}) {
      assertThatThrownBy(() -> SeedRange.Shard.parse(bad)).hasMessageContaining("'" + bad + "'");
    }
    assertThatThrownBy(() -> new SeedRange(Long.MIN_VALUE, Long.MAX_VALUE))
        .hasMessageContaining("too large");
  }
}
