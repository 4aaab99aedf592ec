package dev.tether.bench;

import java.io.PrintStream;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The smoke profile of {@code bench} ({@code mvn -B verify} runs it, {@link BenchMain#runAll}): the
 * same steps and rows as the quick and full profiles at small sizes, ordered to take a few seconds.
 * Every child is started at the beginning, in parallel ({@link SmokeChildren}), while steps that
 * start none run in this JVM (B1, B2/B3, B7); then the steps on those children (B8 with its
 * restart-to-ready on the same two servers, the stdio round trips, B9); then B4; then the heap
 * readings (B5), last, with nothing else running in this JVM. The rows are printed at the end, in
 * the order of the other profiles.
 */
final class SmokeRun {
  /** The benchmark classes the pass calls: every class a row names ({@link #run} checks). */
  static final List<Class<?>> CLASSES =
      List.of(
          TransitionBenchmark.class,
          WebSocketBenchmark.class,
          McpBenchmark.class,
          StdioBenchmark.class);

  private static final BenchMain.Profile SMOKE = BenchMain.Profile.SMOKE;
  private static final int INVOCATIONS = BenchMain.SMOKE_INVOCATIONS;

  private SmokeRun() {}

  /** Runs the smoke pass; prints every row to {@code out} at the end; times each step. */
  static BenchMain.Results run(boolean json, PrintStream out, Progress progress) {
    Map<String, Set<String>> methods = BenchMain.methodsByClass();
    Set<String> called = CLASSES.stream().map(Class::getName).collect(Collectors.toSet());
    if (!called.equals(methods.keySet())) {
      throw new IllegalStateException(
          "the rows name the benchmark classes " + methods.keySet() + "; the pass calls " + called);
    }
    Measured m = new Measured();
    try (SmokeChildren children = SmokeChildren.start()) {
      withoutChildren(m, methods, progress);
      onChildren(m, children, methods, progress);
      // B4 once the children are up: a round whose restarted server is not listening by the
      // reconnect attempt (50 ms) is left out, and a pass of only such rounds fails.
      progress.step("B4 reconnect latency");
      m.b4 = BenchMain.measureReconnect(SMOKE);
      heap(m, children, progress);
      progress.done();
    }
    BenchMain.report(m.scores, json, out);
    LspRounds.report(m.b9, json, out);
    BenchMain.reportMemory(m.simulatorSessions, m.b5simulator, json, out);
    BenchMain.reportReconnect(m.b4, json, out);
    BenchMain.reportSocketMemory(m.b5ws, json, out);
    ProcessMemoryFootprint.report(m.b5process, json, out);
    ReconnectStorm.report(m.b7, json, out);
    StormModel.report(m.b7model, json, out);
    BenchMain.reportRestart(m.b8, json, out);
    return new BenchMain.Results(
        m.scores, m.answers, m.b9, m.b4, m.b5ws, m.b5process, m.b7, m.b7model, m.b8);
  }

  /** What the steps measured, until it is printed. Confined to the pass's thread. */
  private static final class Measured {
    final Map<String, Double> scores = new HashMap<>();
    final Map<String, Object> answers = new HashMap<>();
    final int simulatorSessions = BenchMain.simulatorSessions(SMOKE);
    ReconnectLatency.Result b4;
    ReconnectStorm.Result b7;
    StormModel.Result b7model;
    McpRestart.Result b8;
    LspRounds.Result b9;
    double b5simulator;
    SocketMemoryFootprint.Result b5ws;
    ProcessMemoryFootprint.Result b5process;
  }

  /**
   * Steps in this JVM that a busy machine does not fail, run while the children start: B1, B2/B3
   * and B7 (its servers in this JVM; a session counts as lost only after 30 s), then B7's model on
   * the virtual clock.
   */
  private static void withoutChildren(
      Measured m, Map<String, Set<String>> methods, Progress progress) {
    calls(TransitionBenchmark.class, methods, m, progress);
    calls(WebSocketBenchmark.class, methods, m, progress);
    progress.step("B7 reconnect storm");
    m.b7 =
        ReconnectStorm.measure(
            BenchMain.stormSessions(SMOKE),
            BenchMain.stormOutage(SMOKE),
            BenchMain.stormHosting(SMOKE));
    progress.step("B7 reconnect storm on the virtual clock");
    m.b7model = BenchMain.stormModel(SMOKE);
  }

  /**
   * The steps on the children: B8's calls, then its restart-to-ready on the same two clients (each
   * round kills and restarts a server, as in the other profiles); the stdio round trips; B9.
   */
  private static void onChildren(
      Measured m, SmokeChildren children, Map<String, Set<String>> methods, Progress progress) {
    progress.step(McpBenchmark.class.getSimpleName());
    McpBenchmark mcp = children.take(McpBenchmark.class);
    try {
      SmokePass.calls(mcp, of(methods, McpBenchmark.class), INVOCATIONS, m.scores, m.answers);
      progress.step("B8 restart-to-ready after kill -9");
      m.b8 = McpRestart.measure(BenchMain.restartRounds(SMOKE), mcp.tether(), mcp.sdk());
    } finally {
      mcp.tearDown();
    }
    progress.step(StdioBenchmark.class.getSimpleName());
    SmokePass.runOn(
        children.take(StdioBenchmark.class),
        of(methods, StdioBenchmark.class),
        INVOCATIONS,
        m.scores,
        m.answers);
    progress.step("B9 LSP documentSymbol, interleaved");
    // BenchMain.lspRounds(SMOKE)'s sizes, on the servers started early.
    m.b9 = LspRounds.measure(children.take(LspBenchmark.class), 0, 1, INVOCATIONS);
  }

  /**
   * The heap readings (B5), last: every other step is over and every child start has been taken, so
   * nothing else allocates in this JVM meanwhile, and B5 (process) counts only its own children.
   */
  private static void heap(Measured m, SmokeChildren children, Progress progress) {
    int gcs = BenchMain.gcsPerReading(SMOKE);
    progress.step("B5 memory (simulator)");
    m.b5simulator = MemoryFootprint.bytesPerSession(m.simulatorSessions, gcs);
    progress.step("B5 memory (WebSocket)");
    m.b5ws =
        SocketMemoryFootprint.measure(
            BenchMain.socketSessions(SMOKE), gcs, children.take(BenchServerProcess.class));
    progress.step("B5 memory (process sessions)");
    m.b5process = ProcessMemoryFootprint.measure(BenchMain.processSessions(SMOKE), gcs);
  }

  /** One benchmark class without a child: set up, its methods called, torn down. */
  private static void calls(
      Class<?> cls, Map<String, Set<String>> methods, Measured m, Progress progress) {
    progress.step(cls.getSimpleName());
    SmokePass.run(cls, of(methods, cls), INVOCATIONS, m.scores, m.answers);
  }

  private static Set<String> of(Map<String, Set<String>> methods, Class<?> cls) {
    Set<String> named = methods.get(cls.getName());
    if (named == null) {
      throw new IllegalStateException("no row names a method of " + cls.getName());
    }
    return named;
  }
}
