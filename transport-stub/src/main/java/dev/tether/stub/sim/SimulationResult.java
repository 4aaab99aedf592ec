package dev.tether.stub.sim;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What a {@link Simulation} run did.
 *
 * @param seed the seed
 * @param sessions number of sessions
 * @param simulatedSeconds simulated time covered
 * @param transitions lifecycle events emitted by the connections
 * @param lifecycleEvents lifecycle events delivered to subscribers (late subscribers included)
 * @param faultsApplied faults of the plan that took effect
 * @param traceHash the trace's hash (I9): equal seeds and configs give equal hashes
 * @param wallMillis wall-clock time of the run
 * @param violation the first invariant violation, if any
 * @param coverage what the run reached
 * @param finalStates how many sessions ended the simulated time in each state (by name)
 * @param timelines state timelines of the first sessions, for reports
 * @param plan the fault plan that was run
 */
public record SimulationResult(
    long seed,
    int sessions,
    long simulatedSeconds,
    long transitions,
    long lifecycleEvents,
    long faultsApplied,
    long traceHash,
    long wallMillis,
    Optional<Violation> violation,
    Coverage coverage,
    Map<String, Long> finalStates,
    List<Timeline> timelines,
    FaultPlan plan) {

  /** Copies the collections. */
  public SimulationResult {
    finalStates = Map.copyOf(finalStates);
    timelines = List.copyOf(timelines);
  }

  /** Whether no invariant was violated. */
  public boolean passed() {
    return violation.isEmpty();
  }

  /** The trace hash as 16 hex digits. */
  public String traceHashHex() {
    return String.format("%016x", traceHash);
  }

  /** One line of JSON with the run's figures (the {@code tether simulate --json} summary). */
  public String toJson() {
    return toJson(null);
  }

  /**
   * One line of JSON with the run's figures and, if {@code shrunk} is not null, a {@code
   * "shrunkPlan"} field holding the shrunk plan in the form {@link FaultPlan#parse} reads.
   */
  public String toJson(FaultPlan shrunk) {
    return "{\"seed\":"
        + seed
        + ",\"sessions\":"
        + sessions
        + ",\"simulatedSeconds\":"
        + simulatedSeconds
        + ",\"transitions\":"
        + transitions
        + ",\"lifecycleEvents\":"
        + lifecycleEvents
        + ",\"faults\":"
        + faultsApplied
        + ",\"invariantViolations\":"
        + (violation.isPresent() ? 1 : 0)
        + ",\"violation\":"
        + violation.map(v -> Json.quote(v.invariant() + ": " + v.message())).orElse("null")
        + ",\"traceHash\":\""
        + traceHashHex()
        + "\",\"wallMillis\":"
        + wallMillis
        + ",\"coverage\":{\"permanentlyDisconnected\":"
        + coverage.permanentlyDisconnected()
        + ",\"closedByUser\":"
        + coverage.closedByUser()
        + ",\"reconnected\":"
        + coverage.reconnected()
        + ",\"highAttempts\":"
        + coverage.highAttempts()
        + ",\"closeDuringBackoff\":"
        + coverage.closeDuringBackoff()
        + ",\"staleCallbacks\":"
        + coverage.staleCallbacks()
        + ",\"halfOpen\":"
        + coverage.halfOpen()
        + ",\"slowReaderFrames\":"
        + coverage.slowReaderFrames()
        + ",\"writesBlocked\":"
        + coverage.writesBlocked()
        + ",\"flapping\":"
        + coverage.flapping()
        + ",\"abandonedOpens\":"
        + coverage.abandonedOpens()
        + ",\"lateAcceptsClosed\":"
        + coverage.lateAcceptsClosed()
        + "}"
        + (shrunk == null ? "" : ",\"shrunkPlan\":" + Json.quote(shrunk.toString()))
        + "}";
  }

  /** Minimal JSON string quoting. */
  static final class Json {
    private Json() {}

    static String quote(String s) {
      StringBuilder sb = new StringBuilder("\"");
      for (int i = 0; i < s.length(); i++) {
        char c = s.charAt(i);
        if (c == '"' || c == '\\') {
          sb.append('\\').append(c);
        } else if (c < 0x20) {
          sb.append(String.format("\\u%04x", (int) c));
        } else {
          sb.append(c);
        }
      }
      return sb.append('"').toString();
    }
  }
}
