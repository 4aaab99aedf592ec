package dev.tether.rpc;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tether.rpc.Counters.C;
import org.junit.jupiter.api.Test;

/**
 * The counters behind {@link ConnectionStats}: each counts on its own, whether it lives in the
 * always-present array of a healthy connection's counters or in the one made when trouble first
 * moves a counter, which a healthy connection never makes.
 */
class CountersTest {
  @Test
  void everyCounterCountsOnItsOwn() {
    Counters counters = new Counters();
    C[] all = C.values();
    for (int i = 0; i < all.length; i++) {
      counters.add(all[i], 1L << i); // a bit of its own: a shared slot shows as a mixed value
    }
    for (int i = 0; i < all.length; i++) {
      assertThat(counters.get(all[i])).as("%s", all[i]).isEqualTo(1L << i);
    }
    long timeouts = counters.get(C.TIMEOUTS);
    assertThat(counters.inc(C.TIMEOUTS)).isEqualTo(timeouts + 1);
    long framesIn = counters.get(C.FRAMES_IN);
    assertThat(counters.inc(C.FRAMES_IN)).isEqualTo(framesIn + 1);
  }

  @Test
  void snapshotReportsEachCounterUnderItsName() {
    Counters counters = new Counters();
    counters.inc(C.UNKNOWN_TOKENS);
    counters.add(C.BYTES_OUT, 7);
    counters.set(C.WAITING, 3);
    ConnectionStats stats = counters.snapshot();
    assertThat(stats.unknownTokenEvents()).isEqualTo(1);
    assertThat(stats.bytesOut()).isEqualTo(7);
    assertThat(stats.waiting()).isEqualTo(3);
    assertThat(stats.framesIn()).isZero();
  }

  @Test
  void healthyWorkKeepsNoTroubleSlots() {
    Counters counters = new Counters();
    for (C c : C.values()) {
      if (c.steady) {
        counters.inc(c);
      } else {
        counters.set(c, 0); // the ledger's gauges are set to 0 after every settle
        assertThat(counters.get(c)).isZero();
      }
    }
    assertThat(counters.troubleSeen()).isFalse();
    counters.inc(C.MALFORMED);
    assertThat(counters.troubleSeen()).isTrue();
  }
}
