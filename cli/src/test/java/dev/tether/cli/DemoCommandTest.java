package dev.tether.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

class DemoCommandTest {

  static String run(int expectedExit, String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int exit = TetherCli.run(new PrintWriter(out, true), new PrintWriter(err, true), args);
    assertThat(exit).as("exit status; stderr: %s", err).isEqualTo(expectedExit);
    return out.toString();
  }

  @Test
  void inMemoryJsonTimelineShowsShortAndPermanentOutage() throws Exception {
    List<String> labels = new ArrayList<>();
    long lastT = -1;
    for (String line : run(0, "demo", "--in-memory", "--json").lines().toList()) {
      JsonNode n = LifecycleJson.MAPPER.readTree(line);
      assertThat(n.get("type").asText()).isEqualTo("lifecycle");
      assertThat(n.get("t").asLong()).isGreaterThanOrEqualTo(lastT);
      lastT = n.get("t").asLong();
      String label = n.get("event").asText();
      if (n.get("event").asText().equals("Reconnecting")) {
        label += n.get("attempt").asInt() + "/" + n.get("maxAttempts").asInt();
        assertThat(n.get("delayMillis").asLong()).isPositive();
        assertThat(CliRun.cause(n)).isNotEmpty();
      }
      labels.add(label);
    }
    List<String> expected =
        new ArrayList<>(
            List.of(
                "Connecting", "Connected", "Reconnecting1/10", "Reconnecting2/10", "Reconnected"));
    for (int i = 1; i <= 10; i++) {
      expected.add("Reconnecting" + i + "/10");
    }
    expected.add("PermanentlyDisconnected");
    assertThat(labels).containsExactlyElementsOf(expected);
  }

  @Test
  void inMemoryReadableTimelineHasSimulatedTimestamps() {
    String out = run(0, "demo", "--in-memory");
    assertThat(out)
        .contains("[00:00.000] Connected (epoch 1)")
        .contains("Reconnecting (2/10)")
        .contains("Reconnected (epoch 2) after 2 attempt(s)")
        .contains("Reconnecting (10/10)")
        .containsPattern("\\[\\d\\d:\\d\\d\\.\\d{3}] PermanentlyDisconnected after 10 attempt");
  }

  @Test
  void inMemorySameSeedSameTimeline() {
    assertThat(run(0, "demo", "--in-memory", "--json", "--seed", "7"))
        .isEqualTo(run(0, "demo", "--in-memory", "--json", "--seed", "7"))
        .isNotEqualTo(run(0, "demo", "--in-memory", "--json", "--seed", "8"));
  }

  /**
   * The default demo runs on real sockets: Connected, events on both streams; twice an outage
   * (Reconnecting…) that heals (Reconnected) with both streams flowing again; then Reconnecting 1/5
   * … 5/5 and PermanentlyDisconnected as the very last line.
   */
  @Test
  @Timeout(30)
  void realSocketJsonRunShowsTwoHealedOutagesThenPermanentlyDisconnected() throws Exception {
    long since = System.nanoTime();
    List<String> lines = run(0, "demo", "--json").lines().toList();
    assertThat(Duration.ofNanos(System.nanoTime() - since)).isLessThan(Duration.ofSeconds(20));

    List<String> phases = new ArrayList<>(); // lifecycle events, runs of one kind collapsed
    Set<String> streamsSinceUp = new HashSet<>();
    long lastT = -1;
    for (String line : lines) {
      JsonNode n = LifecycleJson.MAPPER.readTree(line);
      assertThat(n.get("t").asLong()).as(line).isGreaterThanOrEqualTo(lastT);
      lastT = n.get("t").asLong();
      String type = n.get("type").asText();
      if (type.equals("event")) {
        streamsSinceUp.add(n.get("stream").asText());
        continue;
      }
      assertThat(type).as(line).isEqualTo("lifecycle");
      String event = n.get("event").asText();
      if (event.equals("Reconnecting") && !phases.get(phases.size() - 1).equals("Reconnecting")) {
        // An outage begins: since the last (re)connect, events flowed on every stream.
        assertThat(streamsSinceUp)
            .as("streams before " + line)
            .containsExactlyInAnyOrder("Debug", "Isolate");
      }
      if (event.equals("Connected") || event.equals("Reconnected")) {
        streamsSinceUp.clear();
      }
      if (phases.isEmpty() || !phases.get(phases.size() - 1).equals(event)) {
        phases.add(event);
      }
    }
    assertThat(phases)
        .containsExactly(
            "Connecting",
            "Connected",
            "Reconnecting",
            "Reconnected",
            "Reconnecting",
            "Reconnected",
            "Reconnecting",
            "PermanentlyDisconnected");
    JsonNode last = LifecycleJson.MAPPER.readTree(lines.get(lines.size() - 1));
    assertThat(last.get("event").asText()).isEqualTo("PermanentlyDisconnected");
    assertThat(last.get("attempt").asInt()).isEqualTo(5);
    assertThat(CliRun.cause(last)).startsWith("OPEN_FAILED").contains("127.0.0.1");
  }

