package dev.tether.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

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
          "simulatedSeconds",
          "transitions",
          "lifecycleEvents",
          "invariantViolations",
          "traceHash",
          "wallMillis"
        }) {
      assertThat(n.has(field)).as(field).isTrue();
    }
    assertThat(n.get("simulatedSeconds").asLong()).isEqualTo(7200);
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
    assertThat(html).doesNotContain("src=", "href=", "@import", "url(");
    assertThat(html.split("<text x=\"0\"", -1)).hasSize(SimulateCommand.REPORT_TIMELINES + 1);
    for (String line : Files.readAllLines(trace, StandardCharsets.UTF_8)) {
      assertThat(LifecycleJson.MAPPER.readTree(line).has("kind")).isTrue();
    }
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
  void badDurationIsAUsageError() {
    DemoCommandTest.run(TetherCli.EXIT_USAGE, "simulate", "--duration", "soon");
  }
}
