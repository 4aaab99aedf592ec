package dev.tether.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.tether.stub.sim.Fault;
import dev.tether.stub.sim.FaultPlan;
import dev.tether.stub.sim.FaultProfile;
import dev.tether.stub.sim.Regime;
import dev.tether.stub.sim.Simulation;
import dev.tether.stub.sim.SimulationResult;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.function.UnaryOperator;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code tether simulate}: runs many connections through a seeded fault simulation, checks the
 * invariants after every step and prints a summary. Exit status 0 without violations, 1 with a
 * violation (then the shrunk fault plan is printed, replayable with {@code --plan}; with {@code
 * --json} the summary stays one line on stdout, with a {@code shrunkPlan} field, and the
 * explanation goes to stderr), 2 for a usage error (one line on stderr naming the option).
 *
 * <p>With {@code --seeds A..B [--shard K/N]} it sweeps slice K of N of the seed range and prints a
 * {@link SweepSummary} line; {@code --merge FILE...} combines such summaries and names the first
 * failing seed with its replay command.
 */
@Command(
    name = "simulate",
    mixinStandardHelpOptions = true,
    description =
        "Runs a deterministic fault simulation of many connections (and RPC sessions) and checks"
            + " the invariants after every step. Exit 0: no violation; 1: violation (shrunk plan printed);"
            + " 2: usage error.")
final class SimulateCommand implements Callable<Integer> {

  /** Exit status when an invariant was violated. */
  static final int EXIT_VIOLATION = 1;

  /**
   * Most sessions drawn in the HTML report's lanes: beyond, the page grows past what a browser
   * shows comfortably (the sessions after it are counted, not drawn).
   */
  static final int REPORT_TIMELINES = 1000;

  /** Wall time between progress lines on a terminal. */
  static final long PROGRESS_EVERY_NANOS = 1_000_000_000L;

  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Option(names = "--seed", defaultValue = "1", description = "Seed (default: ${DEFAULT-VALUE}).")
  long seed;

  @Option(
      names = "--sessions",
      defaultValue = "100",
      description = "Simulated connections (default: ${DEFAULT-VALUE}).")
  int sessions;

  @Option(
      names = "--duration",
      defaultValue = "1h",
      description = "Simulated time, such as 90s, 30m, 24h, 2d (default: ${DEFAULT-VALUE}).")
  String duration;

  @Option(
      names = "--faults",
      defaultValue = "flaky",
      description = "none|flaky|outages|partitions|chaos (default: ${DEFAULT-VALUE}).")
  String faults;

  @Option(
      names = "--intensity",
      defaultValue = "1.0",
      description = "Multiplies every fault rate (default: ${DEFAULT-VALUE}).")
  double intensity;

  @Option(
      names = "--regime",
      defaultValue = "safety",
      description = "safety (faults heal) | liveness (faults stop at half time, I8 checked).")
  String regime;

  @Option(
      names = "--handshakes",
      arity = "0..1",
      fallbackValue = "8s",
      paramLabel = "D",
      description =
          "Connection sessions run a handshake on each new channel that the server completes"
              + " within D (default when given without a value: 8s), so closes meet it (I4).")
  String handshakes;

  @Option(
      names = "--rpc-every",
      paramLabel = "N",
      description =
          "One session in N (0, N, 2N, ...) is an RPC session with the default traffic; 1: all.")
  Integer rpcEvery;

  @Option(names = "--plan", description = "Replay an explicit fault plan from FILE instead.")
  Path plan;

  @Option(names = "--json", description = "Print one JSON summary line.")
  boolean json;

  @Option(names = "--trace", description = "Write the trace to FILE as JSON lines.")
  Path trace;

  @Option(names = "--report", description = "Write a self-contained HTML report to FILE.html.")
  Path report;

  @Option(
      names = "--seeds",
      paramLabel = "A..B",
      description = "Sweep: run every seed from A to B (inclusive); prints a JSON summary line.")
  String seeds;

  @Option(
      names = "--shard",
      paramLabel = "K/N",
      description = "With --seeds: run only slice K (1..N) of N disjoint slices of the range.")
  String shard;

  @Option(
      names = "--merge",
      arity = "1..*",
      paramLabel = "FILE",
      description = "Combine sweep summaries; names the first failing seed and its replay command.")
  List<Path> merge;

  /**
   * Tests only: adjusts the simulation before it runs and before it is shrunk, to plant a bug (a
   * broken listener pipeline) and prove that a violation exits 1 with a replayable plan.
   */
  UnaryOperator<Simulation.Builder> variant = UnaryOperator.identity();

