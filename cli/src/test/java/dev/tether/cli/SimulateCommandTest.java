package dev.tether.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tether.machine.Cause;
import dev.tether.machine.LifecycleEvent;
import dev.tether.stub.sim.Coverage;
import dev.tether.stub.sim.FaultPlan;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.lang.reflect.RecordComponent;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class SimulateCommandTest {

  @Test
  void jsonSummaryHasTheDocumentedFieldsAndExitsZero() throws Exception {
    String out =
        DemoCommandTest.run(
            0,
            "simulate",
            "--seed",
            "3",
            "--sessions",
            "20",
            "--duration",
            "2h",
            "--faults",
            "chaos",
            "--json");
    JsonNode n = LifecycleJson.MAPPER.readTree(out.strip());
    for (String field :
        new String[] {
          "seed",
          "sessions",
          "simulatedMillis",
          "transitions",
          "lifecycleEvents",
          "invariantViolations",
          "traceHash",
          "wallMillis"
        }) {
      assertThat(n.has(field)).as(field).isTrue();
    }
    assertThat(n.get("type").asText()).isEqualTo("simulation");
    assertThat(n.get("simulatedMillis").asLong()).isEqualTo(7_200_000);
    assertThat(n.has("violation")).as("absent when there is none").isFalse();
    assertThat(n.get("invariantViolations").asInt()).isZero();
    assertThat(n.get("transitions").asLong()).isPositive();
  }

  @Test
  void sameSeedPrintsTheSameTraceHash() throws Exception {
    String[] args = {"simulate", "--seed", "9", "--sessions", "10", "--duration", "1h", "--json"};
    JsonNode a = LifecycleJson.MAPPER.readTree(DemoCommandTest.run(0, args).strip());
    JsonNode b = LifecycleJson.MAPPER.readTree(DemoCommandTest.run(0, args).strip());
    assertThat(a.get("traceHash")).isEqualTo(b.get("traceHash"));
  }

  @Test
  void reportIsSelfContainedAndTraceIsJsonLines(@TempDir Path dir) throws Exception {
    Path report = dir.resolve("sim.html");
    Path trace = dir.resolve("sim.jsonl");
    DemoCommandTest.run(
        0,
        "simulate",
        "--sessions",
        "60",
        "--duration",
        "1h",
        "--faults",
        "outages",
        "--report",
        report.toString(),
        "--trace",
        trace.toString());
    String html = Files.readString(report, StandardCharsets.UTF_8);
    assertThat(html).startsWith("<!DOCTYPE html>").contains("<svg", "Reconnecting", "trace hash");
    assertThat(html).doesNotContain("src=", "href=", "@import", "url(", "<script");
    org.w3c.dom.Document d = HtmlReportTest.parse(html);
    assertThat(HtmlReportTest.all(d, "//details[contains(@class,'lane')]")).hasSize(60);
    HtmlReportTest.everyPartIsThere(
        d,
        FaultPlan.random(
            1,
            dev.tether.stub.sim.FaultProfile.OUTAGES,
            1.0,
            60,
            java.time.Duration.ofHours(1).toMillis(),
            dev.tether.stub.sim.Regime.SAFETY),
        3600);
    for (String line : Files.readAllLines(trace, StandardCharsets.UTF_8)) {
      assertThat(LifecycleJson.MAPPER.readTree(line).has("kind")).isTrue();
    }
  }

  @Test
  void reportShowsEveryCoverageCounterWithItsValue(@TempDir Path dir) throws Exception {
    Path report = dir.resolve("sim.html");
    String out =
        DemoCommandTest.run(
            0,
            "simulate",
            "--sessions",
            "60",
            "--duration",
            "1h",
            "--faults",
            "chaos",
            "--json",
            "--report",
            report.toString());
    JsonNode coverage = LifecycleJson.MAPPER.readTree(out.strip()).get("coverage");
    String html = Files.readString(report, StandardCharsets.UTF_8);
    for (RecordComponent c : Coverage.class.getRecordComponents()) {
      String label = HtmlReport.COVERAGE_LABELS.get(c.getName());
      assertThat(label).as("a label for coverage counter %s", c.getName()).isNotNull();
      assertThat(html)
          .contains("<th>" + label + "</th><td>" + coverage.get(c.getName()).asLong() + "</td>");
    }
    assertThat(coverage.get("slowReaderFrames").asLong()).as("chaos has slow readers").isPositive();
  }

  @Test
  void explicitPlanReplays(@TempDir Path dir) throws Exception {
    Path plan = dir.resolve("plan.txt");
    Files.writeString(plan, "outage 0 60000 600000\n", StandardCharsets.UTF_8);
    String out =
        DemoCommandTest.run(
            0,
            "simulate",
            "--sessions",
            "1",
            "--duration",
            "20m",
            "--plan",
            plan.toString(),
            "--json");
    JsonNode n = LifecycleJson.MAPPER.readTree(out.strip());
    assertThat(n.get("faults").asInt()).isEqualTo(1);
    assertThat(n.get("coverage").get("permanentlyDisconnected").asInt()).isEqualTo(1);
  }

  @Test
  void crashLoopPlanEndsFlappingAndTheJsonCountsIt(@TempDir Path dir) throws Exception {
    Path plan = dir.resolve("plan.txt");
    Files.writeString(plan, "crash-loop 0 60000 600000 1000\n", StandardCharsets.UTF_8);
    String out =
        DemoCommandTest.run(
            0,
            "simulate",
            "--sessions",
            "1",
            "--duration",
            "20m",
            "--plan",
            plan.toString(),
            "--json");
    JsonNode n = LifecycleJson.MAPPER.readTree(out.strip());
    assertThat(n.get("coverage").get("flapping").asInt()).isEqualTo(1);
    assertThat(n.get("coverage").get("permanentlyDisconnected").asInt()).isEqualTo(1);
  }

  @Test
  void flappingEndReadsAsTheFlapGuardsVerdict() throws Exception {
    Cause verdict =
        Cause.of(
            Cause.Kind.FLAPPING,
            "lost the connection 11 times within 60 s (flap limit 10); last loss: CHANNEL_CLOSED: x");
    LifecycleEvent end = new LifecycleEvent.PermanentlyDisconnected(verdict, 0);
    assertThat(LifecycleJson.describe(end))
        .isEqualTo(
            "PermanentlyDisconnected by the flap guard: FLAPPING: lost the connection 11 times"
                + " within 60 s (flap limit 10); last loss: CHANNEL_CLOSED: x");
    JsonNode line = LifecycleJson.MAPPER.readTree(LifecycleJson.of(end, 5).toString());
    assertThat(line.get("state").asText()).isEqualTo("PermanentlyDisconnected");
    assertThat(line.get("attempt").asInt()).isZero();
    assertThat(CliRun.cause(line)).startsWith("FLAPPING: lost the connection 11 times");
  }

  @Test
  void textSummaryReadsAsTextNotAsJavaValues() {
    String out =
        DemoCommandTest.run(
            0, "simulate", "--sessions", "20", "--duration", "1h", "--faults", "chaos");
    assertThat(out)
        .contains("seed 1: 20 sessions x 1h simulated")
        .contains("coverage: permanently disconnected ")
        .contains(", ended by the flap guard (FLAPPING) ")
        .doesNotContain("PT1H")
        .doesNotContain("Coverage[");
  }

  @Test
  void badDurationIsAUsageError() {
    DemoCommandTest.run(TetherCli.EXIT_USAGE, "simulate", "--duration", "soon");
  }

  // ------------------------------------------------------------------ the violation path

  /** Args of a run in which some sessions exhaust their retries (PermanentlyDisconnected). */
  static final String[] OUTAGES = {
    "--seed", "1", "--sessions", "8", "--duration", "2h", "--faults", "outages", "--intensity", "2"
  };

  /** Output of one run of {@code simulate}. */
  record Outcome(int exit, String out, String err) {}

  /**
   * Runs {@code simulate} with a planted bug in the listener pipeline between the connections and
   * the oracles: it loses every PermanentlyDisconnected event, which I1 forbids. Everything else is
   * the real command.
   */
  static Outcome runWithLostTerminalEvents(String... args) {
    SimulateCommand cmd = new SimulateCommand();
    cmd.variant =
        b ->
            b.listenerDecorator(
                next ->
                    event -> {
                      if (!(event instanceof LifecycleEvent.PermanentlyDisconnected)) {
                        next.onEvent(event); // THE PLANTED BUG: the terminal event is lost
                      }
                    });
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine cli = new CommandLine(cmd);
    cli.setOut(new PrintWriter(out, true));
    cli.setErr(new PrintWriter(err, true));
    int exit = cli.execute(args);
    return new Outcome(exit, out.toString(), err.toString());
  }

  static String[] with(String[] base, String... more) {
    String[] all = Arrays.copyOf(base, base.length + more.length);
    System.arraycopy(more, 0, all, base.length, more.length);
    return all;
  }

  @Test
  void violationExitsOneAndPrintsAShrunkPlanThatReplays(@TempDir Path dir) throws Exception {
    Outcome o = runWithLostTerminalEvents(OUTAGES);
    assertThat(o.exit()).as("exit; stdout: %s", o.out()).isEqualTo(SimulateCommand.EXIT_VIOLATION);
    assertThat(o.out())
        .contains("invariant violations: 1", "I1 violated at", "(simulated) in session ")
        .contains("shrunk fault plan (", "--plan FILE");
    String preceding =
        o.out().substring(o.out().indexOf("preceding events:"), o.out().indexOf("shrunk fault"));
    assertThat(preceding)
        .as("simulated time and events as text, not PT… or a record's toString()")
        .containsPattern("\\n  \\d+:\\d\\d:\\d\\d\\.\\d{3} ")
        .doesNotContain("PT")
        .doesNotContain("[");
    String printed = o.out().substring(o.out().indexOf("--plan FILE") + "--plan FILE".length());
    FaultPlan shrunk = FaultPlan.parse(printed);
    assertThat(shrunk.size()).isPositive();
    assertThat(printed.strip()).isEqualTo(shrunk.toString().strip());

    Path file = dir.resolve("shrunk.txt");
    Files.writeString(file, printed, StandardCharsets.UTF_8);
    // The printed replay command, word for word, with FILE replaced.
    String prefix = "save it to a file and replay with: tether simulate ";
    String command = o.out().lines().filter(l -> l.startsWith(prefix)).findFirst().orElseThrow();
    String[] replayArgs =
        ShellWords.split(command.substring(prefix.length()).replace("FILE", file.toString()))
            .toArray(String[]::new);
    assertThat(replayArgs).doesNotContain("--faults", "--intensity");
    Outcome replay = runWithLostTerminalEvents(replayArgs);
    assertThat(replay.exit()).isEqualTo(SimulateCommand.EXIT_VIOLATION);
    assertThat(replay.out()).contains("I1 violated at");
    // Without the planted bug the same plan passes: the violation came from the bug.
    DemoCommandTest.run(0, with(new String[] {"simulate"}, replayArgs));
  }

  @Test
  void violationWithJsonCountsItAndCarriesTheShrunkPlan() throws Exception {
    Outcome o = runWithLostTerminalEvents(with(OUTAGES, "--json"));
    assertThat(o.exit()).isEqualTo(SimulateCommand.EXIT_VIOLATION);
    assertThat(o.out().strip().lines()).hasSize(1);
    JsonNode n = LifecycleJson.MAPPER.readTree(o.out().strip());
    assertThat(n.get("invariantViolations").asInt()).isPositive();
    assertThat(n.get("violation").get("kind").asText()).isEqualTo("I1");
    FaultPlan shrunk = FaultPlan.parse(n.get("shrunkPlan").asText());
    assertThat(shrunk.size()).isPositive().isLessThan(n.get("faults").asInt());
    assertThat(o.err()).contains("I1 violated at", "shrunk fault plan (");
  }

  @Test
  void theSameRunWithoutThePlantedBugExitsZero() {
    String out = DemoCommandTest.run(0, with(with(new String[] {"simulate"}, OUTAGES), "--json"));
    assertThat(out).contains("\"invariantViolations\":0", "\"permanentlyDisconnected\":");
    assertThat(out).doesNotContain("\"permanentlyDisconnected\":0,");
  }
}
