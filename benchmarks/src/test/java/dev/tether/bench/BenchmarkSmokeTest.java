package dev.tether.bench;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tether.machine.BackoffPolicy;
import dev.tether.machine.ConnectionState;
import dev.tether.machine.MachineState;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Keeps the benchmarks from rotting: each runs a handful of iterations. No speed assertions. */
class BenchmarkSmokeTest {

  @Test
  void everyComparisonRunsAndReportsBothSides() throws Exception {
    Map<String, Double> scores = BenchMain.run(BenchMain.Profile.SMOKE);
    for (var row : BenchMain.rows(scores)) {
      assertThat(row.get("tether").asDouble()).as(row.toString()).isPositive();
      assertThat(row.get("baseline").asDouble()).as(row.toString()).isPositive();
    }
  }

  @Test
  void bothMachinesAgreeOnTheTraceOutcome() throws Exception {
    InputTrace trace = new InputTrace(42, TransitionBenchmark.TRACE_LENGTH);
    assertThat(trace.replay()).isPositive();
    SpringConnectionMachine spring = new SpringConnectionMachine(trace.policy.maxAttempts());
    // Both end Closed: "CLOSED".length()
    assertThat(spring.replay(trace.kinds)).isEqualTo("CLOSED".length());
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
   * B8's two sides call the same tool of the same server and get the same answer; the restart
   * runner measures both sides; no server process outlives its client.
   */
  @Test
  void mcpSidesEchoTheSameTextAndRestart() {
    try (TetherMcpClient tether = TetherMcpClient.start(BackoffPolicy.defaults());
        SdkMcpClient sdk = SdkMcpClient.start()) {
      String expected = "Echo: " + EchoClient.MESSAGE;
      assertThat(Rigs.await(tether.echo(EchoClient.MESSAGE))).isEqualTo(expected);
      assertThat(Rigs.await(sdk.echo(EchoClient.MESSAGE))).isEqualTo(expected);
    }
    McpRestart.Result r = McpRestart.measure(1);
    assertThat(r.tetherP50()).isPositive();
    assertThat(r.sdkP50()).isPositive();
    assertThat(BenchPeers.children()).as("child processes left behind").isEmpty();
  }

  /**
   * B9's two sides get the same outline of the 2,000-line document: every record, its three
   * members, and the count, in the same order at the same depth.
   */
  @Test
  void lspSidesReturnTheSameSymbols() throws Exception {
    assertThat(LspDocument.TEXT.split("\n", -1)).hasSize(LspDocument.LINES + 1);
    try (TetherLspClient tether = TetherLspClient.start();
        Lsp4jClient lsp4j = Lsp4jClient.start()) {
      List<String> viaTether = TetherLspClient.outline(Rigs.await(tether.documentSymbols()));
      List<String> viaLsp4j = Lsp4jClient.outline(Rigs.await(lsp4j.documentSymbols()));

      assertThat(viaTether).containsExactlyElementsOf(viaLsp4j);
      // items; each record, its id, name and tags, and the two tags; then count.
      assertThat(viaTether).hasSize(1 + LspDocument.ITEMS * 6 + 1);
      assertThat(viaTether).contains("1 0 2", "2 name 15", "3 1 15", "0 count 16");
    }
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
    ReconnectLatency.Result r = ReconnectLatency.measure(3, 1);
    assertThat(r.samples()).isPositive();
    assertThat(r.p99Micros()).isPositive();
    assertThat(r.raw().p99Micros()).as("the raw baseline's rounds").isPositive();
    assertThat(r.handshake().p50Micros()).as("the resubscribe phase").isPositive();
  }

  @Test
  void socketMemoryFootprintIsMeasurable() {
    // Enough sessions that each half (≈ 14 MB of client state) stands far above the heap's
    // noise after GC in a test JVM (≈ 0.2 MB seen): with 100, the raw half once came out negative.
    SocketMemoryFootprint.Result r =
        SocketMemoryFootprint.measure(BenchMain.socketSessions(BenchMain.Profile.SMOKE));
    assertThat(r.tetherBytes()).isPositive();
    assertThat(r.rawBytes()).isPositive();
  }

  /**
   * Every session of every side came back after the server's return, none was lost, and the server
   * counted each reconnect: a side whose sessions never returned, or a server that did not count,
   * would pass a check of positive figures alone.
   */
  @Test
  void reconnectStormBringsEverySessionBackAndTheServerCountsThem() {
    int sessions = BenchMain.stormSessions(BenchMain.Profile.SMOKE);
    ReconnectStorm.Result r =
        ReconnectStorm.measure(sessions, BenchMain.stormOutage(BenchMain.Profile.SMOKE));
    for (ReconnectStorm.Side side : List.of(r.tether(), r.tetherNoJitter(), r.naive())) {
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
  }

  /** Measured, and every child started (Tether's and the plain ones) is gone afterwards. */
  @Test
  void processMemoryFootprintIsMeasurableAndLeavesNoChild() {
    ProcessMemoryFootprint.Result r =
        ProcessMemoryFootprint.measure(BenchMain.processSessions(BenchMain.Profile.SMOKE));
    assertThat(r.tetherBytes()).isPositive();
    assertThat(r.childRssBytes()).isPositive();
    assertThat(r.threads()).isPositive();
    assertThat(dev.tether.process.ProcessTransport.liveProcesses()).isEmpty();
    assertThat(ProcessHandle.current().children().filter(ProcessHandle::isAlive))
        .as("children of this JVM")
        .isEmpty();
  }

  @Test
  void memoryFootprintIsMeasurable() {
    assertThat(MemoryFootprint.bytesPerSession(2_000)).isPositive();
  }
}
