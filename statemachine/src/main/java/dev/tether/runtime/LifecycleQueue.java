package dev.tether.runtime;

import dev.tether.machine.LifecycleEvent;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Iterator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A bounded hand-off of lifecycle events to a consumer on another thread. Subscribe it to a
 * connection ({@code connection.subscribe(queue)}) and {@link #take()} or {@link #poll(Duration)}
 * from your thread.
 *
 * <p>Never loses what matters: when the queue is full, a new {@code Reconnecting} (or {@code
 * Connecting}) replaces one of the same kind at the tail (coalescing consecutive attempts, so the
 * consumer sees the latest attempt number), and {@code Connected}, {@code Reconnected} and the
 * terminal event are always enqueued. Only a consumer that stops reading for more than {@code 2 ×
 * capacity} outages loses events: then the oldest non-terminal event is dropped. The terminal event
 * is never dropped and is always last (I1). Every coalesce and drop is counted and logged at {@code
 * warn}.
 *
 * <p>Thread-safe.
 */
public final class LifecycleQueue implements LifecycleListener {
  private static final Logger log = LoggerFactory.getLogger(LifecycleQueue.class);

  /** Default capacity: far more than one outage's attempts with the default policy (10). */
  public static final int DEFAULT_CAPACITY = 64;

  /** Largest capacity: the hard limit, {@code 2 × capacity}, must fit in an {@code int}. */
  public static final int MAX_CAPACITY = Integer.MAX_VALUE / 2;

  private final int capacity;
  private final int hardLimit;
  private final ArrayDeque<LifecycleEvent> events = new ArrayDeque<>(2); // grows on demand
  private long coalesced;
  private long dropped;

  private LifecycleQueue(int capacity) {
    this.capacity = capacity;
    this.hardLimit = Math.multiplyExact(capacity, 2);
  }

  /**
   * A queue of the given capacity.
   *
   * @throws IllegalArgumentException if {@code capacity < 2} or {@code capacity > MAX_CAPACITY}
   */
  public static LifecycleQueue bounded(int capacity) {
    if (capacity < 2 || capacity > MAX_CAPACITY) {
      throw new IllegalArgumentException(
          "capacity must be in [2, " + MAX_CAPACITY + "], was " + capacity);
    }
    return new LifecycleQueue(capacity);
  }

  /** A queue of {@link #DEFAULT_CAPACITY}. */
  public static LifecycleQueue bounded() {
    return bounded(DEFAULT_CAPACITY);
  }

  @Override
  public synchronized void onEvent(LifecycleEvent event) {
    // Full means non-empty (capacity >= 2), so there is a tail to compare with.
    if (events.size() >= capacity && isAttempt(event) && sameKind(events.peekLast(), event)) {
      events.pollLast();
      events.addLast(event);
      coalesced++;
      warnRarely("coalesced", coalesced, event);
    } else {
      events.addLast(event);
      if (events.size() > hardLimit) {
        dropOldestNonTerminal();
      }
    }
    notifyAll();
  }

  /** Waits for and removes the next event. */
  public synchronized LifecycleEvent take() throws InterruptedException {
    while (events.isEmpty()) {
      wait();
    }
    return events.pollFirst();
  }

  /**
   * Removes the next event, waiting up to {@code timeout}.
   *
   * @return the event, or null if none arrived in time
   */
  public synchronized LifecycleEvent poll(Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (events.isEmpty()) {
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        return null;
      }
      wait(Math.max(1, left / 1_000_000));
    }
    return events.pollFirst();
  }

  /** Removes the next event without waiting, or returns null. */
  public synchronized LifecycleEvent poll() {
    return events.pollFirst();
  }

  /** Events waiting to be taken. */
  public synchronized int size() {
    return events.size();
  }

  /** How many events were replaced by a later one of the same kind. */
  public synchronized long coalesced() {
    return coalesced;
  }

  /** How many events were dropped past the hard limit. */
  public synchronized long dropped() {
    return dropped;
  }

  private void dropOldestNonTerminal() {
    for (Iterator<LifecycleEvent> it = events.iterator(); it.hasNext(); ) {
      LifecycleEvent e = it.next();
      if (!e.isTerminal()) {
        it.remove();
        dropped++;
        warnRarely("dropped", dropped, e);
        return;
      }
    }
  }

  private static boolean isAttempt(LifecycleEvent e) {
    return e instanceof LifecycleEvent.Reconnecting || e instanceof LifecycleEvent.Connecting;
  }

  private static boolean sameKind(LifecycleEvent a, LifecycleEvent b) {
    return a.getClass() == b.getClass();
  }

  /** Logs the 1st, 2nd, 4th, 8th, … occurrence so a stuck consumer cannot flood the log. */
  private static void warnRarely(String what, long count, LifecycleEvent e) {
    if (Long.bitCount(count) == 1) {
      log.warn("lifecycle queue full: {} {} (total {})", what, e, count);
    }
  }
}
