package dev.tether.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tether.stub.sim.Fault;
import dev.tether.stub.sim.FaultPlan;
import dev.tether.stub.sim.FaultProfile;
import dev.tether.stub.sim.Regime;
import dev.tether.stub.sim.Simulation;
import dev.tether.stub.sim.SimulationResult;
import dev.tether.stub.sim.Timeline;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.xpath.XPathConstants;
import javax.xml.xpath.XPathFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.w3c.dom.NodeList;
import org.xml.sax.InputSource;

/** The HTML report, parsed (it is well-formed XML as well as HTML) and read element by element. */
class HtmlReportTest {

  static Document parse(String html) throws Exception {
    DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
    f.setFeature("http://apache.org/xml/features/nonvalidating/load-external-dtd", false);
    f.setFeature("http://apache.org/xml/features/disallow-doctype-decl", false);
    return f.newDocumentBuilder().parse(new InputSource(new StringReader(html)));
  }

  static List<Element> all(Node from, String xpath) throws Exception {
    NodeList nodes =
        (NodeList)
            XPathFactory.newInstance().newXPath().evaluate(xpath, from, XPathConstants.NODESET);
    List<Element> out = new ArrayList<>();
    for (int i = 0; i < nodes.getLength(); i++) {
      out.add((Element) nodes.item(i));
    }
    return out;
  }

  static Element one(Node from, String xpath) throws Exception {
    List<Element> found = all(from, xpath);
    assertThat(found).as(xpath).hasSize(1);
    return found.get(0);
  }

  @Test
  void failingRunMarksTheViolationOnItsLaneWithTheShrunkPlanAndTheReplayCommand(@TempDir Path dir)
      throws Exception {
    Path file = dir.resolve("failing.html");
    SimulateCommandTest.Outcome o =
        SimulateCommandTest.runWithLostTerminalEvents(
            SimulateCommandTest.with(SimulateCommandTest.OUTAGES, "--report", file.toString()));
    assertThat(o.exit()).isEqualTo(SimulateCommand.EXIT_VIOLATION);
    Matcher m =
        Pattern.compile("I1 violated at \\S+ \\(simulated\\) in session (\\d+)").matcher(o.out());
    assertThat(m.find()).as(o.out()).isTrue();
    int session = Integer.parseInt(m.group(1));
    String printedPlan = o.out().substring(o.out().indexOf("--plan FILE") + "--plan FILE".length());
    String html = Files.readString(file, StandardCharsets.UTF_8);
    Document d = parse(html);

    Element section = one(d, "//section[@id='violation']");
    assertThat(one(section, "h2").getTextContent())
        .startsWith("I1 violated at ")
        .endsWith("in session s" + session);
    assertThat(one(section, "h2/a").getAttribute("href")).isEqualTo("#s" + session);
    assertThat(FaultPlan.parse(one(section, "pre[@class='plan']").getTextContent()))
        .isEqualTo(FaultPlan.parse(printedPlan));
    assertThat(one(section, "pre[@class='replay']").getTextContent())
        .isEqualTo(
            "tether simulate --seed 1 --sessions 8 --duration 2h --regime safety --plan FILE");

    List<Element> lanes = all(d, "//details[contains(@class,'lane')]");
    assertThat(lanes).hasSize(8);
    Element lane = lanes.get(0);
    assertThat(lane.getAttribute("id"))
        .as("the violating lane comes first")
        .isEqualTo("s" + session);
    assertThat(lane.getAttribute("class")).contains("violating");
    assertThat(lane.getAttribute("open")).isEqualTo("open");
    assertThat(one(lane, ".//*[@class='violation']/*[local-name()='title']").getTextContent())
        .startsWith("I1 violated at ");
    for (Element other : lanes.subList(1, lanes.size())) {
      assertThat(all(other, ".//*[@class='violation']")).isEmpty();
    }
    // The violating lane's hover texts carry the state, attempt, cause and time.
    List<String> hovers = new ArrayList<>();
    for (Element t : all(lane, ".//*[@class='seg']/*[local-name()='title']")) {
      hovers.add(t.getTextContent());
    }
    assertThat(hovers)
        .anyMatch(
            h ->
                h.contains("Reconnecting (10/10)")
                    && h.contains("attempt 10")
                    && h.contains("cause OPEN_FAILED")
                    && h.matches("(?s).*\\d+:\\d\\d:\\d\\d\\.\\d{3} to .*"));
    assertThat(hovers).anyMatch(h -> h.startsWith("Disconnected"));
    everyPartIsThere(
        d,
        FaultPlan.random(
            1, FaultProfile.OUTAGES, 2, 8, Duration.ofHours(2).toMillis(), Regime.SAFETY),
        7200);
    assertThat(html).doesNotContain("src=", "url(", "@import", "<script");
    for (Element a : all(d, "//*[@href]")) {
      assertThat(a.getAttribute("href")).as("only links within the page").startsWith("#");
    }
  }

