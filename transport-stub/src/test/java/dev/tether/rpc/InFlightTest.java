package dev.tether.rpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tether.rpc.Ledger.Pending;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/** The ledger's requests in flight by id, on primitive keys (issue 19). */
class InFlightTest {
  final InFlight table = new InFlight();

  static Pending request(long id) {
    Pending p = new Pending("m" + id, false, false, false, Duration.ofSeconds(30));
    p.id = id;
    return p;
  }

  Pending put(long id) {
    Pending p = request(id);
    table.put(id, p);
    return p;
  }

  @Test
  void aRequestIsFoundUnderItsIdUntilRemoved() {
    Pending p = put(1);
    assertThat(table.get(1)).isSameAs(p);
    assertThat(table.size()).isEqualTo(1);
    assertThat(table.remove(1, p)).isTrue();
    assertThat(table.get(1)).isNull();
    assertThat(table.size()).isZero();
    assertThat(table.remove(1, p)).as("a second removal").isFalse();
  }

  @Test
  void onlyTheRequestUnderTheIdIsRemoved() {
    Pending p = put(5);
    assertThat(table.remove(5, request(5))).isFalse();
    assertThat(table.get(5)).isSameAs(p);
  }

  @Test
  void idsAServerMakesUpMatchNothing() {
    put(1);
    for (long id : new long[] {0, -1, Long.MIN_VALUE, Long.MAX_VALUE, 17, 1L << 32 | 1}) {
      assertThat(table.get(id)).as("id %d", id).isNull();
    }
    assertThat(new InFlight().get(1)).as("before the first request").isNull();
  }

  @Test
  void anIdAlreadyInFlightOrNotPositiveIsRefused() {
    put(3);
    assertThatThrownBy(() -> table.put(3, request(3))).isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> table.put(0, request(0))).isInstanceOf(IllegalArgumentException.class);
  }

  /** Ids 1, 17 and 33 share a home slot in 16 slots; so do 15, 31 and 47, across the wrap. */
  @Test
  void removingOneOfCollidingIdsLeavesTheOthersReachable() {
    for (long[] ids : new long[][] {{1, 17, 33}, {15, 31, 47}}) {
      InFlight t = new InFlight();
      Pending[] p = new Pending[ids.length];
      for (int i = 0; i < ids.length; i++) {
        p[i] = request(ids[i]);
        t.put(ids[i], p[i]);
      }
      assertThat(t.slots()).isEqualTo(InFlight.INITIAL_SLOTS);
      assertThat(t.remove(ids[0], p[0])).isTrue();
      assertThat(t.get(ids[1])).isSameAs(p[1]);
      assertThat(t.get(ids[2])).isSameAs(p[2]);
      assertThat(t.remove(ids[1], p[1])).isTrue();
      assertThat(t.get(ids[2])).isSameAs(p[2]);
    }
  }

  /** The same operations on a TreeMap: lookups and the oldest-first order agree throughout. */
  @Test
  void agreesWithAnOrderedMapThroughRandomSendsAndAnswers() {
    Random random = new Random(19);
    TreeMap<Long, Pending> expected = new TreeMap<>();
    long nextId = 1;
    for (int step = 0; step < 20_000; step++) {
      // Bursts of sends, answers in any order, and a few requests that stay out for long.
      if (expected.size() < 600 && random.nextInt(3) > 0) {
        long id = nextId++;
        Pending p = request(id);
        table.put(id, p);
        expected.put(id, p);
      } else if (!expected.isEmpty()) {
        List<Long> ids = new ArrayList<>(expected.keySet());
        long id = ids.get(random.nextInt(ids.size()));
        assertThat(table.remove(id, expected.remove(id))).isTrue();
      }
      if (step % 1_000 == 0) {
        assertThat(table.oldestFirst()).containsExactlyElementsOf(expected.values());
      }
      long probe = random.nextInt((int) nextId + 10) + 1L;
      assertThat(table.get(probe)).as("id %d", probe).isSameAs(expected.get(probe));
    }
    assertThat(table.size()).isEqualTo(expected.size());
    for (Map.Entry<Long, Pending> e : expected.entrySet()) {
      assertThat(table.get(e.getKey())).isSameAs(e.getValue());
    }
  }

  @Test
  void aSteadyWindowKeepsItsTableAndADrainedBurstReleasesIt() {
    long id = 1;
    for (int batch = 0; batch < 3; batch++) {
      List<Pending> sent = new ArrayList<>();
      for (int i = 0; i < 64; i++) {
        sent.add(put(id++));
      }
      assertThat(table.slots()).isEqualTo(128);
      for (Pending p : sent) {
        table.remove(p.id, p);
      }
      assertThat(table.slots()).as("kept after batch %d", batch).isEqualTo(128);
    }
    List<Pending> burst = new ArrayList<>();
    for (int i = 0; i < 5_000; i++) {
      burst.add(put(id++));
    }
    assertThat(table.slots()).isGreaterThan(InFlight.MAX_KEPT_SLOTS);
    for (Pending p : burst) {
      table.remove(p.id, p);
    }
    assertThat(table.slots()).as("released once drained").isZero();
    Pending after = put(id);
    assertThat(table.get(id)).isSameAs(after);
  }
}
