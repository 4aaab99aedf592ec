package dev.tether.cli;

import dev.tether.stub.sim.Coverage;
import dev.tether.stub.sim.FaultPlan;
import dev.tether.stub.sim.SimulationResult;
import dev.tether.stub.sim.Violation;
import java.lang.reflect.RecordComponent;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Renders a {@link SimulationResult} as one self-contained HTML page (inline CSS and SVG, no
 * script, no external assets; well-formed XML too, so tests parse it): a time axis in h:mm, a lane
 * per session coloured by state with the fault windows drawn over it, a hover text (state, attempt,
 * cause, time) on every segment, the session's event log when its lane is clicked, its request
 * outcome counts, and for a failing run the violation marked on its lane with the shrunk plan and
 * the replay command. With many sessions, the healthy lanes are folded into one group.
 *
 * <p>The lanes are drawn by {@link ReportLanes}; this class lays out the page.
 */
final class HtmlReport {

  /**
   * What a failing run adds to the report.
   *
   * @param shrunk the shrunk fault plan
   * @param replay the command that replays it
   */
  record Failure(FaultPlan shrunk, String replay) {}

  private HtmlReport() {}

  /**
   * The page.
   *
   * @param failure the shrunk plan and replay command of a failing run, or null
   */
  static String render(SimulationResult r, Failure failure) {
    StringBuilder h = new StringBuilder(64 * 1024);
    h.append("<!DOCTYPE html>\n<html xmlns=\"http://www.w3.org/1999/xhtml\" lang=\"en\"><head>")
        .append("<meta charset=\"utf-8\"/><title>tether simulate: seed ")
        .append(r.seed())
        .append("</title><style>")
        .append(STYLE)
        .append("</style></head><body>\n");
    h.append("<h1>tether simulate — seed ").append(r.seed()).append("</h1>\n");
    h.append("<p class=\"sub\">")
        .append(r.sessions())
        .append(" sessions × ")
        .append(Ticks.span(r.simulatedSeconds() * 1_000_000_000L))
        .append(" simulated · ")
        .append(r.faultsApplied())
        .append(" faults · ")
        .append(
            r.passed()
                ? "<b class=\"ok\">no invariant violated</b>"
                : "<b class=\"bad\">invariant violated</b>")
        .append("</p>\n");
    r.violation().ifPresent(v -> violation(h, v, failure));
    ReportLanes.legend(h);
    new ReportLanes(r).render(h);
    h.append("<h2>Counters</h2>\n");
    counters(h, r);
    h.append("</body></html>\n");
    return h.toString();
  }

  private static void violation(StringBuilder h, Violation v, Failure failure) {
    h.append("<section id=\"violation\" class=\"violation\"><h2>")
        .append(escape(v.invariant()))
        .append(" violated at ")
        .append(Ticks.clock(v.atNanos(), true))
        .append(
            v.session() >= 0
                ? " in session <a href=\"#s" + v.session() + "\">s" + v.session() + "</a>"
                : " (whole run)")
        .append("</h2><p>")
        .append(escape(v.message()))
        .append("</p>");
    if (!v.precedingEvents().isEmpty()) {
      h.append("<p>Preceding events:</p><pre class=\"events\">");
      v.precedingEvents().forEach(e -> h.append(escape(e)).append('\n'));
      h.append("</pre>");
    }
    if (failure != null) {
      h.append("<p>Shrunk fault plan (")
          .append(failure.shrunk().size())
          .append(" faults); save it to FILE:</p><pre class=\"plan\">")
          .append(escape(failure.shrunk().toString()))
          .append("</pre><p>Replay:</p><pre class=\"replay\">")
          .append(escape(failure.replay()))
          .append("</pre>");
    }
    h.append("</section>\n");
  }

  private static void counters(StringBuilder h, SimulationResult r) {
    h.append("<table class=\"counters\">");
    row(h, "sessions", r.sessions());
    row(h, "simulated seconds", r.simulatedSeconds());
    row(h, "faults applied", r.faultsApplied());
    row(h, "transitions", r.transitions());
    row(h, "lifecycle events", r.lifecycleEvents());
    coverage(h, r.coverage());
    row(h, "final states", r.finalStates());
    row(h, "trace hash", r.traceHashHex());
    row(h, "wall ms", r.wallMillis());
    h.append("<tr><th>invariant violations</th><td")
        .append(r.passed() ? ">0" : " class=\"bad\">1: " + escape(r.violation().get().toString()))
        .append("</td></tr></table>\n");
  }

