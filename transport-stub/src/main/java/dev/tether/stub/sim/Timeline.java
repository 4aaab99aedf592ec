package dev.tether.stub.sim;

import java.util.List;

/**
 * The states one session went through, for reports.
 *
 * @param session the session's index
 * @param segments state changes in time order; each lasts until the next one (or the run's end)
 */
public record Timeline(int session, List<Segment> segments) {

  /** Copies the segments. */
  public Timeline {
    segments = List.copyOf(segments);
  }

  /**
   * The session entered {@code state} at {@code atNanos}.
   *
   * @param atNanos simulated time
   * @param state the state's name ({@code Connected}, {@code Reconnecting}, ...)
   * @param label the state's label, such as {@code Reconnecting (2/10)}
   */
  public record Segment(long atNanos, String state, String label) {}
}
