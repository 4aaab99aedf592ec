package dev.tether.bench;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;
import org.openjdk.jmh.runner.options.VerboseMode;

/**
 * {@code ./tether bench [--quick] [--json]}: runs every comparison in one JMH run and reports each
 * as Tether vs its baseline, with the ratio (higher is better for Tether).
 */
public final class BenchMain {

  /** One side-by-side comparison. */
  record Comparison(String name, String tether, String baseline, String unit, double goal) {}

  static final List<Comparison> COMPARISONS =
      List.of(
          transitions("B1 transitions vs stateless4j", "tetherStep", "stateless4j", 1.5),
          transitions("B1 driver with effects vs stateless4j", "tetherDriver", "stateless4j", 1.0),
          transitions(
              "B1 transitions vs Spring Statemachine", "tetherStep", "springStatemachine", 100.0),
          ws("B2 round trips, 1 in flight", "tetherRoundTrip1", "rawRoundTrip1", "requests/s"),
          ws("B2 round trips, 64 in flight", "tetherRoundTrip64", "rawRoundTrip64", "requests/s"),
          ws("B3 stream events", "tetherEvents", "rawEvents", "events/s"),
          mcp("B8 MCP tools/call vs MCP Java SDK, 1 in flight", "tether1", "sdk1"),
          mcp("B8 MCP tools/call vs MCP Java SDK, 16 in flight", "tether16", "sdk16"),
          stdio(
              "stdio round trips vs plain loop, 1 in flight",
              "tetherRoundTrip1",
              "plainRoundTrip1"),
          stdio(
              "stdio round trips vs plain loop, 64 in flight",
              "tetherRoundTrip64",
              "plainRoundTrip64"));

  /** A {@link TransitionBenchmark} pair, in transitions per second. */
  private static Comparison transitions(String name, String tether, String baseline, double goal) {
    String cls = TransitionBenchmark.class.getName() + ".";
    return new Comparison(name, cls + tether, cls + baseline, "transitions/s", goal);
  }

  /** A {@link WebSocketBenchmark} pair; goal: at least 0.9x the raw Vert.x client. */
  private static Comparison ws(String name, String tether, String raw, String unit) {
    String cls = WebSocketBenchmark.class.getName() + ".";
    return new Comparison(name, cls + tether, cls + raw, unit, 0.9);
  }

  /** A {@link McpBenchmark} pair; goal: at least as fast as the official SDK. */
  private static Comparison mcp(String name, String tether, String sdk) {
    String cls = McpBenchmark.class.getName() + ".";
    return new Comparison(name, cls + tether, cls + sdk, "calls/s", 1.0);
  }

  /**
   * A {@link StdioBenchmark} pair (not the B7, which is the reconnect storm); goal: at
   * least 0.9x the plain ProcessBuilder loop, like B2.
   */
  private static Comparison stdio(String name, String tether, String plain) {
    String cls = StdioBenchmark.class.getName() + ".";
    return new Comparison(name, cls + tether, cls + plain, "requests/s", 0.9);
  }

  /** Run lengths. */
  enum Profile {
    /** A handful of iterations, to prove the benchmarks run (used by {@code mvn -B verify}). */
    SMOKE,
    /** Short iterations: a few minutes for everything. */
    QUICK,
    /** Proper warm-up and forks. */
    FULL
  }

  private BenchMain() {}

  /** Entry point. */
  public static void main(String[] args) throws RunnerException {
    boolean json = false;
    Profile profile = Profile.FULL;
    for (String a : args) {
      switch (a) {
        case "--json" -> json = true;
        case "--quick" -> profile = Profile.QUICK;
        case "--smoke" -> profile = Profile.SMOKE;
        default -> {
          System.err.println("usage: tether bench [--quick] [--json]  (unknown option: " + a + ")");
          System.exit(2);
        }
      }
    }
    quietBaselineLogs();
    PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
    runAll(profile, json, out, Progress.onTerminal());
  }

  /**
   * What one {@code bench} run measured, besides the rows it printed: the scores and last answers
   * of the benchmark methods (answers only in the smoke profile) and each runner's result.
   */
  record Results(
      Map<String, Double> scores,
      Map<String, Object> answers,
      LspRounds.Result lsp,
      ReconnectLatency.Result reconnect,
      SocketMemoryFootprint.Result socketMemory,
      ProcessMemoryFootprint.Result processMemory,
      ReconnectStorm.Result storm,
      StormModel.Result stormModel,
      McpRestart.Result restart) {}

