package dev.tether.cli;

import static dev.tether.cli.HtmlReport.escape;

import dev.tether.stub.sim.Fault;
import dev.tether.stub.sim.SimulationResult;
import dev.tether.stub.sim.Timeline;
import dev.tether.stub.sim.Violation;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.IntFunction;

/**
 * The time axis and the session lanes of an {@link HtmlReport}. A lane is one row: the session's
 * name, its states as coloured segments (hover: state, attempt, cause, time), the fault windows
 * that hit it as a band above and a tint over the segments, the violation's mark, and counts; a
 * click opens the session's event log below it. Lanes of healthy sessions (see {@link #healthy})
 * are folded into one group once there are more than {@link #COLLAPSE_ABOVE} lanes.
 */
final class ReportLanes {
  /** Drawing width of the time span of a lane, px. */
  static final int LANE_WIDTH = 1000;

  /** Room left and right of the time span, so the first and last tick labels are not cut. */
  static final int PAD = 14;

  /** Width of the session name column, px. */
  static final int NAME_WIDTH = 64;

  /** Height of a lane: a fault band of {@link #BAND} px over a state bar. */
  static final int LANE_HEIGHT = 17;

  /** Height of the fault band at the top of a lane. */
  static final int BAND = 5;

  /** Up to this many lanes, all are shown; beyond, healthy ones are folded (readable at 500). */
  static final int COLLAPSE_ABOVE = 20;

  /**
   * Share of the run a healthy session may spend connecting or reconnecting: 1 % is a few brief
   * drops an hour, while an outage that costs retries shows.
   */
  static final double HEALTHY_DISCONNECTED_SHARE = 0.01;

  /** Narrowest mark drawn for a segment or a fault, px: narrower ones are merged. */
  static final double MIN_PX = 1.0;

  /** Width of an instantaneous fault's tick, px; ticks closer than this are merged. */
  static final double INSTANT_PX = 2.0;

  /** Segments or faults listed in the hover of a merged mark; the event log has them all. */
  static final int MAX_HOVER_LINES = 5;

  /** Rows of a session's event log; a day of chaos would otherwise make megabytes per session. */
  static final int MAX_LOG_ROWS = 100;

  static final Map<String, String> STATE_COLOURS =
      Map.of(
          "Idle", "#d0d0d0",
          "Connecting", "#f0b429",
          "Connected", "#2f9e44",
          "Reconnecting", "#f76707",
          "PermanentlyDisconnected", "#c92a2a",
          "Closed", "#868e96");

  /** Fault colours by keyword; kinds not listed (added later) are drawn grey. */
  static final Map<String, String> FAULT_COLOURS =
      Map.ofEntries(
          Map.entry("outage", "#1c7ed6"),
          Map.entry("hang", "#5f3dc4"),
          Map.entry("drop", "#000000"),
          Map.entry("slow", "#66d9e8"),
          Map.entry("half-open", "#e64980"),
          Map.entry("restart", "#495057"),
          Map.entry("flap", "#ae3ec9"),
          Map.entry("partition", "#364fc7"),
          Map.entry("close", "#868e96"),
          Map.entry("slow-reader", "#74c0fc"),
          Map.entry("slow-consumer", "#99e9f2"),
          Map.entry("crash-loop", "#f03e3e"),
          Map.entry("reject", "#862e9c"));

  private static final String OTHER_FAULT = "#adb5bd";

  private final SimulationResult result;
  private final long endNanos;
  private final Map<Integer, List<Fault>> faults = new HashMap<>();
  private final Violation violation;

  ReportLanes(SimulationResult result) {
    this.result = result;
    this.endNanos = Math.max(1, result.simulatedSeconds() * 1_000_000_000L);
    this.violation = result.violation().orElse(null);
    for (Fault f : result.plan().faults()) {
      int last = f instanceof Fault.Window w ? w.lastSession() : f.session();
      for (int s = f.session(); s <= last; s++) {
        faults.computeIfAbsent(s, k -> new ArrayList<>()).add(f);
      }
    }
  }