  /** Every counter of {@link Coverage} as a table row. */
  private static void coverage(StringBuilder h, Coverage c) {
    coverageRows(c, (label, value) -> row(h, label, value));
  }

  /**
   * Every counter of {@link Coverage} with its label, in its declared order, so that a counter
   * added there cannot be missing here; a counter without a label below is shown by its name.
   */
  static void coverageRows(Coverage c, java.util.function.BiConsumer<String, Object> row) {
    for (RecordComponent component : Coverage.class.getRecordComponents()) {
      Object value;
      try {
        value = component.getAccessor().invoke(c);
      } catch (ReflectiveOperationException e) {
        throw new IllegalStateException("cannot read coverage " + component.getName(), e);
      }
      row.accept(COVERAGE_LABELS.getOrDefault(component.getName(), component.getName()), value);
    }
  }

  /** Row labels of the {@link Coverage} counters. */
  static final Map<String, String> COVERAGE_LABELS =
      Map.ofEntries(
          Map.entry("permanentlyDisconnected", "permanently disconnected"),
          Map.entry("closedByUser", "closed by user"),
          Map.entry("reconnected", "reconnects"),
          Map.entry("highAttempts", "attempts numbered " + Coverage.HIGH_ATTEMPT + " or more"),
          Map.entry("closeDuringBackoff", "closes during a backoff"),
          Map.entry("staleCallbacks", "stale callbacks ignored"),
          Map.entry("halfOpen", "half-open channels"),
          Map.entry("slowReaderFrames", "frames read by slow readers"),
          Map.entry("writesBlocked", "writes held back by backpressure"),
          Map.entry("flapping", "ended by the flap guard (FLAPPING)"),
          Map.entry("abandonedOpens", "opens abandoned by the client (answered late or never)"),
          Map.entry("lateAcceptsClosed", "late-accepted channels closed at once"));

  private static void row(StringBuilder h, String name, Object value) {
    h.append("<tr><th>")
        .append(name)
        .append("</th><td>")
        .append(escape(String.valueOf(value)))
        .append("</td></tr>");
  }

  /** Escapes text for HTML and XML alike. */
  static String escape(String s) {
    return s.replace("&", "&amp;")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
        .replace("\"", "&quot;");
  }

  /** Joins {@code parts} with a middle dot, skipping empty ones. */
  static String dotted(List<String> parts) {
    List<String> kept = new ArrayList<>();
    for (String p : parts) {
      if (!p.isEmpty()) {
        kept.add(p);
      }
    }
    return String.join(" · ", kept);
  }

  private static final String STYLE =
      String.join(
          "",
          "body{font-family:system-ui,sans-serif;margin:1.5em 2em;color:#222}",
          "h1{margin:0 0 .2em}h2{font-size:1.1em;margin:1.2em 0 .4em}.sub{color:#555;margin-top:0}",
          ".ok{color:#2f9e44}.bad{color:#c92a2a}",
          "table{border-collapse:collapse}td,th{padding:1px 10px;text-align:left;vertical-align:top}",
          ".counters th{font-weight:normal;color:#555;white-space:nowrap}",
          ".violation{border:2px solid #c92a2a;background:#fff5f5;padding:.2em 1em;margin:1em 0}",
          ".violation h2{color:#c92a2a}pre{background:#f8f9fa;padding:.4em;overflow-x:auto}",
          ".legend{font-size:12px}.legend span{display:inline-block;padding:1px 7px;margin:0 4px 4px 0}",
          ".legend .st{color:#fff}.legend .fk{border-bottom:4px solid;background:#f8f9fa}",
          ".axis{position:sticky;top:0;background:#fff;z-index:1;border-bottom:1px solid #ccc}",
          ".lanes svg{display:block}text{font-size:10px;fill:#444}",
          "details.lane>summary{display:flex;align-items:center;cursor:pointer;list-style:none}",
          "details.lane>summary::-webkit-details-marker{display:none}",
          "details.lane>summary:hover{background:#f1f3f5}",
          ".name{width:",
          Integer.toString(ReportLanes.NAME_WIDTH),
          "px;font-size:11px;font-family:monospace;flex:none}",
          ".counts{font-size:11px;color:#555;margin-left:8px;white-space:nowrap}",
          ".violating .name{color:#c92a2a;font-weight:bold}",
          ".log{margin:2px 0 10px ",
          Integer.toString(ReportLanes.NAME_WIDTH),
          "px;font-size:12px}.log td{border-bottom:1px solid #eee}.log .fault td{color:#7048e8}",
          "details.healthy>summary{cursor:pointer;color:#555;margin:6px 0}");
}