  /**
   * What every report holds: ticks in h:mm from 0:00 to the end, a hover on every segment, each
   * fault of the plan on the lanes it hit, and an event log per lane.
   */
  static void everyPartIsThere(Document d, FaultPlan plan, long seconds) throws Exception {
    List<String> ticks = new ArrayList<>();
    for (Element t : all(d, "//div[@class='axis']//*[local-name()='text']")) {
      ticks.add(t.getTextContent());
    }
    assertThat(ticks).hasSizeGreaterThanOrEqualTo(5).allMatch(t -> t.matches("\\d+:\\d\\d"));
    assertThat(ticks.get(0)).isEqualTo("0:00");
    assertThat(ticks.get(ticks.size() - 1)).isEqualTo(Ticks.clock(seconds * 1_000_000_000L, false));
    for (Element seg : all(d, "//*[@class='seg']")) {
      assertThat(all(seg, "*[local-name()='title']")).as("a hover on every segment").hasSize(1);
    }
    for (Element lane : all(d, "//details[contains(@class,'lane')]")) {
      int session = Integer.parseInt(lane.getAttribute("id").substring(1));
      int hit = 0;
      for (Fault f : plan.faults()) {
        int last = f instanceof Fault.Window w ? w.lastSession() : f.session();
        hit += f.session() <= session && session <= last ? 1 : 0;
      }
      int drawn = 0;
      for (Element t : all(lane, ".//*[@class='fault']/*[local-name()='title']")) {
        drawn += (int) t.getTextContent().lines().filter(l -> l.contains("(plan line: ")).count();
      }
      assertThat(drawn).as("faults drawn on lane s%d", session).isEqualTo(hit);
      Element log = one(lane, "table[@class='log'][1]");
      assertThat(all(log, "tr[@class='fault']"))
          .as("faults in the log of s%d", session)
          .hasSize(Math.min(hit, ReportLanes.MAX_LOG_ROWS));
      assertThat(all(log, "tr")).hasSizeGreaterThan(hit);
    }
  }

  @Test
  void requestOutcomeCountsShowOnTheLaneAndInItsLog() throws Exception {
    SimulationResult run = small(3);
    Map<String, Long> counts = new LinkedHashMap<>();
    counts.put("answered", 120L);
    counts.put("timedOut", 3L);
    List<Timeline> lines = new ArrayList<>(run.timelines());
    lines.set(1, new Timeline(1, lines.get(1).segments(), counts));
    Document d = parse(HtmlReport.render(withTimelines(run, lines), null));
    Element lane = one(d, "//details[@id='s1']");
    assertThat(one(lane, ".//span[@class='counts']").getTextContent())
        .endsWith("answered 120 · timedOut 3");
    Element table = one(lane, "table[@class='log'][2]");
    assertThat(all(table, "tr[1]/th").stream().map(Node::getTextContent).toList())
        .containsExactly("requests", "answered", "timedOut");
    assertThat(all(table, "tr[2]/td").stream().map(Node::getTextContent).toList())
        .containsExactly("count", "120", "3");
    assertThat(all(d, "//details[@id='s0']/table[@class='log']")).hasSize(1);
  }

