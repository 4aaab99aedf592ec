package dev.tether.stub.sim;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The states one session went through, for reports.
 *
 * @param session the session's index
 * @param segments state changes in time order; each lasts until the next one (or the run's end)
 * @param requests request outcomes of the session by name ({@code answered}, {@code timedOut}, ...)
 *     with their counts, in the order a report shows them; empty for a session without requests
 */
public record Timeline(int session, List<Segment> segments, Map<String, Long> requests) {

  /** Copies the segments and the counts. */
  public Timeline {
    segments = List.copyOf(segments);
    requests = Collections.unmodifiableMap(new LinkedHashMap<>(requests));
  }

  /** A timeline of a session without requests. */
  public Timeline(int session, List<Segment> segments) {
    this(session, segments, Map.of());
  }

  /**
   * The session entered {@code state} at {@code atNanos}.
   *
   * @param atNanos simulated time
   * @param state the state's name ({@code Connected}, {@code Reconnecting}, ...)
   * @param label the state's label, such as {@code Reconnecting (2/10)}
   * @param attempt the attempt number of a {@code Connecting} or {@code Reconnecting} state, the
   *     attempts made for {@code PermanentlyDisconnected}, the epoch of {@code Connected}; else 0
   * @param cause why the session entered the state ({@code CHANNEL_CLOSED: ...}), or empty
   */
  public record Segment(long atNanos, String state, String label, int attempt, String cause) {

    /** A segment without attempt and cause. */
    public Segment(long atNanos, String state, String label) {
      this(atNanos, state, label, 0, "");
    }
  }
}
