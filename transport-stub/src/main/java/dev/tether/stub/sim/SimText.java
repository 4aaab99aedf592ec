package dev.tether.stub.sim;

import java.lang.reflect.RecordComponent;
import java.time.Duration;
import java.util.Locale;
import java.util.Optional;

/**
 * How the simulator writes for a person (violations, their preceding events): simulated time as
 * {@code h:mm:ss.SSS}, durations in milliseconds, events as their name and fields, faults as the
 * plan lines a user writes, never {@code PT0.1S} or a record's {@code toString()}.
 */
final class SimText {
  private SimText() {}

  /** {@code nanos} of simulated time as {@code h:mm:ss.SSS} (hours go past 24). */
  static String clock(long nanos) {
    long ms = nanos / 1_000_000;
    return String.format(
        Locale.ROOT,
        "%d:%02d:%02d.%03d",
        ms / 3_600_000,
        ms / 60_000 % 60,
        ms / 1000 % 60,
        ms % 1000);
  }

  /**
   * A trace entry: a fault as its fault plan line ({@code outage 0 1836170 694813}: what {@link
   * FaultPlan#parse} reads, so a person can copy it into a plan); another record (a lifecycle
   * event) as its name and its fields ({@code Reconnecting attempt 1, maxAttempts -1, delay 108 ms,
   * cause CHANNEL_ERROR: dropped}); anything else as it prints itself.
   */
  static String entry(Object entry) {
    if (entry instanceof Fault || !(entry instanceof Record r)) {
      return String.valueOf(entry);
    }
    StringBuilder sb = new StringBuilder(r.getClass().getSimpleName());
    String sep = " ";
    for (RecordComponent c : r.getClass().getRecordComponents()) {
      Object v;
      try {
        v = c.getAccessor().invoke(r);
      } catch (ReflectiveOperationException e) {
        v = "?";
      }
      if (v instanceof Optional<?> o) {
        if (o.isEmpty()) {
          continue;
        }
        v = o.get();
      }
      sb.append(sep).append(c.getName()).append(' ').append(value(v));
      sep = ", ";
    }
    return sb.toString();
  }

  private static String value(Object v) {
    if (v instanceof Duration d) {
      long micros = d.toNanos() / 1000;
      return micros % 1000 == 0
          ? d.toMillis() + " ms"
          : String.format(Locale.ROOT, "%.3f ms", micros / 1000.0);
    }
    return String.valueOf(v);
  }
}
