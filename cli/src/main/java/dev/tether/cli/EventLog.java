package dev.tether.cli;

import static dev.tether.cli.HtmlReport.escape;

import dev.tether.stub.sim.Fault;
import dev.tether.stub.sim.Timeline;
import java.util.List;
import java.util.Locale;

/**
 * One session's event log in an {@link HtmlReport}: its states and the faults that hit it, in time
 * order, at most {@link ReportLanes#MAX_LOG_ROWS} rows, and its request outcome counts.
 */
final class EventLog {
  private EventLog() {}

  static void render(StringBuilder h, Timeline t, List<Fault> faults) {
    h.append("<table class=\"log\"><tr><th>time</th><th>event</th><th>attempt</th>")
        .append("<th>cause</th></tr>");
    List<Timeline.Segment> segs = t.segments();
    int s = 0;
    int f = 0;
    int rows = 0;
    while ((s < segs.size() || f < faults.size()) && rows < ReportLanes.MAX_LOG_ROWS) {
      // At the same instant the fault comes first: it is what the state change answers.
      boolean fault =
          f < faults.size()
              && (s >= segs.size()
                  || faults.get(f).atMillis() * 1_000_000L <= segs.get(s).atNanos());
      if (fault) {
        Fault x = faults.get(f++);
        row(h, "fault", x.atMillis() * 1_000_000L, describe(x), "", "");
      } else {
        Timeline.Segment x = segs.get(s++);
        String attempt = x.attempt() == 0 ? "" : String.valueOf(x.attempt());
        row(h, "", x.atNanos(), x.label(), attempt, x.cause());
      }
      rows++;
    }
    int left = segs.size() - s + faults.size() - f;
    if (left > 0) {
      h.append("<tr><td colspan=\"4\">… ")
          .append(left)
          .append(" more (the full trace: tether simulate --trace FILE)</td></tr>");
    }
    h.append("</table>");
    if (!t.requests().isEmpty()) {
      h.append("<table class=\"log\"><tr><th>requests</th>");
      t.requests().keySet().forEach(k -> h.append("<th>").append(escape(k)).append("</th>"));
      h.append("</tr><tr><td>count</td>");
      t.requests().values().forEach(v -> h.append("<td>").append(v).append("</td>"));
      h.append("</tr></table>");
    }
  }

  private static void row(
      StringBuilder h, String cls, long atNanos, String what, String attempt, String cause) {
    h.append(cls.isEmpty() ? "<tr>" : "<tr class=\"" + cls + "\">")
        .append("<td>")
        .append(Ticks.precise(atNanos))
        .append("</td><td>")
        .append(escape(what))
        .append("</td><td>")
        .append(attempt)
        .append("</td><td>")
        .append(escape(cause))
        .append("</td></tr>");
  }

  /** A fault's keyword, as in a plan line ({@code half-open}). */
  static String keyword(Fault f) {
    return f.kind().name().toLowerCase(Locale.ROOT).replace('_', '-');
  }

  /** A fault for a person: kind, when and how long, and its plan line. */
  static String describe(Fault f) {
    long at = f.atMillis() * 1_000_000L;
    String when =
        f.lengthMillis() == 0
            ? "at " + Ticks.precise(at)
            : Ticks.precise(at) + " for " + Ticks.span(f.lengthMillis() * 1_000_000L);
    return keyword(f) + " " + when + " (plan line: " + f + ")";
  }
}
