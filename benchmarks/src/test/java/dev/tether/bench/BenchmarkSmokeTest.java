package dev.tether.bench;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tether.machine.ConnectionState;
import dev.tether.machine.MachineState;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openjdk.jmh.runner.options.Options;

/**
 * Keeps the benchmarks from rotting: the whole {@code bench} runs once in its smoke profile (a few
 * calls of each benchmark method, each runner at a small size), and the tests check what it printed
 * and what each side computed. No speed assertions.
 */
class BenchmarkSmokeTest {
  /** Rows whose goal the issues set, by the start of their name (sizes follow in the name). */
  private static final List<String> ROWS_WITH_A_GOAL =
      List.of(
          "B1 transitions vs stateless4j",
          "B1 driver with effects vs stateless4j",
          "B1 transitions vs Spring Statemachine",
          "B2 round trips, 1 in flight",
          "B2 round trips, 64 in flight",
          "B3 stream events",
          "B4 reconnect latency p99",
          "B5 memory (simulator",
          "B5 memory (WebSocket",
          "B7 reconnect storm, peak new connections",
          "B7 reconnect storm, all back",
          "B7 reconnect storm on the virtual clock",
          "B8 MCP tools/call vs MCP Java SDK, 1 in flight",
          "B8 MCP tools/call vs MCP Java SDK, 16 in flight",
          "B9 LSP documentSymbol vs LSP4J",
          "stdio round trips vs plain loop, 1 in flight",
          "stdio round trips vs plain loop, 64 in flight");

  /** Rows reported for scale, with no goal set. */
  private static final List<String> ROWS_WITHOUT_A_GOAL =
      List.of("B4 reconnect latency p50", "B5 memory (process", "B8 MCP restart-to-ready");

  static {
    // The JMH path's one run (jmhRunsABenchmarkWithTheSmokeOptions) measures nothing: it must not
    // fail because a benchmark elsewhere on the machine holds JMH's lock (/tmp/jmh.lock). JMH
    // reads the property once, when its Runner is first loaded, which is after this.
    System.setProperty("jmh.ignoreLock", "true");
  }

  private static BenchMain.Results results;
  private static List<JsonNode> printed;

  /** Non-daemon threads alive after the run that were not before it. */
  private static List<Thread> startedAndLeftRunning;