  /**
   * Runs every comparison of {@code profile} and prints each row to {@code out}, each as soon as it
   * is measured. The smoke profile ({@link SmokeRun}) measures in an order of its own, its children
   * started early, and prints the same rows in the same order at the end.
   */
  static Results runAll(Profile profile, boolean json, PrintStream out, Progress progress)
      throws RunnerException {
    if (profile == Profile.SMOKE) {
      return SmokeRun.run(json, out, progress);
    }
    Map<String, Double> scores = run(profile, progress);
    report(scores, json, out);
    progress.step("B9 LSP documentSymbol, interleaved");
    LspRounds.Result b9 = lspRounds(profile);
    LspRounds.report(b9, json, out);
    progress.step("B5 memory (simulator)");
    memory(simulatorSessions(profile), gcsPerReading(profile), json, out);
    progress.step("B4 reconnect latency");
    ReconnectLatency.Result b4 = reconnect(profile, json, out);
    progress.step("B5 memory (WebSocket)");
    SocketMemoryFootprint.Result b5ws =
        socketMemory(socketSessions(profile), gcsPerReading(profile), json, out);
    progress.step("B5 memory (process sessions)");
    ProcessMemoryFootprint.Result b5process =
        ProcessMemoryFootprint.measure(processSessions(profile), gcsPerReading(profile));
    ProcessMemoryFootprint.report(b5process, json, out);
    progress.step("B7 reconnect storm");
    ReconnectStorm.Result b7 =
        ReconnectStorm.measure(stormSessions(profile), stormOutage(profile), stormHosting(profile));
    ReconnectStorm.report(b7, json, out);
    progress.step("B7 reconnect storm on the virtual clock");
    StormModel.Result b7model = stormModel(profile);
    StormModel.report(b7model, json, out);
    progress.step("B8 restart-to-ready after kill -9");
    McpRestart.Result b8 = mcpRestart(restartRounds(profile), json, out);
    progress.done();
    return new Results(scores, Map.of(), b9, b4, b5ws, b5process, b7, b7model, b8);
  }

  /**
   * B9, both sides interleaved ({@link LspRounds}): warm-up rounds, then rounds of requests per
   * side. At ≈ 40 requests/s a full round is about a second.
   */
  static LspRounds.Result lspRounds(Profile profile) {
    return switch (profile) {
      case SMOKE -> LspRounds.measure(0, 1, SMOKE_INVOCATIONS);
      case QUICK -> LspRounds.measure(2, 10, 10);
      case FULL -> LspRounds.measure(5, 30, 20);
    };
  }

  /**
   * B5 on the simulator: sessions on the virtual clock. The smoke pass's 5,000 (3 MB at ≈ 630 B
   * each) keep the figure above the heap's noise after one GC, at little cost.
   */
  static int simulatorSessions(Profile profile) {
    return switch (profile) {
      case SMOKE -> 5_000;
      case QUICK -> 10_000;
      case FULL -> 100_000;
    };
  }

  /** Full GCs per heap reading of B5 ({@link MemoryFootprint#GCS}; one in the smoke pass). */
  static int gcsPerReading(Profile profile) {
    return profile == Profile.SMOKE ? 1 : MemoryFootprint.GCS;
  }

  /** B5 process sessions: each is a child process ({@code cat}) and a few threads. */
  static int processSessions(Profile profile) {
    return switch (profile) {
      case SMOKE -> 20;
      case QUICK -> 200;
      case FULL -> 1_000;
    };
  }

  /** B7's outage: the 2 s; shorter in the smoke pass, which only proves it runs. */
  static java.time.Duration stormOutage(Profile profile) {
    return profile == Profile.SMOKE ? java.time.Duration.ofMillis(200) : ReconnectStorm.OUTAGE;
  }

  /** B7's servers: child JVMs when measuring; in this JVM for the smoke pass (no JVM to start). */
  static ReconnectStorm.Hosting stormHosting(Profile profile) {
    return profile == Profile.SMOKE
        ? ReconnectStorm.Hosting.IN_PROCESS
        : ReconnectStorm.Hosting.CHILD_JVM;
  }

