package dev.tether.rpc;

import dev.tether.rpc.Ledger.Pending;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * The {@link Ledger}'s requests in flight by id: an open-addressing hash table on primitive {@code
 * long} keys (linear probing, deletion by backward shift, so no tombstones).
 *
 * <p>Why not a {@code LinkedHashMap<Long, Pending>}: each request then cost a boxed id for the put,
 * another for the lookup of its answer and a third for the removal, and an entry object; that was
 * about 130 B of the client event loop's allocation per request in B2 at 64 in flight
 * (BENCHMARKS.md, issue 19). Here a request costs nothing beyond its slot.
 *
 * <p>Ids are issued in increasing order and never reused, so insertion order is id order, and the
 * table keys slots by the id itself: the ids in flight, nearly consecutive, land in consecutive
 * slots without collisions. Lookups of ids a server makes up (R1) probe at most up to the next free
 * slot; the table is never more than half full. Id 0 marks a free slot (ids start at 1).
 *
 * <p>Not thread-safe: confined to the connection's context, like the ledger.
 */
final class InFlight {
  /** Slots of the first table: room for 8 requests in flight before it grows. */
  static final int INITIAL_SLOTS = 16;

  /**
   * Largest table kept once it is empty again. A burst of thousands of requests would otherwise pin
   * its table for the connection's life (tens of KiB); tables up to this size are kept, so a steady
   * 64 in flight (128 slots) does not reallocate per batch.
   */
  static final int MAX_KEPT_SLOTS = 1_024;

  private long[] ids; // null until the first put: most connections' first request is far off (B5)
  private Pending[] requests;
  private int size;

  /** Puts {@code p} under {@code id}, which must be positive and not in the table. */
  void put(long id, Pending p) {
    if (id <= 0) {
      throw new IllegalArgumentException("request ids are positive, was " + id);
    }
    if (ids == null) {
      ids = new long[INITIAL_SLOTS];
      requests = new Pending[INITIAL_SLOTS];
    } else if (2 * (size + 1) > ids.length) {
      grow();
    }
    int mask = ids.length - 1;
    int i = slot(id, mask);
    while (ids[i] != 0) {
      if (ids[i] == id) {
        throw new IllegalStateException("request id " + id + " is already in flight");
      }
      i = (i + 1) & mask;
    }
    ids[i] = id;
    requests[i] = p;
    size++;
  }

  /** The request under {@code id}, or null. */
  Pending get(long id) {
    int i = find(id);
    return i < 0 ? null : requests[i];
  }

  /** Removes {@code id} if it maps to {@code p}; returns whether it did. */
  boolean remove(long id, Pending p) {
    int i = find(id);
    if (i < 0 || requests[i] != p) {
      return false;
    }
    delete(i);
    size--;
    if (size == 0 && ids.length > MAX_KEPT_SLOTS) {
      ids = null;
      requests = null;
    }
    return true;
  }

  /** How many requests are in flight. */
  int size() {
    return size;
  }

  /** The requests in flight, oldest (lowest id) first; a copy. */
  List<Pending> oldestFirst() {
    List<Pending> copy = new ArrayList<>(size);
    if (ids != null) {
      for (Pending p : requests) {
        if (p != null) {
          copy.add(p);
        }
      }
      copy.sort(Comparator.comparingLong(p -> p.id));
    }
    return copy;
  }

  /** Slots in the table (0 before the first put); for tests. */
  int slots() {
    return ids == null ? 0 : ids.length;
  }

  private int find(long id) {
    if (ids == null || id <= 0) {
      return -1;
    }
    int mask = ids.length - 1;
    for (int i = slot(id, mask); ; i = (i + 1) & mask) {
      long at = ids[i];
      if (at == id) {
        return i;
      }
      if (at == 0) {
        return -1;
      }
    }
  }

  /**
   * Frees slot {@code i} and shifts back the entries after it that probed past it (Knuth's
   * algorithm R), so every entry stays reachable from its home slot without tombstones.
   */
  private void delete(int i) {
    int mask = ids.length - 1;
    int free = i;
    for (int j = (free + 1) & mask; ids[j] != 0; j = (j + 1) & mask) {
      int home = slot(ids[j], mask);
      // Movable if its home is not cyclically within (free, j]: it probed across the freed slot.
      boolean homeBetween = free <= j ? (free < home && home <= j) : (free < home || home <= j);
      if (!homeBetween) {
        ids[free] = ids[j];
        requests[free] = requests[j];
        free = j;
      }
    }
    ids[free] = 0;
    requests[free] = null;
  }

  private void grow() {
    long[] oldIds = ids;
    Pending[] oldRequests = requests;
    ids = new long[oldIds.length * 2];
    requests = new Pending[oldIds.length * 2];
    int mask = ids.length - 1;
    for (int k = 0; k < oldIds.length; k++) {
      long id = oldIds[k];
      if (id != 0) {
        int i = slot(id, mask);
        while (ids[i] != 0) {
          i = (i + 1) & mask;
        }
        ids[i] = id;
        requests[i] = oldRequests[k];
      }
    }
  }

  /** Home slot of {@code id}: the id itself, so consecutive ids never collide. */
  private static int slot(long id, int mask) {
    return (int) id & mask;
  }
}