  @Override
  public Integer call() throws IOException {
    try {
      if (merge != null) {
        return merge();
      }
      SimConfig config = config();
      return seeds != null ? sweep(config) : single(config);
    } catch (UsageError e) {
      PrintWriter err = spec.commandLine().getErr();
      err.println("tether simulate: " + e.getMessage());
      err.flush();
      return TetherCli.EXIT_USAGE;
    }
  }

  // ------------------------------------------------------------------ one seed

  private int single(SimConfig config) throws IOException {
    PrintWriter out = spec.commandLine().getOut();
    FaultPlan explicit = plan == null ? null : loadPlan(config);
    Simulation.Builder b =
        simulation(config, seed, explicit)
            .timelines(report == null ? 0 : Math.min(REPORT_TIMELINES, config.sessions()));
    if (onTerminal() && !json) {
      b.progress(progress(config.simulatedTime().toMillis()));
    }
    SimulationResult r;
    if (trace != null) {
      try (BufferedWriter w = Files.newBufferedWriter(trace, StandardCharsets.UTF_8)) {
        b.traceSink(line -> write(w, line));
        r = b.build().run();
      }
    } else {
      r = b.build().run();
    }
    if (r.passed()) {
      writeReport(r, null);
      print(out, r, config);
      return 0;
    }
    FaultPlan shrunk = simulation(config, seed, explicit).build().shrink(r);
    writeReport(r, new HtmlReport.Failure(shrunk, config.replayPlan(seed)));
    if (json) {
      // The summary stays the one line on stdout; the explanation goes to stderr.
      explain(spec.commandLine().getErr(), config, r, shrunk);
      out.println(SimulationJson.summary(r, shrunk, config));
      out.flush();
    } else {
      print(out, r, config);
      explain(out, config, r, shrunk);
    }
    return EXIT_VIOLATION;
  }

  private void writeReport(SimulationResult r, HtmlReport.Failure failure) throws IOException {
    if (report != null) {
      Files.writeString(report, HtmlReport.render(r, failure), StandardCharsets.UTF_8);
    }
  }

  /** The violation, the shrunk plan and how to replay it. */
  private static void explain(
      PrintWriter out, SimConfig config, SimulationResult r, FaultPlan shrunk) {
    out.println(r.violation().orElseThrow());
    out.println("shrunk fault plan (" + shrunk.size() + " of " + r.plan().size() + " faults);");
    out.println("save it to a file and replay with: " + config.replayPlan(r.seed()));
    out.print(shrunk);
    out.flush();
  }

  /** The simulation of {@code seed}: the config's, or {@code explicit} plan if not null. */
  private Simulation.Builder simulation(SimConfig config, long seed, FaultPlan explicit) {
    Simulation.Builder b = config.builder(seed);
    if (explicit != null) {
      b.plan(explicit);
    }
    return variant.apply(b);
  }

  private void print(PrintWriter out, SimulationResult r, SimConfig config) {
    if (json) {
      out.println(SimulationJson.summary(r, null, config));
      return;
    }
    out.printf(
        Locale.ROOT,
        "seed %d: %d sessions x %s simulated, %d faults, %d transitions, %d lifecycle events%n",
        r.seed(),
        r.sessions(),
        Durations.format(Duration.ofSeconds(r.simulatedSeconds())),
        r.faultsApplied(),
        r.transitions(),
        r.lifecycleEvents());
    out.printf(Locale.ROOT, "final states: %s%n", r.finalStates());
    List<String> coverage = new ArrayList<>();
    HtmlReport.coverageRows(r.coverage(), (label, value) -> coverage.add(label + " " + value));
    out.printf(Locale.ROOT, "coverage: %s%n", String.join(", ", coverage));
    out.printf(
        Locale.ROOT,
        "invariant violations: %d, trace hash %s, %d ms wall%n",
        r.passed() ? 0 : 1,
        r.traceHashHex(),
        r.wallMillis());
    out.flush();
  }

  // ------------------------------------------------------------------ sweeps

  private int sweep(SimConfig config) {
    SeedRange range = parse("--seeds", seeds, SeedRange::parse);
    SeedRange.Shard slice =
        shard == null ? new SeedRange.Shard(1, 1) : parse("--shard", shard, SeedRange.Shard::parse);
    Sweep.Progress progress = onTerminal() ? sweepProgress() : (done, of, failures) -> {};
    SweepSummary s =
        new Sweep(config, seed -> simulation(config, seed, null))
            .run(range, range.slice(slice), progress);
    PrintWriter out = spec.commandLine().getOut();
    out.println(s.toJson());
    out.flush();
    if (s.firstFailure() != null) {
      PrintWriter err = spec.commandLine().getErr();
      err.println(failureText(s));
      err.flush();
      return EXIT_VIOLATION;
    }
    return 0;
  }

