package dev.tether.rpc;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayDeque;
import java.util.concurrent.RejectedExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One subscription's bounded event queue, filled on the connection's context and drained on the
 * delivery's executor. Thread-safe.
 */
final class QueuedLane {
  private static final Logger log = LoggerFactory.getLogger(QueuedLane.class);

  /**
   * Events handled per executor task before yielding it, so one busy stream cannot monopolise a
   * shared executor.
   */
  static final int MAX_BATCH = 256;

  private final String name;
  private final Delivery delivery;

  private final StreamHandler handler;
  private final Counters counters;
  private final Runnable onRoom;
  private final ArrayDeque<JsonNode> queue = new ArrayDeque<>();
  private boolean draining;
  private boolean closed;
  private long dropped;
  private Runnable last; // a demanded lane's terminal signal, run once by the drain after close
  private boolean lastRun;

  /**
   * @param onRoom called (on the executor) when a full {@code PAUSE} queue gets room again
   */
  QueuedLane(
      String name, Delivery delivery, StreamHandler handler, Counters counters, Runnable onRoom) {
    this.name = name;
    this.delivery = delivery;
    this.handler = handler;
    this.counters = counters;
    this.onRoom = onRoom;
    if (delivery.demand() != null) {
      delivery.demand().attach(this);
    }
  }

  /** The delivery options. */
  Delivery delivery() {
    return delivery;
  }

  /** Whether the queue is at capacity. */
  synchronized boolean full() {
    return queue.size() >= delivery.capacity();
  }

  /** Events waiting. */
  synchronized int size() {
    return queue.size();
  }

  /** Enqueues {@code event}, applying the overflow policy when full. Called on the context. */
  void offer(JsonNode event) {
    boolean start;
    synchronized (this) {
      if (closed) {
        return;
      }
      if (queue.size() < delivery.capacity()) {
        queue.addLast(event);
      } else if (delivery.overflow() == Delivery.Overflow.DROP_OLDEST) {
        queue.pollFirst();
        queue.addLast(event);
        drop();
      } else {
        // DROP_NEWEST; a PAUSE queue is never offered to when full (reading stops first).
        drop();
      }
      start = !draining;
      draining = true;
    }
    if (start) {
      submit();
    }
  }

  /**
   * Stops delivery and discards what is queued: no handler call starts afterwards (one already
   * started on the executor finishes). Idempotent.
   *
   * @return how many queued events were discarded
   */
  synchronized int close() {
    closed = true;
    int discarded = queue.size();
    queue.clear();
    return discarded;
  }

  /**
   * Closes the lane of a cancelled subscription: the events still queued are dropped, counted in
   * {@code eventsDropped} and named in one warning (a dropped event is never silent).
   */
  void cancel() {
    int discarded = close();
    if (discarded > 0) {
      counters.add(Counters.C.EVENTS_DROPPED, discarded);
      log.warn("{}: cancelled with {} events queued; they are dropped", name, discarded);
    }
  }

  /**
   * A demanded lane got demand (or must run its terminal signal): starts a drain unless one runs.
   * Any thread.
   */
  void kick() {
    synchronized (this) {
      boolean work = closed ? last != null : !queue.isEmpty();
      if (draining || !work) {
        return;
      }
      draining = true;
    }
    submit();
  }

  /**
   * Closes the lane like {@link #close()}, then runs {@code terminal} once on the executor, after
   * any handler call in progress (a {@link java.util.concurrent.Flow} subscriber's last signal).
   */
  void finish(Runnable terminal) {
    int discarded;
    synchronized (this) {
      discarded = close();
      if (last != null) {
        return;
      }
      last = terminal;
    }
    if (discarded > 0) { // at the connection's end they were counted already (and none are left)
      counters.add(Counters.C.EVENTS_DROPPED, discarded);
    }
    kick();
  }

  private void drop() {
    counters.inc(Counters.C.EVENTS_DROPPED);
    if (Counters.rarely(++dropped)) {
      log.warn(
          "{}: queue full ({} events, {}): dropped {} events so far",
          name,
          delivery.capacity(),
          delivery.overflow(),
          dropped);
    }
  }

  private void submit() {
    try {
      delivery.executor().execute(this::drain);
    } catch (RejectedExecutionException e) {
      int lost;
      synchronized (this) {
        lost = queue.size();
        queue.clear();
        draining = false;
      }
      counters.add(Counters.C.EVENTS_DROPPED, lost);
      log.warn("{}: delivery executor rejected work; dropped {} events", name, lost, e);
    }
  }

  private void drain() {
    for (int i = 0; i < MAX_BATCH; i++) {
      JsonNode event;
      boolean wasFull;
      Runnable terminal = null;
      synchronized (this) {
        wasFull = queue.size() >= delivery.capacity();
        Demand demand = delivery.demand();
        boolean granted = closed || queue.isEmpty() || demand == null || demand.take();
        event = closed || !granted ? null : queue.pollFirst();
        if (event == null) {
          draining = false;
          if (closed && last != null && !lastRun) {
            terminal = last;
            lastRun = true;
            draining = true; // stays: nothing runs after the terminal signal
          }
        }
      }
      if (event == null) {
        if (terminal != null) {
          terminal.run();
        }
        return;
      }
      if (wasFull && delivery.overflow() == Delivery.Overflow.PAUSE) {
        onRoom.run();
      }
      deliver(event);
    }
    submit(); // yield the executor, continue later
  }

  private void deliver(JsonNode event) {
    try {
      handler.onEvent(event);
    } catch (RuntimeException e) {
      long n = counters.inc(Counters.C.HANDLER_ERRORS);
      if (Counters.rarely(n)) {
        log.warn("{}: stream handler threw ({} so far)", name, n, e);
      }
    }
  }
}
