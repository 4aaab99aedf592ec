package dev.tether.rpc;

import java.util.Objects;
import java.util.concurrent.Executor;

/**
 * How a stream's events reach its handler (the data lane). Immutable and thread-safe.
 *
 * <ul>
 *   <li>{@link #direct()} (the default): on the connection's context, as each frame is read.
 *   <li>{@link #queued}: through a bounded queue drained on an executor of your choice; when the
 *       queue is full, the {@link Overflow} policy applies. Every dropped event is counted in
 *       {@link ConnectionStats#eventsDropped()} and logged at {@code warn}, rate-limited.
 * </ul>
 */
public final class Delivery {
  /** Largest queue accepted: a bound on memory per subscription (events can be MiBs). */
  public static final int MAX_CAPACITY = 1 << 20;

  private static final Delivery DIRECT = new Delivery(null, 0, Overflow.DROP_NEWEST, null);

  /** What to do with an event when the queue is full. */
  public enum Overflow {
    /** Discard the oldest queued event to make room. */
    DROP_OLDEST,
    /** Discard the new event. */
    DROP_NEWEST,
    /**
     * Hold back stream events until the queue has room: every inbound notification (of any stream)
     * waits, in order, in a backlog, while answers to requests still flow. Once the backlog holds a
     * look-ahead of notifications (1024, or half of {@link RpcConnectionBuilder#maxBacklogFrames}
     * when smaller) the connection stops reading the socket, so TCP pushes the server back; it
     * reads again when the consumer has drained half of them. Nothing is dropped and the channel is
     * kept while the connection lives; only a transport that cannot pause can overrun {@code
     * maxBacklogFrames}, which then loses the channel ({@code PROTOCOL_ERROR}, counted in {@link
     * ConnectionStats#backlogOverflows()}).
     */
    PAUSE
  }

  private final Executor executor;
  private final int capacity;
  private final Overflow overflow;
  private final Demand demand; // null: hand out every event; else only as many as requested

  private Delivery(Executor executor, int capacity, Overflow overflow, Demand demand) {
    this.executor = executor;
    this.capacity = capacity;
    this.overflow = overflow;
    this.demand = demand;
  }

  /** Events are handled on the connection's context as they arrive. */
  public static Delivery direct() {
    return DIRECT;
  }

  /**
   * Events go through a bounded queue drained on {@code executor}.
   *
   * @throws IllegalArgumentException if {@code capacity} is not in 1..{@link #MAX_CAPACITY}
   */
  public static Delivery queued(Executor executor, int capacity, Overflow overflow) {
    Objects.requireNonNull(executor, "executor");
    Objects.requireNonNull(overflow, "overflow");
    if (capacity < 1 || capacity > MAX_CAPACITY) {
      throw new IllegalArgumentException(
          "capacity must be in 1.." + MAX_CAPACITY + ", was " + capacity);
    }
    return new Delivery(executor, capacity, overflow, null);
  }

  /**
   * A {@link Overflow#PAUSE} queue that hands out only as many events as {@code demand} allows: the
   * data lane of a {@link StreamPublisher} subscription, whose unmet demand stops reading.
   */
  static Delivery demanded(Executor executor, int capacity, Demand demand) {
    Objects.requireNonNull(demand, "demand");
    Delivery checked = queued(executor, capacity, Overflow.PAUSE);
    return new Delivery(checked.executor, checked.capacity, checked.overflow, demand);
  }

  /** The demand that gates a {@link #demanded} queue; null otherwise. */
  Demand demand() {
    return demand;
  }

  /** Whether events are queued (false: direct). */
  public boolean isQueued() {
    return executor != null;
  }

  /** The executor draining the queue; null for direct delivery. */
  public Executor executor() {
    return executor;
  }

  /** The queue's capacity; 0 for direct delivery. */
  public int capacity() {
    return capacity;
  }

  /** The overflow policy (meaningless for direct delivery). */
  public Overflow overflow() {
    return overflow;
  }
}
