package dev.tether.rpc;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * The counters behind {@link ConnectionStats}: written on the connection's context (and by queued
 * deliveries' executors), read from anywhere without locks.
 */
final class Counters {
  /**
   * Whether a counter moves in a healthy connection's normal work, or only when things go wrong.
   */
  private static final boolean STEADY = true;

  private static final boolean TROUBLE = false;

  enum C {
    IN_FLIGHT(STEADY),
    INTERNAL_IN_FLIGHT(STEADY),
    WAITING(TROUBLE),
    SUCCEEDED(STEADY),
    REMOTE_ERRORS(TROUBLE),
    TIMEOUTS(TROUBLE),
    CONNECTION_LOST(TROUBLE),
    SEND_FAILURES(TROUBLE),
    NOT_CONNECTED(TROUBLE),
    REJECTED(TROUBLE),
    REPLAYED(TROUBLE),
    EVENTS_RECEIVED(STEADY),
    EVENTS_DROPPED(TROUBLE),
    EVENTS_DROPPED_AT_END(TROUBLE),
    HANDLER_ERRORS(TROUBLE),
    UNROUTED(TROUBLE),
    MALFORMED(TROUBLE),
    UNMATCHED(TROUBLE),
    SERVER_REQUESTS(STEADY),
    OVERSIZED(TROUBLE),
    RESUBSCRIBE_FAILURES(TROUBLE),
    HEARTBEAT_MISSES(TROUBLE),
    RECONNECTS(STEADY),
    FRAMES_IN(STEADY),
    BYTES_IN(STEADY),
    FRAMES_OUT(STEADY),
    BYTES_OUT(STEADY),
    BACKLOG_OVERFLOWS(TROUBLE),
    IDLESS_ERRORS(TROUBLE),
    SERVED_ANSWERS(STEADY),
    SERVED_ERRORS(TROUBLE),
    SERVED_DROPPED(TROUBLE),
    UNKNOWN_TOKENS(TROUBLE);

    final boolean steady;

    C(boolean steady) {
      this.steady = steady;
    }
  }

  private static final C[] ALL = C.values();

  /** Each counter's index in its array ({@link #steady} or {@link #trouble}), by ordinal. */
  private static final int[] SLOT = new int[ALL.length];

  private static final int STEADY_SLOTS;
  private static final int TROUBLE_SLOTS;

  static {
    int steady = 0;
    int trouble = 0;
    for (C c : ALL) {
      SLOT[ordinal(c)] = c.steady ? steady++ : trouble++;
    }
    STEADY_SLOTS = steady;
    TROUBLE_SLOTS = trouble;
  }

  private static final VarHandle SLOTS = MethodHandles.arrayElementVarHandle(long[].class);
  private static final VarHandle TROUBLE_ARRAY;

  static {
    try {
      TROUBLE_ARRAY = MethodHandles.lookup().findVarHandle(Counters.class, "trouble", long[].class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  // The counters in plain arrays updated through a VarHandle, as an AtomicLongArray would (without
  // its object). Those of trouble (errors, drops, timeouts: 22 of 33) get their array only when
  // the first of them moves, so a healthy connection keeps 11 slots instead of 33 (B5 in
  // BENCHMARKS.md: 184 B per session; an AtomicLong each was once a quarter of a connection's own
  // heap).
  private final long[] steady = new long[STEADY_SLOTS];
  private volatile long[] trouble; // by TROUBLE_ARRAY: null until a trouble counter moves

  Counters() {}

  long inc(C c) {
    return addAndGet(c, 1);
  }

  void add(C c, long delta) {
    addAndGet(c, delta);
  }

  private long addAndGet(C c, long delta) {
    return (long) SLOTS.getAndAdd(array(c), SLOT[ordinal(c)], delta) + delta;
  }

  /** Sets a gauge. Only the connection's context writes gauges, so ordered stores suffice. */
  void set(C c, long value) {
    if (value == 0 && !c.steady && trouble == null) {
      return; // already 0: no array for it
    }
    SLOTS.setRelease(array(c), SLOT[ordinal(c)], value);
  }

  long get(C c) {
    long[] values = c.steady ? steady : trouble;
    return values == null ? 0 : (long) SLOTS.getVolatile(values, SLOT[ordinal(c)]);
  }

  /** Whether a trouble counter has moved (its array exists). Tests only. */
  boolean troubleSeen() {
    return trouble != null;
  }

  /**
   * The array holding {@code c}: for a trouble counter, created by the first call that needs it.
   */
  private long[] array(C c) {
    if (c.steady) {
      return steady;
    }
    long[] values = trouble;
    if (values == null) {
      values = new long[TROUBLE_SLOTS];
      if (!TROUBLE_ARRAY.compareAndSet(this, null, values)) {
        values = trouble; // another thread made it first: use that one
      }
    }
    return values;
  }

  /**
   * The ordinal of {@code c}. Safe here because the slots live and die with this class in one run
   * of the code, never stored or sent anywhere the enum's order could change.
   */
  @SuppressWarnings("EnumOrdinal")
  private static int ordinal(C c) {
    return c.ordinal();
  }

  static C settledCounter(RpcException.Kind kind) {
    return switch (kind) {
      case REMOTE_ERROR -> C.REMOTE_ERRORS;
      case TIMEOUT -> C.TIMEOUTS;
      case CONNECTION_LOST -> C.CONNECTION_LOST;
      case SEND_FAILED -> C.SEND_FAILURES;
      case NOT_CONNECTED -> C.NOT_CONNECTED;
      case REJECTED -> C.REJECTED;
    };
  }

  ConnectionStats snapshot() {
    return new ConnectionStats(
        get(C.IN_FLIGHT),
        get(C.INTERNAL_IN_FLIGHT),
        get(C.WAITING),
        get(C.SUCCEEDED),
        get(C.REMOTE_ERRORS),
        get(C.TIMEOUTS),
        get(C.CONNECTION_LOST),
        get(C.SEND_FAILURES),
        get(C.NOT_CONNECTED),
        get(C.REJECTED),
        get(C.REPLAYED),
        get(C.EVENTS_RECEIVED),
        get(C.EVENTS_DROPPED),
        get(C.EVENTS_DROPPED_AT_END),
        get(C.HANDLER_ERRORS),
        get(C.UNROUTED),
        get(C.MALFORMED),
        get(C.UNMATCHED),
        get(C.SERVER_REQUESTS),
        get(C.OVERSIZED),
        get(C.RESUBSCRIBE_FAILURES),
        get(C.HEARTBEAT_MISSES),
        get(C.RECONNECTS),
        get(C.FRAMES_IN),
        get(C.BYTES_IN),
        get(C.FRAMES_OUT),
        get(C.BYTES_OUT),
        get(C.BACKLOG_OVERFLOWS),
        get(C.IDLESS_ERRORS),
        get(C.SERVED_ANSWERS),
        get(C.SERVED_ERRORS),
        get(C.SERVED_DROPPED),
        get(C.UNKNOWN_TOKENS));
  }

  /** Whether {@code count} is 1, 2, 4, 8, …: log those occurrences so a flood cannot flood logs. */
  static boolean rarely(long count) {
    return Long.bitCount(count) == 1;
  }
}
