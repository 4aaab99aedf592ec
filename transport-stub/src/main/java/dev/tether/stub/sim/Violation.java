package dev.tether.stub.sim;

import java.util.List;
import java.util.Objects;

/**
 * The first invariant violation of a run.
 *
 * @param invariant the invariant's id, such as {@code "I1"}
 * @param session the session it happened in, or -1 for the whole run
 * @param atNanos the simulated time
 * @param message what was wrong
 * @param precedingEvents the session's last trace lines before the violation, oldest first
 */
public record Violation(
    String invariant, int session, long atNanos, String message, List<String> precedingEvents) {

  /** Validates the components. */
  public Violation {
    Objects.requireNonNull(invariant, "invariant");
    Objects.requireNonNull(message, "message");
    precedingEvents = List.copyOf(precedingEvents);
  }

  @Override
  public String toString() {
    StringBuilder sb = new StringBuilder();
    sb.append(invariant)
        .append(" violated at ")
        .append(SimText.clock(atNanos))
        .append(" (simulated) in session ")
        .append(session)
        .append(": ")
        .append(message);
    if (!precedingEvents.isEmpty()) {
      sb.append("\npreceding events:");
      for (String e : precedingEvents) {
        sb.append("\n  ").append(e);
      }
    }
    return sb.toString();
  }
}