  @Test
  void healthyLanesFoldOnlyWhenThereAreMany() throws Exception {
    SimulationResult run = small(1);
    long hour = Duration.ofHours(1).toNanos();
    List<Timeline> lines = new ArrayList<>();
    for (int i = 0; i < 30; i++) {
      List<Timeline.Segment> segs = new ArrayList<>();
      segs.add(new Timeline.Segment(0, "Connecting", "Connecting (1/10)", 1, ""));
      segs.add(new Timeline.Segment(1_000_000, "Connected", "Connected", 1, ""));
      if (i % 6 == 0) { // 5 of 30 spend 2 % of the hour reconnecting
        segs.add(new Timeline.Segment(hour / 2, "Reconnecting", "Reconnecting (1/10)", 1, "x"));
        segs.add(new Timeline.Segment(hour / 2 + hour / 50, "Connected", "Connected", 2, ""));
      } else if (i == 7) { // one ends for good
        segs.add(new Timeline.Segment(hour - 1, "PermanentlyDisconnected", "Disconnected", 1, "x"));
      }
      lines.add(new Timeline(i, segs));
    }
    Document d = parse(HtmlReport.render(withTimelines(run, lines), null));
    List<String> shown = ids(all(d, "//div[@class='lanes']/details[contains(@class,'lane')]"));
    List<String> folded =
        ids(all(d, "//details[@class='healthy']/details[contains(@class,'lane')]"));
    assertThat(shown).containsExactly("s0", "s6", "s7", "s12", "s18", "s24");
    assertThat(folded).hasSize(24).doesNotContainAnyElementsOf(shown);
    assertThat(one(d, "//details[@class='healthy']/summary").getTextContent())
        .startsWith("24 healthy sessions folded");

    Document few =
        parse(
            HtmlReport.render(
                withTimelines(run, lines.subList(0, ReportLanes.COLLAPSE_ABOVE)), null));
    assertThat(all(few, "//details[@class='healthy']")).isEmpty();
    assertThat(all(few, "//details[contains(@class,'lane')]")).hasSize(ReportLanes.COLLAPSE_ABOVE);
  }

  @Test
  void ticksAreRoundAndReadHoursAndMinutes() {
    long s = 1_000_000_000L;
    assertThat(Ticks.of(3600 * s)).hasSize(13);
    assertThat(Ticks.label(90 * 60 * s, Ticks.step(24 * 3600 * s))).isEqualTo("1:30");
    assertThat(Ticks.label(24 * 3600 * s, Ticks.step(24 * 3600 * s))).isEqualTo("24:00");
    assertThat(Ticks.label(45 * s, Ticks.step(90 * s))).isEqualTo("0:00:45");
    assertThat(Ticks.of(2 * 86400 * s)).hasSizeLessThanOrEqualTo(Ticks.MAX_TICKS + 1);
  }

  private static List<String> ids(List<Element> lanes) {
    return lanes.stream().map(e -> e.getAttribute("id")).toList();
  }

  /** A real result to vary: the counters and plan of a small run. */
  private static SimulationResult small(int sessions) {
    return Simulation.builder().seed(3).sessions(sessions).timelines(sessions).build().run();
  }

  private static SimulationResult withTimelines(SimulationResult r, List<Timeline> lines) {
    return new SimulationResult(
        r.seed(),
        lines.size(),
        r.simulatedSeconds(),
        r.transitions(),
        r.lifecycleEvents(),
        r.faultsApplied(),
        r.traceHash(),
        r.wallMillis(),
        Optional.empty(),
        r.coverage(),
        r.finalStates(),
        lines,
        FaultPlan.none());
  }
}