  /** The legend of states and fault kinds. */
  static void legend(StringBuilder h) {
    h.append("<p class=\"legend\">");
    for (String s :
        List.of("Connecting", "Connected", "Reconnecting", "PermanentlyDisconnected", "Closed")) {
      h.append("<span class=\"st\" style=\"background:").append(STATE_COLOURS.get(s)).append("\">");
      h.append(s).append("</span>");
    }
    h.append("<br/>faults: ");
    FAULT_COLOURS.entrySet().stream()
        .sorted(Map.Entry.comparingByKey())
        .forEach(
            e ->
                h.append("<span class=\"fk\" style=\"border-color:")
                    .append(e.getValue())
                    .append("\">")
                    .append(e.getKey())
                    .append("</span>"));
    h.append(" <i>hover a segment for its state, attempt, cause and time; click a lane for its")
        .append(" event log</i></p>\n");
  }

  /** The axis and every lane. */
  void render(StringBuilder h) {
    List<Timeline> lines = result.timelines();
    if (lines.isEmpty()) {
      h.append("<p>No lanes: the run kept no timelines.</p>\n");
      return;
    }
    axis(h);
    List<Timeline> shown = new ArrayList<>();
    List<Timeline> folded = new ArrayList<>();
    for (Timeline t : lines) {
      boolean fold = lines.size() > COLLAPSE_ABOVE && healthy(t);
      (fold ? folded : shown).add(t);
    }
    // The violating session first: it is what the reader came for.
    shown.sort((a, b) -> Boolean.compare(isViolating(b), isViolating(a)));
    h.append("<p class=\"sub\">")
        .append(shown.size())
        .append(" lane(s) shown")
        .append(
            violation != null && violation.session() >= 0 ? ", the violating session first" : "")
        .append(folded.isEmpty() ? "" : "; " + folded.size() + " healthy lane(s) folded at the end")
        .append("</p>\n<div class=\"lanes\">\n");
    for (Timeline t : shown) {
      lane(h, t);
    }
    if (!folded.isEmpty()) {
      h.append("<details class=\"healthy\"><summary>")
          .append(folded.size())
          .append(" healthy sessions folded (never permanently disconnected, connecting or")
          .append(" reconnecting under ")
          .append(Math.round(HEALTHY_DISCONNECTED_SHARE * 100))
          .append(" % of the time): click to show</summary>\n");
      for (Timeline t : folded) {
        lane(h, t);
      }
      h.append("</details>\n");
    }
    h.append("</div>\n");
    if (result.sessions() > lines.size()) {
      h.append("<p>Sessions ")
          .append(lines.size())
          .append(" to ")
          .append(result.sessions() - 1)
          .append(" are counted below but not drawn.</p>\n");
    }
  }

  /**
   * Whether a lane can be folded: not the violation's, never permanently disconnected, and
   * connecting or reconnecting at most {@link #HEALTHY_DISCONNECTED_SHARE} of the run.
   */
  boolean healthy(Timeline t) {
    if (isViolating(t)) {
      return false;
    }
    long away = 0;
    List<Timeline.Segment> segs = t.segments();
    for (int k = 0; k < segs.size(); k++) {
      Timeline.Segment s = segs.get(k);
      if (s.state().equals("PermanentlyDisconnected")) {
        return false;
      }
      if (s.state().equals("Connecting") || s.state().equals("Reconnecting")) {
        away += until(segs, k) - Math.min(endNanos, s.atNanos());
      }
    }
    return away <= HEALTHY_DISCONNECTED_SHARE * endNanos;
  }

  private boolean isViolating(Timeline t) {
    return violation != null && violation.session() == t.session();
  }

  private void axis(StringBuilder h) {
    long step = Ticks.step(endNanos);
    h.append("<div class=\"axis\"><svg xmlns=\"http://www.w3.org/2000/svg\" width=\"")
        .append(NAME_WIDTH + LANE_WIDTH + 2 * PAD)
        .append("\" height=\"22\">");
    for (long t : Ticks.of(endNanos)) {
      double x = NAME_WIDTH + x(t);
      h.append(
          String.format(
              Locale.ROOT,
              "<line x1=\"%.1f\" y1=\"15\" x2=\"%.1f\" y2=\"22\" stroke=\"#888\"/>"
                  + "<text x=\"%.1f\" y=\"12\" text-anchor=\"middle\">%s</text>",
              x,
              x,
              x,
              Ticks.label(t, step)));
    }
    h.append("</svg></div>\n");
  }

