package dev.tether.rpc;

import java.util.concurrent.atomic.AtomicLongArray;

/**
 * The counters behind {@link ConnectionStats}: written on the connection's context (and by queued
 * deliveries' executors), read from anywhere without locks.
 */
final class Counters {
  enum C {
    IN_FLIGHT,
    INTERNAL_IN_FLIGHT,
    WAITING,
    SUCCEEDED,
    REMOTE_ERRORS,
    TIMEOUTS,
    CONNECTION_LOST,
    SEND_FAILURES,
    NOT_CONNECTED,
    REJECTED,
    REPLAYED,
    EVENTS_RECEIVED,
    EVENTS_DROPPED,
    EVENTS_DROPPED_AT_END,
    HANDLER_ERRORS,
    UNROUTED,
    MALFORMED,
    UNMATCHED,
    SERVER_REQUESTS,
    OVERSIZED,
    RESUBSCRIBE_FAILURES,
    HEARTBEAT_MISSES,
    RECONNECTS,
    FRAMES_IN,
    BYTES_IN,
    FRAMES_OUT,
    BYTES_OUT,
    BACKLOG_OVERFLOWS,
    IDLESS_ERRORS,
    SERVED_ANSWERS,
    SERVED_ERRORS,
    SERVED_DROPPED,
    UNKNOWN_TOKENS
  }

  private static final C[] ALL = C.values();

  // One slot per counter, indexed by ordinal: a connection's counters in one array object (an
  // AtomicLong each was a quarter of an idle connection's own heap).
  private final AtomicLongArray values = new AtomicLongArray(ALL.length);

  Counters() {}

  long inc(C c) {
    return values.incrementAndGet(slot(c));
  }

  void add(C c, long delta) {
    values.addAndGet(slot(c), delta);
  }

  /** Sets a gauge. Only the connection's context writes gauges, so ordered stores suffice. */
  void set(C c, long value) {
    values.lazySet(slot(c), value);
  }

  long get(C c) {
    return values.get(slot(c));
  }

  /**
   * The slot of {@code c}: its ordinal. Safe here because the array lives and dies with this object
   * in one run of the code, never stored or sent anywhere the enum's order could change.
   */
  @SuppressWarnings("EnumOrdinal")
  private static int slot(C c) {
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