  /** B7 sessions: the 10,000 in the full profile; a hundred for the smoke pass. */
  static int stormSessions(Profile profile) {
    return switch (profile) {
      case SMOKE -> 100;
      case QUICK -> 2_000;
      case FULL -> 10_000;
    };
  }

  /**
   * B7 on the virtual clock ({@link StormModel}): the 10,000 sessions and 2 s outage when
   * measuring (≈ 1-2 s of wall time); 1,000 sessions for the smoke pass.
   */
  static StormModel.Result stormModel(Profile profile) {
    int sessions = profile == Profile.SMOKE ? 1_000 : 10_000;
    return StormModel.measure(sessions, ReconnectStorm.OUTAGE, StormModel.seed());
  }

  /**
   * The MCP SDK logs each exchange's setup at INFO (server-everything's instructions run to pages);
   * {@code bench} keeps its stderr for progress and real warnings, in this JVM and in JMH's forks.
   */
  static final String QUIET_MCP_SDK = "-Dorg.slf4j.simpleLogger.log.io.modelcontextprotocol=warn";

  /**
   * Every JMH fork's JVM arguments, both sides alike, in place of the ones JMH would otherwise copy
   * from this JVM (whose {@code -Xmn1g}, given for B7's clients, made a fork's young generation its
   * whole 1 GB heap): a quiet MCP SDK and a fixed heap touched before the benchmark starts. G1
   * grows a default heap in steps during the first seconds (388 to 860 MB in B2), and the first
   * writes to each new step page-fault (11-12 k minor faults per 250 ms, ≈ 20 µs each on this VM),
   * which cut B2 at 64 in flight to a quarter of its rate for 0.5-0.75 s in whichever side's fork
   * it hit; a metadata-threshold collection inside the measurement shrank the heap and started
   * again.
   */
  static final String[] FORK_ARGUMENTS = {"-Xms1g", "-Xmx1g", "-XX:+AlwaysPreTouch", QUIET_MCP_SDK};

  private static void quietBaselineLogs() {
    System.setProperty("org.slf4j.simpleLogger.log.io.modelcontextprotocol", "warn");
  }

  /** B8 restart-to-ready: kills per side. Each round is about a second per side (node starting). */
  static int restartRounds(Profile profile) {
    return switch (profile) {
      case SMOKE -> 1;
      case QUICK -> 5;
      case FULL -> 20;
    };
  }

  /** B8 restart-to-ready after kill -9: the medians, baseline ÷ Tether (higher is better). */
  static McpRestart.Result mcpRestart(int rounds, boolean json, PrintStream out) {
    McpRestart.Result r = McpRestart.measure(rounds);
    reportRestart(r, json, out);
    return r;
  }

  /** Prints B8's restart-to-ready row. */
  static void reportRestart(McpRestart.Result r, boolean json, PrintStream out) {
    if (json) {
      ObjectNode n =
          BenchJson.row(
              "B8 MCP restart-to-ready after kill -9 vs MCP Java SDK, p50",
              r.tetherP50(),
              r.sdkP50(),
              r.sdkP50() / r.tetherP50(),
              "us",
              null);
      n.put("tether_p90", r.tetherP90());
      n.put("baseline_p90", r.sdkP90());
      n.put("rounds", r.rounds());
      out.println(BenchJson.line(n));
    } else {
      out.printf(
          Locale.ROOT,
          "%-18s p50 %,.0f us   p90 %,.0f us; MCP SDK with a user's restart p50 %,.0f us   p90"
              + " %,.0f us (SDK ÷ Tether p50 %.2fx; %d rounds; no goal)%n",
          "B8 restart",
          r.tetherP50(),
          r.tetherP90(),
          r.sdkP50(),
          r.sdkP90(),
          r.sdkP50() / r.tetherP50(),
          r.rounds());
    }
  }