  private void lane(StringBuilder h, Timeline t) {
    boolean bad = isViolating(t);
    h.append("<details class=\"lane")
        .append(bad ? " violating\" open=\"open\"" : "\"")
        .append(" id=\"s")
        .append(t.session())
        .append("\"><summary><span class=\"name\">▸ s")
        .append(t.session())
        .append("</span><svg xmlns=\"http://www.w3.org/2000/svg\" width=\"")
        .append(LANE_WIDTH + 2 * PAD)
        .append("\" height=\"")
        .append(LANE_HEIGHT)
        .append("\">");
    segments(h, t);
    faultWindows(h, t.session());
    if (bad) {
      mark(h, violation);
    }
    h.append("</svg><span class=\"counts\">").append(escape(counts(t))).append("</span></summary>");
    EventLog.render(h, t, faults.getOrDefault(t.session(), List.of()));
    h.append("</details>\n");
  }

  /**
   * The state segments. Segments narrower than {@link #MIN_PX} that follow each other are drawn as
   * one mark in the colour of the worst state among them, whose hover lists them (up to {@link
   * #MAX_HOVER_LINES}): a day of brief drops is thousands of sub-pixel segments, which would make
   * the page heavy without showing more.
   */
  private void segments(StringBuilder h, Timeline t) {
    List<Timeline.Segment> segs = t.segments();
    int k = 0;
    while (k < segs.size()) {
      int j = k;
      while (j + 1 < segs.size() && px(segs, k, j) < MIN_PX && px(segs, j + 1, j + 1) < MIN_PX) {
        j++;
      }
      long from = Math.min(endNanos, segs.get(k).atNanos());
      long to = until(segs, j);
      String state = worst(segs.subList(k, j + 1));
      double x = x(from);
      // Connected stretches may be a hair wide; a blip of another state must stay visible.
      double w = Math.max(state.equals("Connected") ? 0.3 : MIN_PX, x(to) - x);
      h.append(
              String.format(
                  Locale.ROOT,
                  "<rect class=\"seg\" x=\"%.2f\" y=\"%d\" width=\"%.2f\" height=\"%d\" fill=\"%s\">",
                  x,
                  BAND + 1,
                  w,
                  LANE_HEIGHT - BAND - 1,
                  STATE_COLOURS.getOrDefault(state, "#999")))
          .append("<title>");
      if (j > k) {
        h.append(j - k + 1)
            .append(" state changes, ")
            .append(Ticks.precise(from))
            .append(" to ")
            .append(Ticks.precise(to))
            .append(":\n");
      }
      int first = k;
      hoverLines(
          h,
          j - k + 1,
          i -> {
            Timeline.Segment s = segs.get(first + i);
            return hover(s, Math.min(endNanos, s.atNanos()), until(segs, first + i));
          });
      h.append("</title></rect>");
      k = j + 1;
    }
  }

  /** The lines of a hover text: the first {@link #MAX_HOVER_LINES} of {@code count}, escaped. */
  private static void hoverLines(StringBuilder h, int count, IntFunction<String> line) {
    for (int i = 0; i < Math.min(count, MAX_HOVER_LINES); i++) {
      h.append(i == 0 ? "" : "\n").append(escape(line.apply(i)));
    }
    if (count > MAX_HOVER_LINES) {
      h.append("\n… ").append(count - MAX_HOVER_LINES).append(" more: click the lane for its log");
    }
  }

  /** Width in px of segments {@code k..j}. */
  private double px(List<Timeline.Segment> segs, int k, int j) {
    return x(until(segs, j)) - x(Math.min(endNanos, segs.get(k).atNanos()));
  }

  /** The state of {@code segs} a reader must not miss: the first of {@link #SEVERITY} present. */
  private static String worst(List<Timeline.Segment> segs) {
    for (String state : SEVERITY) {
      for (Timeline.Segment s : segs) {
        if (s.state().equals(state)) {
          return state;
        }
      }
    }
    return segs.get(0).state();
  }

  /** States from worst to best, for marks that stand for several segments. */
  private static final List<String> SEVERITY =
      List.of("PermanentlyDisconnected", "Reconnecting", "Connecting", "Closed", "Connected");

