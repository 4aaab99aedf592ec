package dev.tether.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** Simulated time as a report shows it: clock readings from the run's start, and axis ticks. */
final class Ticks {
  /** About this many ticks on an axis at most: one every 100 px of a 1000 px lane, labels apart. */
  static final int MAX_TICKS = 12;

  /** Tick steps to choose from, in seconds: the round ones a person reads at a glance. */
  private static final long[] STEPS_SECONDS = {
    1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10800, 21600, 43200, 86400
  };

  private static final long SECOND = 1_000_000_000L;

  private Ticks() {}

  /**
   * The tick positions of an axis from 0 to {@code endNanos}, in nanoseconds: multiples of the
   * smallest round step that gives at most {@link #MAX_TICKS} ticks.
   */
  static List<Long> of(long endNanos) {
    long step = step(endNanos);
    List<Long> out = new ArrayList<>();
    for (long t = 0; t <= endNanos; t += step) {
      out.add(t);
    }
    return out;
  }

  /** The step of {@link #of}, in nanoseconds. */
  static long step(long endNanos) {
    for (long s : STEPS_SECONDS) {
      if (endNanos / (s * SECOND) <= MAX_TICKS) {
        return s * SECOND;
      }
    }
    long days = 86400 * SECOND;
    return days * Math.max(1, (endNanos / days + MAX_TICKS - 1) / MAX_TICKS);
  }

  /** A tick label: {@code h:mm}, or {@code h:mm:ss} when the step is under a minute. */
  static String label(long atNanos, long stepNanos) {
    return clock(atNanos, stepNanos % (60 * SECOND) != 0);
  }

  /** {@code h:mm}, or {@code h:mm:ss} with {@code seconds}, of a time from the run's start. */
  static String clock(long atNanos, boolean seconds) {
    long s = atNanos / SECOND;
    String hm = String.format(Locale.ROOT, "%d:%02d", s / 3600, s / 60 % 60);
    return seconds ? hm + String.format(Locale.ROOT, ":%02d", s % 60) : hm;
  }

  /** {@code h:mm:ss.mmm}, for event logs. */
  static String precise(long atNanos) {
    return clock(atNanos, true) + String.format(Locale.ROOT, ".%03d", atNanos / 1_000_000 % 1000);
  }

  /** A length such as {@code 450ms}, {@code 12s}, {@code 3m20s} or {@code 2h05m}. */
  static String span(long nanos) {
    long ms = nanos / 1_000_000;
    if (ms < 1000) {
      return ms + "ms";
    }
    long s = ms / 1000;
    if (s < 60) {
      return s + "s";
    }
    if (s < 3600) {
      return s % 60 == 0 ? s / 60 + "m" : String.format(Locale.ROOT, "%dm%02ds", s / 60, s % 60);
    }
    return String.format(Locale.ROOT, "%dh%02dm", s / 3600, s / 60 % 60);
  }
}
