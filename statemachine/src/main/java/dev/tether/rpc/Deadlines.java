package dev.tether.rpc;

import dev.tether.rpc.Ledger.Pending;
import dev.tether.runtime.spi.Scheduler;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * The deadlines of one connection's requests, swept by at most one scheduler timer instead of a
 * timer per request.
 *
 * <p>Requests with the same timeout fall due in the order they were armed, so each distinct timeout
 * keeps a FIFO lane (an intrusive doubly linked list through {@link Pending}): arming appends,
 * disarming unlinks in O(1), and the earliest deadline is at the head of one of the lanes. The one
 * timer is armed for the earliest deadline; when it fires, every request due by then expires, in
 * deadline order (ties in arming order, as a timer per request would have fired), and the timer is
 * re-armed for the next one. When the last deadline is disarmed the timer is cancelled, so a
 * connection with nothing in flight holds no timer (I4).
 *
 * <p>Confined to the connection's context.
 */
final class Deadlines {
  /**
   * Distinct timeouts that keep a lane while empty. Almost every request uses the connection's
   * default; a few more are probes and per-request overrides. Beyond this, empty lanes are dropped
   * so that many one-off timeouts cannot grow the list.
   */
  private static final int KEPT_EMPTY_LANES = 8;

  private final Scheduler scheduler;
  private final Consumer<Pending> expired;
  private final List<Lane> lanes = new ArrayList<>(2);
  private Lane recent; // the lane armed last: the common case hits it without a search
  private Scheduler.Cancellable timer;
  private long timerDueNanos;
  private boolean sweeping;
  private long armSeq; // counts arms; breaks ties between lanes
  private int live;

  /**
   * @param scheduler the connection's scheduler: its clock and its timer
   * @param expired called, on the context, for each request whose deadline passed (already
   *     disarmed)
   */
  Deadlines(Scheduler scheduler, Consumer<Pending> expired) {
    this.scheduler = scheduler;
    this.expired = expired;
  }

  /** Arms {@code p}'s deadline: {@code p.timeout} from now. */
  void arm(Pending p) {
    if (p.lane != null) {
      throw new IllegalStateException(p.method + " is already armed");
    }
    Lane lane = laneFor(p.timeout);
    p.dueNanos = scheduler.nanoTime() + lane.timeoutNanos;
    p.armedSeq = ++armSeq;
    lane.append(p);
    live++;
    if (!sweeping && (timer == null || p.dueNanos < timerDueNanos)) {
      rearm(p.dueNanos);
    }
  }

  /** Disarms {@code p}'s deadline if armed; cancels the timer once nothing is armed. */
  void disarm(Pending p) {
    Lane lane = p.lane;
    if (lane == null) {
      return;
    }
    lane.unlink(p);
    live--;
    if (lane.head == null && lanes.size() > KEPT_EMPTY_LANES) {
      lanes.remove(lane);
      if (recent == lane) {
        recent = null;
      }
    }
    if (live == 0 && timer != null) {
      timer.cancel();
      timer = null;
    }
  }

  /** How many deadlines are armed. */
  int armed() {
    return live;
  }

  private Lane laneFor(Duration timeout) {
    long nanos = timeout.toNanos();
    if (recent != null && recent.timeoutNanos == nanos) {
      return recent;
    }
    for (Lane lane : lanes) {
      if (lane.timeoutNanos == nanos) {
        recent = lane;
        return lane;
      }
    }
    recent = new Lane(nanos);
    lanes.add(recent);
    return recent;
  }

  private void rearm(long dueNanos) {
    if (timer != null) {
      timer.cancel();
    }
    timerDueNanos = dueNanos;
    long delay = Math.max(0, dueNanos - scheduler.nanoTime());
    timer = scheduler.schedule(Duration.ofNanos(delay), this::sweep);
  }

  /** The timer fired: expires everything due, in deadline order, then re-arms for the next. */
  private void sweep() {
    timer = null;
    sweeping = true;
    try {
      long now = scheduler.nanoTime();
      Pending next;
      while ((next = earliest()) != null && next.dueNanos <= now) {
        disarm(next);
        expired.accept(next); // may arm or disarm others: earliest() looks again
      }
    } finally {
      sweeping = false;
    }
    Pending next = earliest();
    if (next != null) {
      rearm(next.dueNanos);
    }
  }

  private Pending earliest() {
    Pending best = null;
    for (Lane lane : lanes) {
      Pending head = lane.head;
      if (head != null
          && (best == null
              || head.dueNanos < best.dueNanos
              || (head.dueNanos == best.dueNanos && head.armedSeq < best.armedSeq))) {
        best = head;
      }
    }
    return best;
  }

  /** The armed requests of one timeout, earliest deadline first. */
  static final class Lane {
    final long timeoutNanos;
    Pending head;
    Pending tail;

    Lane(long timeoutNanos) {
      this.timeoutNanos = timeoutNanos;
    }

    void append(Pending p) {
      p.lane = this;
      p.prevDue = tail;
      p.nextDue = null;
      if (tail == null) {
        head = p;
      } else {
        tail.nextDue = p;
      }
      tail = p;
    }

    void unlink(Pending p) {
      if (p.prevDue == null) {
        head = p.nextDue;
      } else {
        p.prevDue.nextDue = p.nextDue;
      }
      if (p.nextDue == null) {
        tail = p.prevDue;
      } else {
        p.nextDue.prevDue = p.prevDue;
      }
      p.lane = null;
      p.prevDue = null;
      p.nextDue = null;
    }
  }
}
