package dev.tether.rpc;

import java.util.concurrent.atomic.AtomicLong;

/**
 * A {@link java.util.concurrent.Flow} subscriber's outstanding demand, and the one {@link
 * QueuedLane} it gates: the lane hands out an event only against a unit of demand, so unmet demand
 * fills the lane and, as a {@link Delivery.Overflow#PAUSE} lane, stops reading (R4). Thread-safe.
 */
final class Demand {
  private final AtomicLong requested = new AtomicLong();
  private volatile QueuedLane lane; // set when the lane is made, before any request can reach it
  private volatile boolean open; // onSubscribe has returned
  private Runnable deferredFinish; // guarded by this: a last signal asked for before open()

  /** Set once, by the lane this demand gates. */
  void attach(QueuedLane gated) {
    this.lane = gated;
  }

  /**
   * Adds {@code n} (positive) to the demand, saturating at {@link Long#MAX_VALUE}, which counts as
   * unbounded (rule 3.17), and lets the lane hand out what it holds.
   */
  void add(long n) {
    requested.accumulateAndGet(n, Demand::saturatedAdd);
    kick();
  }

  /**
   * Lets the lane hand out events from now on: called once {@code onSubscribe} has returned, so
   * that no {@code onNext} can overlap it even when it requests (rule 1.3).
   */
  void open() {
    Runnable deferred;
    synchronized (this) {
      open = true;
      deferred = deferredFinish;
      deferredFinish = null;
    }
    if (deferred != null) {
      lane.finish(deferred);
    } else {
      kick();
    }
  }

  private void kick() {
    QueuedLane l = lane;
    if (l != null && open) {
      l.kick();
    }
  }

  /** Takes one unit of demand; false if there is none, or the subscriber is not set up yet. */
  boolean take() {
    if (!open) {
      return false;
    }
    while (true) {
      long r = requested.get();
      if (r == 0) {
        return false;
      }
      if (r == Long.MAX_VALUE || requested.compareAndSet(r, r - 1)) {
        return true;
      }
    }
  }

  /**
   * Ends delivery: the lane discards what it holds and runs {@code last} once on its executor,
   * after any event being handed out, so the terminal signal never overlaps an {@code onNext} (rule
   * 1.3). Asked for inside {@code onSubscribe} (an error for {@code request(0)}), it waits for
   * {@link #open}, so that it does not overlap {@code onSubscribe} either (rules 1.3, 3.9).
   */
  void finish(Runnable last) {
    synchronized (this) {
      if (!open) {
        if (deferredFinish == null) {
          deferredFinish = last;
        }
        return;
      }
    }
    lane.finish(last);
  }

  private static long saturatedAdd(long a, long b) {
    long sum = a + b;
    return sum < 0 ? Long.MAX_VALUE : sum;
  }
}
