package dev.tether.session;

/** One telemetry sample collected by a session's poller. */
public sealed interface TelemetrySample {

  /**
   * Heap usage.
   *
   * @param heapUsedBytes bytes in use
   * @param heapCapacityBytes bytes reserved
   */
  record Memory(long heapUsedBytes, long heapCapacityBytes) implements TelemetrySample {}

  /**
   * A garbage collection.
   *
   * @param kind collector or generation name
   * @param pauseMicros pause length
   */
  record Gc(String kind, long pauseMicros) implements TelemetrySample {}

  /**
   * One rendered frame.
   *
   * @param number frame number
   * @param buildMicros time to build
   * @param rasterMicros time to rasterize
   */
  record Frame(long number, long buildMicros, long rasterMicros) implements TelemetrySample {}
}