  @Test
  @Timeout(30)
  void realSocketReadableRunNarratesTheOutages() {
    String out = run(0, "demo", "--seed", "3");
    assertThat(out)
        .containsPattern("in-process vm-service server at ws://127\\.0\\.0\\.1:\\d+/ws")
        .contains("-- server stops (outage 1 of 2)")
        .contains("Reconnected (epoch 2)")
        .contains("Reconnected (epoch 3)")
        .contains(
            "-- streams Isolate, Debug were resubscribed on the new server before Reconnected")
        .contains("event Debug {\"kind\":\"Tick\"")
        .contains("-- server stops for good")
        .contains("PermanentlyDisconnected after 5 attempt(s): OPEN_FAILED")
        .containsPattern("done in \\d+ ms: 2 reconnects, \\d+ events\\n$");
  }

  @Test
  void unknownOptionIsAUsageError() {
    run(TetherCli.EXIT_USAGE, "demo", "--no-such-option");
  }

  @Test
  void sessionsDemoStatusFollowsTheActiveSession() throws Exception {
    java.util.Map<String, String> lastState = new java.util.HashMap<>();
    List<String> actives = new ArrayList<>();
    int statusLines = 0;
    for (String line : run(0, "demo", "--sessions", "3", "--json").lines().toList()) {
      JsonNode n = LifecycleJson.MAPPER.readTree(line);
      if (n.get("type").asText().equals("lifecycle")) {
        assertThat(n.hasNonNull("session")).as(line).isTrue();
        lastState.put(n.get("session").asText(), n.get("state").asText());
      } else {
        assertThat(n.get("type").asText()).isEqualTo("status");
        statusLines++;
        String active = n.path("session").asText("none");
        if (actives.isEmpty() || !actives.get(actives.size() - 1).equals(active)) {
          actives.add(active);
        }
        // S1 seen from outside: the status is the active session's latest state.
        assertThat(n.path("status").asText("Idle"))
            .as(line)
            .isEqualTo(lastState.getOrDefault(active, "Idle"));
      }
    }
    assertThat(statusLines).isGreaterThan(5);
    assertThat(actives).hasSizeGreaterThanOrEqualTo(3).startsWith("app-1", "app-2", "app-3");
    assertThat(lastState.values()).contains("PermanentlyDisconnected");
  }

  @Test
  void tooManySessionsIsAUsageError() {
    run(TetherCli.EXIT_USAGE, "demo", "--sessions", "10");
  }

  @Test
  @Timeout(value = 120, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
  void processDemoKillsTheChildRestartsItWithTheHandshakeAndLeavesNoChild() throws Exception {
    try {
      String out = run(0, "demo", "--process");
      List<String> pids = new ArrayList<>();
      java.util.regex.Matcher m =
          java.util.regex.Pattern.compile("initialize answered by process (\\d+)").matcher(out);
      while (m.find()) {
        pids.add(m.group(1));
      }
      assertThat(pids).hasSize(2).doesNotHaveDuplicates();
      assertThat(out)
          .containsSubsequence(
              "Connecting (1/5)",
              "initialize answered by process " + pids.get(0),
              "Connected (epoch 1)",
              "kill -9 " + pids.get(0),
              "Reconnecting (1/5)",
              "killed by signal 9",
              "initialize answered by process " + pids.get(1),
              "Reconnected (epoch 2)",
              "echo {\"hello\":\"child #2\"} -> {\"hello\":\"child #2\"}",
              "Closed: demo done",
              "no child is left");
      // The child's "initialized" note comes from the child, beside the lifecycle event: its order
      // against Connected/Reconnected is not fixed (a fresh-clone build printed it first), its
      // order within each child's life is.
      for (String pid : pids) {
        assertThat(out)
            .containsSubsequence(
                "initialize answered by process " + pid,
                "process " + pid + " got initialized",
                "Closed: demo done");
      }
      assertThat(out)
          .containsSubsequence("process " + pids.get(0) + " got initialized", "kill -9 ");
      // The process table, not only the demo's own word: no child of this JVM runs.
      assertThat(ChildProcesses.running()).isEmpty();
    } finally {
      ChildProcesses.killAll();
    }
  }

  @Test
  void processDemoRunsAlone() {
    StringWriter err = new StringWriter();
    int exit =
        TetherCli.run(
            new PrintWriter(new StringWriter(), true),
            new PrintWriter(err, true),
            "demo",
            "--process",
            "--in-memory");
    assertThat(exit).isEqualTo(2);
    assertThat(err.toString())
        .startsWith("tether demo: --process runs alone: not with --in-memory or --sessions");
  }
}