  /**
   * B5 sessions on real sockets: the 10,000 in the full profile. The server runs in a child
   * JVM, so each session is one descriptor in each process (a 20,000 limit per process holds it).
   * The smoke pass, which proves the runner runs and not the figure, connects 100 of each kind:
   * about 1.5 MB of Tether sessions (15 KB each with Vert.x's), above the heap's noise after one
   * GC.
   */
  static int socketSessions(Profile profile) {
    return switch (profile) {
      case SMOKE -> 100;
      case QUICK -> 2_000;
      case FULL -> 10_000;
    };
  }

  /** B4's goal: Tether's p99 at most this multiple of the raw reconnect's, measured alongside. */
  static final double B4_MAX_OVER_RAW = 1.2;

  /** B4: p50 and p99, as a ratio to the raw Vert.x reconnect measured interleaved. */
  static ReconnectLatency.Result reconnect(Profile profile, boolean json, PrintStream out) {
    ReconnectLatency.Result r = measureReconnect(profile);
    reportReconnect(r, json, out);
    return r;
  }

  /** B4's rounds in {@code profile}. */
  static ReconnectLatency.Result measureReconnect(Profile profile) {
    return switch (profile) {
      case SMOKE -> ReconnectLatency.measure(3, 1);
      case QUICK -> ReconnectLatency.measure(100, 20);
      case FULL -> ReconnectLatency.measure(500, 50);
    };
  }

  /** Prints B4's rows. */
  static void reportReconnect(ReconnectLatency.Result r, boolean json, PrintStream out) {
    if (json) {
      for (boolean p50 : new boolean[] {true, false}) {
        double tether = at(p50, r.total());
        double raw = at(p50, r.raw());
        // baseline ÷ Tether: higher is better, as for throughput. The goal, Tether's p99 <= 1.2x
        // raw's, is a floor on raw ÷ Tether like every other ratio.
        ObjectNode n =
            BenchJson.row(
                "B4 reconnect latency "
                    + (p50 ? "p50" : "p99")
                    + " ("
                    + ReconnectLatency.STREAMS
                    + " streams)",
                tether,
                raw,
                raw / tether,
                "us",
                p50 ? null : 1 / B4_MAX_OVER_RAW);
        if (!p50) {
          n.put(
              "goal_note", "Tether's p99 <= " + B4_MAX_OVER_RAW + "x raw's: raw / Tether >= goal");
          n.put("info_absolute_goal_us", 5000); // the old goal, below raw's floor here
        }
        n.put("samples", r.samples());
        n.put("late", r.late());
        ObjectNode phases = n.putObject("phases_us");
        phases.put("timer", at(p50, r.timer()));
        phases.put("connect", at(p50, r.connect()));
        phases.put("handshake", at(p50, r.handshake()));
        phases.put("baselineConnect", at(p50, r.rawConnect()));
        out.println(BenchJson.line(n));
      }
    } else {
      out.printf(
          Locale.ROOT,
          "%-18s p50 %,.0f us   p99 %,.0f us   max %,.0f us over %d rounds (%d late; goal p99 <="
              + " 1.2x raw's)%n",
          "B4 reconnect",
          r.p50Micros(),
          r.p99Micros(),
          r.maxMicros(),
          r.samples(),
          r.late());
      out.printf(
          Locale.ROOT,
          "%-18s raw Vert.x reconnect p50 %,.0f us   p99 %,.0f us   (raw ÷ Tether: p50 %.2fx, p99"
              + " %.2fx, goal >= 0.83x); due to connected p50/p99 %,.0f/%,.0f us%n",
          "  baseline",
          r.raw().p50Micros(),
          r.raw().p99Micros(),
          r.raw().p50Micros() / r.p50Micros(),
          r.raw().p99Micros() / r.p99Micros(),
          r.rawConnect().p50Micros(),
          r.rawConnect().p99Micros());
      out.printf(
          Locale.ROOT,
          "%-18s p50/p99: timer late %,.0f/%,.0f us, connect+upgrade %,.0f/%,.0f us,"
              + " resubscribe+deliver %,.0f/%,.0f us%n",
          "  by phase",
          r.timer().p50Micros(),
          r.timer().p99Micros(),
          r.connect().p50Micros(),
          r.connect().p99Micros(),
          r.handshake().p50Micros(),
          r.handshake().p99Micros());
    }
  }

  private static double at(boolean p50, ReconnectLatency.Phase phase) {
    return p50 ? phase.p50Micros() : phase.p99Micros();
  }