  private int merge() {
    for (String other : List.of("--seeds", "--shard", "--plan", "--report", "--trace")) {
      if (matched(other)) {
        throw new UsageError("--merge cannot be combined with " + other);
      }
    }
    List<SweepSummary> parts = new ArrayList<>();
    for (Path file : merge) {
      parts.addAll(readSummaries(file));
    }
    SweepSummary m = parse("--merge", String.valueOf(merge), x -> SweepSummary.merge(parts));
    PrintWriter out = spec.commandLine().getOut();
    if (json) {
      out.println(m.toJson());
    } else {
      out.printf(
          Locale.ROOT,
          "seeds %s: %d runs in %d slice(s), %.1f session-hours simulated, %d failing seed(s)%n",
          m.range(),
          m.runs(),
          m.slices().size(),
          m.sessionSeconds() / 3600.0,
          m.failures());
      if (m.firstFailure() != null) {
        out.println(failureText(m));
      }
    }
    out.flush();
    if (m.firstFailure() != null) {
      return EXIT_VIOLATION;
    }
    if (m.missing() > 0) {
      PrintWriter err = spec.commandLine().getErr();
      err.printf(
          Locale.ROOT,
          "tether simulate: --merge: incomplete, %d seed(s) of %s are in no summary%n",
          m.missing(),
          m.range());
      err.flush();
      return TetherCli.EXIT_USAGE;
    }
    return 0;
  }

  /** The first failure of a sweep, its replay command and the other failing seeds. */
  private static String failureText(SweepSummary s) {
    SweepSummary.Failure f = s.firstFailure();
    StringBuilder sb = new StringBuilder();
    sb.append("first failing seed ").append(f.seed()).append(": ").append(f.violation());
    sb.append("\nreplay (prints the shrunk plan): ").append(f.replay());
    if (s.failures() > 1) {
      sb.append("\nfailing seeds: ").append(s.failingSeeds());
      if (s.failures() > s.failingSeeds().size()) {
        sb.append(" and ").append(s.failures() - s.failingSeeds().size()).append(" more");
      }
    }
    return sb.toString();
  }

  private List<SweepSummary> readSummaries(Path file) {
    List<String> lines;
    try {
      lines = Files.readAllLines(file, StandardCharsets.UTF_8);
    } catch (NoSuchFileException e) {
      throw new UsageError("--merge " + file + ": no such file");
    } catch (IOException e) {
      throw new UsageError("--merge " + file + ": cannot read it: " + e.getMessage());
    }
    List<SweepSummary> out = new ArrayList<>();
    for (int i = 0; i < lines.size(); i++) {
      if (lines.get(i).isBlank()) {
        continue;
      }
      try {
        out.add(SweepSummary.parse(LifecycleJson.MAPPER.readTree(lines.get(i))));
      } catch (JsonProcessingException | IllegalArgumentException e) {
        throw new UsageError(
            "--merge " + file + ": line " + (i + 1) + ": " + oneLine(e.getMessage()));
      }
    }
    if (out.isEmpty()) {
      throw new UsageError("--merge " + file + ": no summary in it");
    }
    return out;
  }

  private Sweep.Progress sweepProgress() {
    PrintWriter err = spec.commandLine().getErr();
    long[] last = {System.nanoTime()};
    return (done, of, failures) -> {
      long now = System.nanoTime();
      if (now - last[0] >= PROGRESS_EVERY_NANOS || done == of) {
        last[0] = now;
        err.printf(Locale.ROOT, "\rseed %d of %d, %d failing", done, of, failures);
        err.print(done == of ? "\n" : "");
        err.flush();
      }
    };
  }

  // ------------------------------------------------------------------ options

  /** The options as a config, each checked; a bad one is a {@link UsageError}. */
  private SimConfig config() {
    if (sessions < 1) {
      throw new UsageError("--sessions " + sessions + ": must be 1 or more");
    }
    if (!(intensity >= 0 && Double.isFinite(intensity))) {
      throw new UsageError("--intensity " + intensity + ": must be a number >= 0");
    }
    Duration simulated = parse("--duration", duration, Durations::parse);
    Regime r = parse("--regime", regime, Regime::parse);
    SimConfig config =
        new SimConfig(
            sessions,
            duration,
            parse("--faults", faults, FaultProfile::parse),
            intensity,
            r,
            handshakes(),
            rpcEvery());
    LivenessFit.problem(r, simulated).ifPresent(why -> fail("--duration", duration, why));
    conflicts();
    writable("--report", report);
    writable("--trace", trace);
    return config;
  }

