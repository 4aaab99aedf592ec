package dev.tether.stub;

import java.util.Arrays;

/**
 * The {@link VirtualScheduler}'s timers: a binary min-heap ordered by due time, ties by submission
 * sequence, with the keys in primitive arrays so that a sift compares longs side by side instead of
 * following a pointer per level (the {@code PriorityQueue<Task>} it replaces took 16–20 % of the B6
 * simulation, most of it in {@code siftDown}/{@code siftUp}).
 *
 * <p>Cancelling is lazy: a cancelled task stays in the heap and is skipped when it reaches the top,
 * but once cancelled tasks outnumber live ones (and there are at least {@link #PURGE_MIN}) the heap
 * is rebuilt without them, so cancel-heavy workloads (a connect timeout cancelled by every accepted
 * connect) neither grow the heap nor keep cancelled closures reachable. The keys are unique, so the
 * order tasks leave in does not depend on the heap's shape: a rebuild changes nothing observable.
 *
 * <p>Not thread-safe; owned by one scheduler.
 */
final class TimerHeap {
  /**
   * Cancelled tasks tolerated before a rebuild is considered: below this the skip at the top costs
   * less than a rebuild would.
   */
  static final int PURGE_MIN = 1024;

  private long[] at = new long[64];
  private long[] seq = new long[64];
  private VirtualScheduler.Task[] tasks = new VirtualScheduler.Task[64];
  private int size;
  private int cancelled;

  /** Tasks in the heap, cancelled ones included. */
  int size() {
    return size;
  }

  void add(VirtualScheduler.Task t) {
    if (size == tasks.length) {
      int grown = size * 2;
      at = Arrays.copyOf(at, grown);
      seq = Arrays.copyOf(seq, grown);
      tasks = Arrays.copyOf(tasks, grown);
    }
    siftUp(size++, t);
  }

  /** The earliest live task, dropping cancelled ones from the top; null if none. */
  VirtualScheduler.Task peek() {
    while (size > 0 && tasks[0].done) {
      removeTop();
      cancelled--;
    }
    return size == 0 ? null : tasks[0];
  }

  /** Removes the top; call after {@link #peek()} returned it. */
  void removeTop() {
    int last = --size;
    VirtualScheduler.Task moved = tasks[last];
    tasks[last] = null;
    if (last > 0) {
      siftDown(0, moved);
    }
  }

  /** A task in the heap was cancelled. */
  void cancelled() {
    cancelled++;
    if (cancelled >= PURGE_MIN && 2 * cancelled > size) {
      purge();
    }
  }

  private void purge() {
    int kept = 0;
    for (int i = 0; i < size; i++) {
      if (!tasks[i].done) {
        at[kept] = at[i];
        seq[kept] = seq[i];
        tasks[kept++] = tasks[i];
      }
    }
    Arrays.fill(tasks, kept, size, null);
    size = kept;
    cancelled = 0;
    for (int i = (size >>> 1) - 1; i >= 0; i--) {
      siftDown(i, tasks[i]);
    }
  }

  private void siftUp(int k, VirtualScheduler.Task t) {
    long a = t.atNanos;
    long s = t.seq;
    while (k > 0) {
      int parent = (k - 1) >>> 1;
      if (!before(a, s, at[parent], seq[parent])) {
        break;
      }
      put(k, parent);
      k = parent;
    }
    place(k, t);
  }

  private void siftDown(int k, VirtualScheduler.Task t) {
    long a = t.atNanos;
    long s = t.seq;
    int half = size >>> 1;
    while (k < half) {
      int child = 2 * k + 1;
      int right = child + 1;
      if (right < size && before(at[right], seq[right], at[child], seq[child])) {
        child = right;
      }
      if (!before(at[child], seq[child], a, s)) {
        break;
      }
      put(k, child);
      k = child;
    }
    place(k, t);
  }

  private static boolean before(long atA, long seqA, long atB, long seqB) {
    return atA < atB || (atA == atB && seqA < seqB);
  }

  private void put(int to, int from) {
    at[to] = at[from];
    seq[to] = seq[from];
    tasks[to] = tasks[from];
  }

  private void place(int k, VirtualScheduler.Task t) {
    at[k] = t.atNanos;
    seq[k] = t.seq;
    tasks[k] = t;
  }
}