  /** The hover text of a segment: state, attempt, cause, time. */
  static String hover(Timeline.Segment s, long from, long to) {
    return HtmlReport.dotted(
        List.of(
            s.label(),
            s.attempt() == 0
                ? ""
                : (s.state().equals("Connected") ? "epoch " : "attempt ") + s.attempt(),
            s.cause().isEmpty() ? "" : "cause " + s.cause(),
            Ticks.precise(from) + " to " + Ticks.precise(to) + " (" + Ticks.span(to - from) + ")"));
  }

  /**
   * The faults that hit the session: a window as a band over its span and a tint over the states
   * beneath; an instantaneous fault as a tick. Ticks within {@link #INSTANT_PX} of each other are
   * one mark whose hover lists them.
   */
  private void faultWindows(StringBuilder h, int session) {
    List<Fault> all = faults.getOrDefault(session, List.of());
    int k = 0;
    while (k < all.size()) {
      Fault f = all.get(k);
      long from = f.atMillis() * 1_000_000L;
      if (from > endNanos) {
        break; // in time order: the rest start later still
      }
      int j = k;
      while (f.lengthMillis() == 0
          && j + 1 < all.size()
          && all.get(j + 1).lengthMillis() == 0
          && x(all.get(j + 1).atMillis() * 1_000_000L) - x(from) < INSTANT_PX) {
        j++;
      }
      long to = Math.min(endNanos, from + f.lengthMillis() * 1_000_000L);
      String colour = FAULT_COLOURS.getOrDefault(EventLog.keyword(f), OTHER_FAULT);
      double x = x(from);
      double w = Math.max(INSTANT_PX, x(to) - x);
      if (f.lengthMillis() > 0) {
        // A tint over the states it caused; it lets the hover reach the segments beneath.
        h.append(
            String.format(
                Locale.ROOT,
                "<rect x=\"%.2f\" y=\"%d\" width=\"%.2f\" height=\"%d\" fill=\"%s\""
                    + " fill-opacity=\"0.22\" pointer-events=\"none\"/>",
                x,
                BAND + 1,
                w,
                LANE_HEIGHT - BAND - 1,
                colour));
      }
      h.append(
              String.format(
                  Locale.ROOT,
                  "<rect class=\"fault\" x=\"%.2f\" y=\"0\" width=\"%.2f\" height=\"%d\" fill=\"%s\">",
                  x,
                  w,
                  BAND,
                  colour))
          .append("<title>");
      int first = k;
      hoverLines(h, j - k + 1, i -> EventLog.describe(all.get(first + i)));
      h.append("</title></rect>");
      k = j + 1;
    }
  }

  private void mark(StringBuilder h, Violation v) {
    double x = x(Math.min(endNanos, v.atNanos()));
    h.append(
            String.format(
                Locale.ROOT,
                "<g class=\"violation\"><line x1=\"%.2f\" y1=\"0\" x2=\"%.2f\" y2=\"%d\""
                    + " stroke=\"#c92a2a\" stroke-width=\"3\"/><circle cx=\"%.2f\" cy=\"%d\""
                    + " r=\"5\" fill=\"#c92a2a\"/>",
                x,
                x,
                LANE_HEIGHT,
                x,
                LANE_HEIGHT / 2))
        .append("<title>")
        .append(escape(v.invariant() + " violated at " + Ticks.precise(v.atNanos()) + ": "))
        .append(escape(v.message()))
        .append("</title></g>");
  }

  /** The lane's counts: faults, reconnects and, for an RPC session, request outcomes. */
  private String counts(Timeline t) {
    long reconnects = -1;
    for (Timeline.Segment s : t.segments()) {
      if (s.state().equals("Connected")) {
        reconnects++;
      }
    }
    List<String> parts = new ArrayList<>();
    parts.add(faults.getOrDefault(t.session(), List.of()).size() + " faults");
    parts.add(Math.max(0, reconnects) + " reconnects");
    t.requests().forEach((outcome, n) -> parts.add(outcome + " " + n));
    return HtmlReport.dotted(parts);
  }

  private long until(List<Timeline.Segment> segs, int k) {
    return k + 1 < segs.size() ? Math.min(endNanos, segs.get(k + 1).atNanos()) : endNanos;
  }

  private double x(long nanos) {
    return PAD + (double) Math.min(nanos, endNanos) / endNanos * LANE_WIDTH;
  }
}
