package dev.tether.cli;

import dev.tether.stub.sim.Coverage;
import dev.tether.stub.sim.SimulationResult;
import dev.tether.stub.sim.Timeline;
import java.lang.reflect.RecordComponent;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Renders a {@link SimulationResult} as one self-contained HTML page (inline CSS and SVG, no
 * external assets): a timeline per session coloured by state over simulated time, and the counters.
 */
final class HtmlReport {
  /** Drawing width of a timeline in SVG units. */
  static final int WIDTH = 1000;

  /** Height of one session's row. */
  static final int ROW = 14;

  private static final Map<String, String> COLOURS =
      Map.of(
          "Idle", "#d0d0d0",
          "Connecting", "#f0b429",
          "Connected", "#2f9e44",
          "Reconnecting", "#f76707",
          "PermanentlyDisconnected", "#c92a2a",
          "Closed", "#495057");

  private HtmlReport() {}

  static String render(SimulationResult r) {
    StringBuilder h = new StringBuilder(64 * 1024);
    h.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">")
        .append("<title>tether simulate: seed ")
        .append(r.seed())
        .append("</title><style>")
        .append("body{font-family:system-ui,sans-serif;margin:2em;color:#222}")
        .append("table{border-collapse:collapse}td,th{padding:2px 10px;text-align:left}")
        .append(".legend span{display:inline-block;padding:2px 8px;margin-right:6px;color:#fff}")
        .append(".bad{color:#c92a2a;font-weight:bold}svg text{font-size:10px}")
        .append("</style></head><body>\n");
    h.append("<h1>tether simulate — seed ").append(r.seed()).append("</h1>\n");
    counters(h, r);
    legend(h);
    timelines(h, r);
    h.append("</body></html>\n");
    return h.toString();
  }

  private static void counters(StringBuilder h, SimulationResult r) {
    h.append("<table>");
    row(h, "sessions", r.sessions());
    row(h, "simulated seconds", r.simulatedSeconds());
    row(h, "faults applied", r.faultsApplied());
    row(h, "transitions", r.transitions());
    row(h, "lifecycle events", r.lifecycleEvents());
    coverage(h, r.coverage());
    row(h, "trace hash", r.traceHashHex());
    row(h, "wall ms", r.wallMillis());
    h.append("<tr><th>invariant violations</th><td")
        .append(r.passed() ? ">0" : " class=\"bad\">1: " + escape(r.violation().get().toString()))
        .append("</td></tr></table>\n");
  }

  /**
   * Every counter of {@link Coverage}, in its declared order, so that a counter added there cannot
   * be missing here; a counter without a label below is shown by its name.
   */
  private static void coverage(StringBuilder h, Coverage c) {
    for (RecordComponent component : Coverage.class.getRecordComponents()) {
      Object value;
      try {
        value = component.getAccessor().invoke(c);
      } catch (ReflectiveOperationException e) {
        throw new IllegalStateException("cannot read coverage " + component.getName(), e);
      }
      row(h, COVERAGE_LABELS.getOrDefault(component.getName(), component.getName()), value);
    }
  }

  /** Row labels of the {@link Coverage} counters. */
  static final Map<String, String> COVERAGE_LABELS =
      Map.of(
          "permanentlyDisconnected", "permanently disconnected",
          "closedByUser", "closed by user",
          "reconnected", "reconnects",
          "highAttempts", "attempts numbered " + Coverage.HIGH_ATTEMPT + " or more",
          "closeDuringBackoff", "closes during a backoff",
          "staleCallbacks", "stale callbacks ignored",
          "halfOpen", "half-open channels",
          "slowReaderFrames", "frames read by slow readers",
          "writesBlocked", "writes held back by backpressure",
          "flapping", "ended by the flap guard (FLAPPING)");

  private static void row(StringBuilder h, String name, Object value) {
    h.append("<tr><th>").append(name).append("</th><td>").append(value).append("</td></tr>");
  }

  private static void legend(StringBuilder h) {
    h.append("<p class=\"legend\">");
    for (String s :
        List.of("Connecting", "Connected", "Reconnecting", "PermanentlyDisconnected", "Closed")) {
      h.append("<span style=\"background:").append(COLOURS.get(s)).append("\">");
      h.append(s).append("</span>");
    }
    h.append("</p>\n");
  }

  private static void timelines(StringBuilder h, SimulationResult r) {
    List<Timeline> lines = r.timelines();
    double end = r.simulatedSeconds() * 1e9;
    int height = lines.size() * ROW + 20;
    h.append("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"")
        .append(WIDTH + 60)
        .append("\" height=\"")
        .append(height)
        .append("\">\n");
    for (int i = 0; i < lines.size(); i++) {
      Timeline t = lines.get(i);
      int y = i * ROW;
      h.append("<text x=\"0\" y=\"").append(y + ROW - 4).append("\">s").append(t.session());
      h.append("</text>");
      List<Timeline.Segment> segs = t.segments();
      for (int k = 0; k < segs.size(); k++) {
        Timeline.Segment s = segs.get(k);
        double from = s.atNanos() / end * WIDTH;
        double to = k + 1 < segs.size() ? segs.get(k + 1).atNanos() / end * WIDTH : WIDTH;
        h.append(
            String.format(
                Locale.ROOT,
                "<rect x=\"%.2f\" y=\"%d\" width=\"%.2f\" height=\"%d\" fill=\"%s\"><title>%s at"
                    + " %.1f s</title></rect>",
                50 + from,
                y + 1,
                Math.max(0.5, to - from),
                ROW - 2,
                COLOURS.getOrDefault(s.state(), "#999"),
                escape(s.label()),
                s.atNanos() / 1e9));
      }
      h.append('\n');
    }
    h.append("<text x=\"50\" y=\"").append(height - 4).append("\">0 s</text>");
    h.append("<text x=\"").append(WIDTH).append("\" y=\"").append(height - 4).append("\">");
    h.append(r.simulatedSeconds()).append(" s</text></svg>\n");
  }

  private static String escape(String s) {
    return s.replace("&", "&amp;")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
        .replace("\"", "&quot;");
  }
}