  /** B5's goal: at most 2 KiB of Tether's own heap per session. */
  static final int B5_MAX_BYTES = 2048;

  /** B5 on real WebSockets: Tether's bytes per session beyond a raw Vert.x WebSocket's. */
  static SocketMemoryFootprint.Result socketMemory(
      int sessions, int gcs, boolean json, PrintStream out) {
    SocketMemoryFootprint.Result r = SocketMemoryFootprint.measure(sessions, gcs);
    reportSocketMemory(r, json, out);
    return r;
  }

  /** Prints B5's WebSocket row. */
  static void reportSocketMemory(SocketMemoryFootprint.Result r, boolean json, PrintStream out) {
    int sessions = r.sessions();
    if (json) {
      ObjectNode n =
          BenchJson.row(
              "B5 memory (WebSocket, " + sessions + " sessions)",
              r.tetherBytes(),
              r.rawBytes(),
              Double.NaN,
              "bytes/session",
              B5_MAX_BYTES);
      n.put("over_baseline", r.overRaw());
      out.println(BenchJson.line(n));
    } else {
      out.printf(
          Locale.ROOT,
          "%-18s tether %,.0f bytes/session, raw Vert.x %,.0f, Tether's own %,.0f over %,d sessions"
              + " (goal <= 2,048)%n",
          "B5 memory (ws)",
          r.tetherBytes(),
          r.rawBytes(),
          r.overRaw(),
          sessions);
    }
  }

  /** B5 on the simulator: an absolute figure against its goal, not a ratio. */
  static void memory(int sessions, int gcs, boolean json, PrintStream out) {
    reportMemory(sessions, MemoryFootprint.bytesPerSession(sessions, gcs), json, out);
  }

  /** Prints B5's simulator row: {@code perSession} bytes over {@code sessions}. */
  static void reportMemory(int sessions, double perSession, boolean json, PrintStream out) {
    if (json) {
      ObjectNode n =
          BenchJson.row(
              "B5 memory (simulator, " + sessions + " sessions)",
              perSession,
              Double.NaN,
              Double.NaN,
              "bytes/session",
              B5_MAX_BYTES);
      out.println(BenchJson.line(n));
    } else {
      out.printf(
          Locale.ROOT,
          "%-18s tether %,.0f bytes per connected session over %,d sessions (goal <= 2,048)%n",
          "B5 memory (sim)",
          perSession,
          sessions);
    }
  }

  /**
   * Calls per benchmark method in the smoke pass: one proves it runs (and, through {@code answers},
   * what it computes).
   */
  static final int SMOKE_INVOCATIONS = 1;

  /**
   * Runs all comparisons, one JMH run per benchmark class (each a progress step), always silent:
   * stdout carries only the results. (The smoke pass, {@link SmokeRun}, calls each class directly
   * instead, through {@link SmokePass}.)
   */
  static Map<String, Double> run(Profile profile, Progress progress) throws RunnerException {
    Map<String, Double> scores = new HashMap<>();
    for (var e : methodsByClass().entrySet()) {
      progress.step(e.getKey().substring(e.getKey().lastIndexOf('.') + 1));
      scores.putAll(jmh(profile, e.getValue()));
    }
    return scores;
  }

  /**
   * The benchmark methods the rows name (full names), by benchmark class, in the order of the rows.
   */
  static Map<String, Set<String>> methodsByClass() {
    Map<String, Set<String>> byClass = new LinkedHashMap<>();
    for (Comparison c : COMPARISONS) {
      for (String method : List.of(c.tether(), c.baseline())) {
        String cls = method.substring(0, method.lastIndexOf('.'));
        byClass.computeIfAbsent(cls, k -> new LinkedHashSet<>()).add(method);
      }
    }
    return byClass;
  }

  /** One silent JMH run of {@code methods} (full names) with the options of {@code profile}. */
  static Map<String, Double> jmh(Profile profile, Collection<String> methods)
      throws RunnerException {
    String first = methods.iterator().next();
    ChainedOptionsBuilder o = options(profile, first.substring(0, first.lastIndexOf('.')));
    methods.forEach(m -> o.include(Pattern.quote(m) + "$"));
    Map<String, Double> scores = new HashMap<>();
    for (RunResult r : new Runner(o.build()).run()) {
      scores.put(r.getParams().getBenchmark(), r.getPrimaryResult().getScore());
    }
    return scores;
  }