  @BeforeAll
  static void runTheSmokeProfile() throws Exception {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);
    List<Thread> before = nonDaemonThreads();
    // Each step's wall time, in the test's output (surefire's report of this class).
    results = BenchMain.runAll(BenchMain.Profile.SMOKE, true, out, Progress.to(System.out));
    startedAndLeftRunning = nonDaemonThreads();
    startedAndLeftRunning.removeAll(before);
    ObjectMapper json = new ObjectMapper();
    printed = new ArrayList<>();
    System.out.print(bytes.toString(StandardCharsets.UTF_8)); // the rows, for the reader
    for (String line : bytes.toString(StandardCharsets.UTF_8).split("\n", -1)) {
      if (!line.isBlank()) {
        printed.add(json.readTree(line));
      }
    }
  }

  private static List<Thread> nonDaemonThreads() {
    List<Thread> all = new ArrayList<>();
    for (Thread t : Thread.getAllStackTraces().keySet()) {
      if (!t.isDaemon() && t.isAlive()) {
        all.add(t);
      }
    }
    return all;
  }

  /**
   * {@code bench} ends when its last row is printed: every non-daemon thread the run started ends
   * with it (given a moment to finish closing). An idle pool thread of LSP4J's launcher once kept
   * the JVM alive for a minute after the last row.
   */
  @Test
  void theRunLeavesNoNonDaemonThreadBehind() throws InterruptedException {
    for (Thread t : startedAndLeftRunning) {
      t.join(Duration.ofSeconds(10).toMillis());
    }
    assertThat(startedAndLeftRunning.stream().filter(Thread::isAlive).map(Thread::getName))
        .as("non-daemon threads the run started, still alive 10 s after it")
        .isEmpty();
  }

  /** {@code bench --json} prints each row once, with its goal where one is set. */
  @Test
  void everyRowIsPrintedOnceWithItsGoal() {
    List<String> names = new ArrayList<>();
    for (JsonNode row : printed) {
      String name = row.path("name").asText();
      names.add(name);
      boolean hasGoal = ROWS_WITH_A_GOAL.stream().anyMatch(name::startsWith);
      assertThat(hasGoal || ROWS_WITHOUT_A_GOAL.stream().anyMatch(name::startsWith))
          .as("a row no test knows: " + name)
          .isTrue();
      assertThat(row.has("goal")).as(name + ": goal").isEqualTo(hasGoal);
      assertThat(row.path("tether").asDouble()).as(name + ": Tether's figure").isPositive();
    }
    for (String row : concat(ROWS_WITH_A_GOAL, ROWS_WITHOUT_A_GOAL)) {
      assertThat(names.stream().filter(n -> n.startsWith(row)))
          .as("rows named " + row + "...")
          .hasSize(1);
    }
  }

  private static List<String> concat(List<String> a, List<String> b) {
    List<String> all = new ArrayList<>(a);
    all.addAll(b);
    return all;
  }

  @Test
  void everyComparisonRunsAndReportsBothSides() {
    for (var row : BenchMain.rows(results.scores())) {
      assertThat(row.get("tether").asDouble()).as(row.toString()).isPositive();
      assertThat(row.get("baseline").asDouble()).as(row.toString()).isPositive();
    }
  }

  /** What the smoke pass's replays returned (Spring Statemachine is built once, by the pass). */
  @Test
  void bothMachinesAgreeOnTheTraceOutcome() {
    String b1 = TransitionBenchmark.class.getName() + ".";
    assertThat((Integer) results.answers().get(b1 + "tetherStep")).isPositive();
    // Both end Closed: "CLOSED".length()
    assertThat(results.answers().get(b1 + "springStatemachine")).isEqualTo("CLOSED".length());
  }

  /**
   * JMH calls each replay thousands of times on one instance: every replay must run the whole trace
   * again from a fresh start, on every side. (Spring Statemachine's machine, once it had reached an
   * end state, could not be restarted by stop, reset and start: every later replay stayed idle and
   * denied each event, so B1's Spring row measured a machine doing nothing.)
   */
  @Test
  void everyB1SideReplaysTheWholeTraceAgainOnTheSameInstance() throws Exception {
    InputTrace trace = new InputTrace(42, TransitionBenchmark.TRACE_LENGTH);
    SpringConnectionMachine spring = new SpringConnectionMachine(trace.policy.maxAttempts());
    Stateless4jConnectionMachine s4j = new Stateless4jConnectionMachine(trace.policy.maxAttempts());
    DriverReplay driver = new DriverReplay(trace);
    int step = trace.replay();
    int driven = driver.replay();
    for (int round = 1; round <= 3; round++) {
      assertThat(spring.replay(trace.kinds))
          .as("Spring replay %d", round)
          .isEqualTo("CLOSED".length());
      assertThat(s4j.replay(trace.kinds))
          .as("stateless4j replay %d", round)
          .isEqualTo("CLOSED".length());
      assertThat(trace.replay()).as("step replay %d", round).isEqualTo(step);
      assertThat(driver.replay()).as("driver replay %d", round).isEqualTo(driven);
    }
  }

  /**
   * The baseline runs the same machine: after every input of the trace it is in the stage, and at
   * the attempt number, Tether's machine is in (a baseline that ignored stale inputs differently,
   * or counted attempts differently, would part ways at the first such input).
   */
  @Test
  void stateless4jVisitsTheSameStagesAsTetherAfterEveryInput() {
    InputTrace trace = new InputTrace(42, TransitionBenchmark.TRACE_LENGTH);
    List<String> tether = new ArrayList<>();
    MachineState s = MachineState.initial();
    for (int i = 0; i < trace.inputs.length; i++) {
      s = trace.machine.step(s, trace.inputs[i], i, trace.draws[i]).next();
      tether.add(stageName(s.stage()));
    }
    List<String> baseline = new ArrayList<>();
    Stateless4jConnectionMachine s4j = new Stateless4jConnectionMachine(trace.policy.maxAttempts());
    s4j.replay(
        trace.kinds,
        (state, attempt) ->
            baseline.add(
                state == InputTrace.Stage.OPENING || state == InputTrace.Stage.WAITING
                    ? state + " #" + attempt
                    : state.name()));
    assertThat(baseline).containsExactlyElementsOf(tether);
    assertThat(tether).contains("OPENING #1", "WAITING #1", "WAITING #2", "UP", "CLOSED");
  }

  /**
   * B1's driver row runs the same trace: after every input, the connection's public state (its
   * attempt numbers, causes, epochs) is the one Tether's pure machine reaches. A replay that fired
   * the wrong timer or lost the wrong channel would part ways there.
   */
  @Test
  void driverReplayReachesThePureMachinesStateAfterEveryInput() {
    InputTrace trace = new InputTrace(42, TransitionBenchmark.TRACE_LENGTH);
    List<String> pure = new ArrayList<>();
    MachineState s = MachineState.initial();
    for (int i = 0; i < trace.inputs.length; i++) {
      s = trace.machine.step(s, trace.inputs[i], i, trace.draws[i]).next();
      pure.add(withoutDelay(s.state()));
    }
    List<String> driven = new ArrayList<>();
    int events = new DriverReplay(trace).replay(state -> driven.add(withoutDelay(state)));

    assertThat(driven).containsExactlyElementsOf(pure);
    assertThat(events).as("lifecycle events delivered to the listener").isGreaterThan(100);
  }

  /** A state's text without its backoff delay (drawn from the scheduler's clock and jitter). */
  private static String withoutDelay(ConnectionState state) {
    return state.toString().replaceAll("delay=[^,\\]]*", "");
  }

  /**
   * B8's two sides called the same tool of the same server and got the same answer; the restart
   * runner measured both sides; no server process outlived its client.
   */
  @Test
  void mcpSidesEchoTheSameTextAndRestart() {
    String expected = "Echo: " + EchoClient.MESSAGE;
    for (String method : List.of("tether1", "sdk1")) {
      assertThat(results.answers().get(McpBenchmark.class.getName() + "." + method))
          .as(method)
          .isEqualTo(expected);
    }
    assertThat(results.restart().tetherP50()).isPositive();
    assertThat(results.restart().sdkP50()).isPositive();
    assertThat(BenchPeers.children()).as("child processes left behind").isEmpty();
  }

  /**
   * B9's two sides got the same outline of the 2,000-line document: every record, its three
   * members, and the count, in the same order at the same depth.
   */
  @Test
  void lspSidesReturnTheSameSymbols() {
    assertThat(LspDocument.TEXT.split("\n", -1)).hasSize(LspDocument.LINES + 1);
    List<String> viaTether = results.lsp().tetherOutline();

    assertThat(viaTether).containsExactlyElementsOf(results.lsp().lsp4jOutline());
    // items; each record, its id, name and tags, and the two tags; then count.
    assertThat(viaTether).hasSize(1 + LspDocument.ITEMS * 6 + 1);
    assertThat(viaTether).contains("1 0 2", "2 name 15", "3 1 15", "0 count 16");
    assertThat(results.lsp().ratioMedian()).isPositive();
    assertThat(BenchPeers.children()).as("child processes left behind").isEmpty();
  }

  private static String stageName(MachineState.Stage stage) {
    if (stage instanceof MachineState.Stage.NotStarted) {
      return "IDLE";
    } else if (stage instanceof MachineState.Stage.Opening o) {
      return "OPENING #" + o.attempt().number();
    } else if (stage instanceof MachineState.Stage.Waiting w) {
      return "WAITING #" + w.attempt().number();
    } else if (stage instanceof MachineState.Stage.Up) {
      return "UP";
    } else if (stage instanceof MachineState.Stage.Ended e) {
      return e.terminal() instanceof ConnectionState.Closed ? "CLOSED" : "PERMANENT";
    }
    throw new AssertionError("the trace has no handshake: " + stage);
  }

  @Test
  void reconnectLatencyIsMeasured() {
    ReconnectLatency.Result r = results.reconnect();
    assertThat(r.samples()).isPositive();
    assertThat(r.p99Micros()).isPositive();
    assertThat(r.raw().p99Micros()).as("the raw baseline's rounds").isPositive();
    assertThat(r.handshake().p50Micros()).as("the resubscribe phase").isPositive();
  }

  /**
   * Both halves are measured. The raw half (≈ 12 KB per session) is only checked to be a number: it
   * is measured after Tether's sessions are closed, and what they leave for a later GC has made it
   * negative at 200 sessions.
   */
  @Test
  void socketMemoryFootprintIsMeasurable() {
    assertThat(results.socketMemory().sessions())
        .isEqualTo(BenchMain.socketSessions(BenchMain.Profile.SMOKE));
    assertThat(results.socketMemory().tetherBytes()).isPositive();
    assertThat(results.socketMemory().rawBytes()).isFinite();
  }

  /** The JMH path of the quick and full profiles (the smoke pass calls methods directly). */
  @Test
  void jmhRunsABenchmarkWithTheSmokeOptions() throws Exception {
    String step = TransitionBenchmark.class.getName() + ".tetherStep";
    assertThat(BenchMain.jmh(BenchMain.Profile.SMOKE, List.of(step)).get(step)).isPositive();
  }

  /**
   * B1 and B2 get the forks and warm-up their drift needs in the full profile, others 2 × 8 s;
   * every fork a fixed, pre-touched heap and a quiet MCP SDK.
   */
  @Test
  void fullProfileGivesB1ToB3MoreForksAndLongerWarmUpsAndEveryForkAFixedHeap() {
    Options b1 =
        BenchMain.options(BenchMain.Profile.FULL, TransitionBenchmark.class.getName()).build();
    Options b2 =
        BenchMain.options(BenchMain.Profile.FULL, WebSocketBenchmark.class.getName()).build();
    Options b8 = BenchMain.options(BenchMain.Profile.FULL, McpBenchmark.class.getName()).build();
    assertThat(List.of(b1.getForkCount().get(), b1.getWarmupIterations().get()))
        .containsExactly(3, 12);
    assertThat(List.of(b2.getForkCount().get(), b2.getWarmupIterations().get()))
        .containsExactly(4, 15);
    assertThat(List.of(b8.getForkCount().get(), b8.getWarmupIterations().get()))
        .containsExactly(2, 8);
    // The fork's arguments replace the runner's (-Xmn1g there would make a fork's young
    // generation its whole heap), rather than being appended to them.
    assertThat(b8.getJvmArgs().get())
        .containsExactly("-Xms1g", "-Xmx1g", "-XX:+AlwaysPreTouch", BenchMain.QUIET_MCP_SDK);
    assertThat(b8.getJvmArgsAppend().hasValue()).isFalse();
  }

  /**
   * Every session of every side came back after the server's return, none was lost, and the server
   * counted each reconnect: a side whose sessions never returned, or a server that did not count,
   * would pass a check of positive figures alone. The smoke pass runs the servers in this JVM
   * ({@link ReconnectStorm.Hosting#IN_PROCESS}); {@link StormHostTest} covers the child JVMs.
   */
  @Test
  void reconnectStormBringsEverySessionBackAndTheServerCountsThem() {
    int sessions = BenchMain.stormSessions(BenchMain.Profile.SMOKE);
    ReconnectStorm.Result r = results.storm();
    for (ReconnectStorm.Side side :
        List.of(r.warmUp(), r.tether(), r.tetherNoJitter(), r.naive())) {
      assertThat(side.dropped())
          .as(side.name() + ": sessions that saw the outage")
          .isEqualTo(sessions);
      assertThat(side.lost()).as(side.name() + ": sessions lost").isZero();
      assertThat(side.server().path("upgraded").asInt())
          .as(side.name() + ": WebSockets the server accepted after its return")
          .isGreaterThanOrEqualTo(sessions);
      assertThat(side.peakAccepted()).as(side.name()).isPositive();
      assertThat(side.maxMillis()).as(side.name()).isPositive();
    }
    assertThat(ProcessHandle.current().children().filter(ProcessHandle::isAlive))
        .as("children of this JVM")
        .isEmpty();
  }

  /**
   * B7 on the virtual clock: every session of every side came back, none was lost, and the ratio
   * the row prints is computed from positive peaks ({@link StormModelTest} pins the figures).
   */
  @Test
  void reconnectStormModelBringsEverySessionBackAndComparesPositivePeaks() {
    StormModel.Result r = results.stormModel();
    for (StormModel.Side side : List.of(r.tether(), r.tetherNoJitter(), r.naive())) {
      assertThat(side.dropped()).as(side.name() + ": sessions that saw the outage").isPositive();
      assertThat(side.lost()).as(side.name() + ": sessions lost").isZero();
      assertThat(side.offeredPeak()).as(side.name() + ": peak offered").isPositive();
      assertThat(side.maxMillis()).as(side.name()).isPositive();
    }
    assertThat(r.naive().dropped()).isEqualTo(r.tether().dropped());
    JsonNode row =
        printed.stream()
            .filter(n -> n.path("name").asText().startsWith("B7 reconnect storm on the virtual"))
            .findFirst()
            .orElseThrow();
    assertThat(row.path("ratio").asDouble())
        .isEqualTo(r.naive().offeredPeak() / (double) r.tether().offeredPeak());
  }

  /** Measured, and every child started (Tether's and the plain ones) is gone afterwards. */
  @Test
  void processMemoryFootprintIsMeasurableAndLeavesNoChild() {
    ProcessMemoryFootprint.Result r = results.processMemory();
    assertThat(r.tetherBytes()).isPositive();
    assertThat(r.childRssBytes()).isPositive();
    assertThat(r.threads()).isPositive();
    assertThat(dev.tether.process.ProcessTransport.liveProcesses()).isEmpty();
    assertThat(ProcessHandle.current().children().filter(ProcessHandle::isAlive))
        .as("children of this JVM")
        .isEmpty();
  }
}
