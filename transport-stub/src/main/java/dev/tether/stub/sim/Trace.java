package dev.tether.stub.sim;

import java.util.function.Consumer;

/**
 * The compact event log of a run and its running hash (I9). Every record is a few integers, hashed
 * with 64-bit FNV-1a in a fixed order, so the hash does not depend on the JVM, the platform or hash
 * iteration order. When a sink is given, each record is also written to it as one JSON line.
 *
 * <p>Not thread-safe; used from the simulation's thread.
 */
final class Trace {
  private static final long FNV_OFFSET = 0xcbf29ce484222325L;
  private static final long FNV_PRIME = 0x100000001b3L;

  private final Consumer<String> sink;
  private long hash = FNV_OFFSET;
  private long records;

  Trace(Consumer<String> sink) {
    this.sink = sink;
  }

  /**
   * Records one entry.
   *
   * @param atNanos simulated time
   * @param session the session, or -1
   * @param kind a short name: an event name or a fault keyword
   * @param a first number (attempt, epoch, ...), 0 if none
   * @param b second number (delay in ns, length in ms, ...), 0 if none
   */
  void record(long atNanos, int session, String kind, long a, long b) {
    mix(atNanos);
    mix(session);
    for (int i = 0; i < kind.length(); i++) {
      mixByte(kind.charAt(i));
    }
    mix(a);
    mix(b);
    records++;
    if (sink != null) {
      sink.accept(
          "{\"tNanos\":"
              + atNanos
              + ",\"session\":"
              + session
              + ",\"kind\":\""
              + kind
              + "\",\"a\":"
              + a
              + ",\"b\":"
              + b
              + "}");
    }
  }

  long hash() {
    return hash;
  }

  long records() {
    return records;
  }

  private void mix(long v) {
    for (int i = 0; i < 8; i++) {
      mixByte((int) (v >>> (8 * i)));
    }
  }

  private void mixByte(int b) {
    hash = (hash ^ (b & 0xff)) * FNV_PRIME;
  }
}