  /** A benchmark class's forks and 1 s warm-up iterations in the full profile. */
  record FullRun(int forks, int warmupIterations) {}

  /** The full profile of a class not in {@link #FULL_RUNS}. */
  private static final FullRun FULL_DEFAULT = new FullRun(2, 8);

  /**
   * Classes whose full-profile run differs from {@link #options}'s, both sides alike. B1: C2 takes
   * the pure step 6-9 s to compile at load 1-3 (forks ran at 1-16 M transitions/s for their first 6
   * s, one still at 1.1 M/s in its first measured second after 8 s of warm-up), and a compiled fork
   * settles at 26 M/s or at 40 M/s depending on C2's inlining, so 3 forks of 12 s warm-up. B2: one
   * fork at 64 in flight ran at half another's speed on both sides (4-fork run, 2026-11-30: fork
   * means 88-154 k/s for Tether, 94-240 k/s raw), so 4 forks. B3 (the same class): Tether's event
   * path is still being compiled after 8 s (three of four forks at 290-401 k events/s in their 8th
   * warm-up second, every fork at 620-700 k/s from its 10th; raw's at 454-658 k/s by its 6th), so
   * 15 s of warm-up.
   */
  static final Map<String, FullRun> FULL_RUNS =
      Map.of(
          TransitionBenchmark.class.getName(), new FullRun(3, 12),
          WebSocketBenchmark.class.getName(), new FullRun(4, 15));

  /**
   * JMH options of a profile for a benchmark class. Full: 2 forks × (8 × 1 s warm-up + 5 × 1 s
   * measurement) per benchmark, unless {@link #FULL_RUNS} says otherwise: B1's pure step is still
   * being compiled after 3 s (some forks deoptimise and recompile in the measurement), and B2 at 64
   * in flight reaches its steady ratio after ≈ 4 s.
   */
  static ChainedOptionsBuilder options(Profile profile, String benchmarkClass) {
    FullRun full = FULL_RUNS.getOrDefault(benchmarkClass, FULL_DEFAULT);
    ChainedOptionsBuilder o =
        new OptionsBuilder()
            .timeUnit(TimeUnit.SECONDS)
            .shouldFailOnError(true)
            .verbosity(VerboseMode.SILENT)
            .jvmArgs(FORK_ARGUMENTS);
    return switch (profile) {
      case SMOKE ->
          o.forks(0)
              .warmupIterations(0)
              .measurementIterations(1)
              .measurementTime(TimeValue.milliseconds(100));
      case QUICK ->
          o.forks(1)
              .warmupIterations(2)
              .warmupTime(TimeValue.seconds(1))
              .measurementIterations(3)
              .measurementTime(TimeValue.seconds(1));
      case FULL ->
          o.forks(full.forks())
              .warmupIterations(full.warmupIterations())
              .warmupTime(TimeValue.seconds(1))
              .measurementIterations(5)
              .measurementTime(TimeValue.seconds(1));
    };
  }

  static List<ObjectNode> rows(Map<String, Double> scores) {
    List<ObjectNode> rows = new ArrayList<>();
    for (Comparison c : COMPARISONS) {
      double t = scores.getOrDefault(c.tether(), Double.NaN);
      double b = scores.getOrDefault(c.baseline(), Double.NaN);
      rows.add(BenchJson.row(c.name(), t, b, t / b, c.unit(), c.goal()));
    }
    return rows;
  }

  static void report(Map<String, Double> scores, boolean json, PrintStream out) {
    for (ObjectNode n : rows(scores)) {
      if (json) {
        out.println(BenchJson.line(n));
      } else {
        out.printf(
            Locale.ROOT,
            "%-48s tether %,.0f %s   baseline %,.0f   ratio %.2fx (goal >= %.1fx)%n",
            n.get("name").asText(),
            n.get("tether").asDouble(),
            n.get("unit").asText(),
            n.get("baseline").asDouble(),
            n.get("ratio").asDouble(),
            n.get("goal").asDouble());
      }
    }
  }
}