  /** The {@code --handshakes} bound as typed, checked; null without the option. */
  private String handshakes() {
    if (handshakes == null) {
      return null;
    }
    var unused = parse("--handshakes", handshakes, Durations::parse);
    return handshakes;
  }

  /** The {@code --rpc-every} value, checked; 0 without the option. */
  private int rpcEvery() {
    if (rpcEvery == null) {
      return 0;
    }
    if (rpcEvery < 1) {
      throw fail("--rpc-every", String.valueOf(rpcEvery), "must be 1 or more");
    }
    return rpcEvery;
  }

  private void conflicts() {
    if (plan != null) {
      for (String other : List.of("--faults", "--intensity")) {
        if (matched(other)) {
          throw new UsageError(
              "--plan cannot be combined with " + other + ": the plan replaces the random faults");
        }
      }
    }
    if (seeds != null) {
      for (String other : List.of("--seed", "--plan", "--report", "--trace")) {
        if (matched(other)) {
          throw new UsageError(
              "--seeds cannot be combined with " + other + ": replay one seed without --seeds");
        }
      }
    } else if (shard != null) {
      throw new UsageError("--shard " + shard + ": needs --seeds A..B");
    }
  }

  /** The plan of {@code --plan}, checked against the number of sessions. */
  private FaultPlan loadPlan(SimConfig config) {
    String text;
    try {
      text = Files.readString(plan, StandardCharsets.UTF_8);
    } catch (NoSuchFileException e) {
      throw new UsageError("--plan " + plan + ": no such file");
    } catch (IOException e) {
      throw new UsageError("--plan " + plan + ": cannot read it: " + oneLine(e.getMessage()));
    }
    FaultPlan p = parse("--plan", plan.toString(), x -> FaultPlan.parse(text));
    for (Fault f : p.faults()) {
      if (f.session() >= config.sessions()) {
        throw new UsageError(
            String.format(
                Locale.ROOT,
                "--plan %s: fault '%s' hits session %d, but there are only %d (--sessions %d;"
                    + " sessions count from 0)",
                plan,
                f,
                f.session(),
                config.sessions(),
                config.sessions()));
      }
    }
    return p;
  }

  /** Fails early, before a long run, if the file cannot be created where it is asked for. */
  private static void writable(String option, Path file) {
    if (file == null) {
      return;
    }
    Path dir = file.toAbsolutePath().getParent();
    if (dir != null && !Files.isDirectory(dir)) {
      throw new UsageError(option + " " + file + ": directory " + dir + " does not exist");
    }
    if (Files.isDirectory(file)) {
      throw new UsageError(option + " " + file + ": is a directory");
    }
  }

  private boolean matched(String option) {
    var parsed = spec.commandLine().getParseResult();
    return parsed != null && parsed.hasMatchedOption(option);
  }

  /** Parses an option's value; a failure is a usage error naming the option and the value. */
  private static <T> T parse(
      String option, String value, java.util.function.Function<String, T> parser) {
    try {
      return parser.apply(value);
    } catch (IllegalArgumentException e) {
      throw fail(option, value, e.getMessage());
    }
  }

  private static UsageError fail(String option, String value, String why) {
    throw new UsageError(option + " " + value + ": " + oneLine(why));
  }

  private static String oneLine(String s) {
    return String.valueOf(s).replaceAll("\\s*\\R\\s*", " ");
  }

  /** A bad option value: one line on stderr, exit 2, no stack trace. */
  private static final class UsageError extends RuntimeException {
    private static final long serialVersionUID = 1L;

    UsageError(String message) {
      super(message, null, false, false);
    }
  }

  private java.util.function.LongConsumer progress(long totalMillis) {
    PrintWriter err = spec.commandLine().getErr();
    long[] last = {System.nanoTime()};
    return simulatedMillis -> {
      long now = System.nanoTime();
      if (now - last[0] >= PROGRESS_EVERY_NANOS) {
        last[0] = now;
        err.printf(Locale.ROOT, "\rsimulated %5.1f%%", 100.0 * simulatedMillis / totalMillis);
        err.flush();
      }
    };
  }

  /**
   * Whether we talk to a terminal. On Java 17 a null console means redirected streams; on 22+ the
   * console is never null, so progress may also show there when redirected, which is harmless
   * (stderr only, never the JSON summary).
   */
  @SuppressWarnings("SystemConsoleNull")
  private static boolean onTerminal() {
    return System.console() != null;
  }

  private static void write(BufferedWriter w, String line) {
    try {
      w.write(line);
      w.newLine();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write the trace", e);
    }
  }
}
