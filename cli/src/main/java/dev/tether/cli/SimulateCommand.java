package dev.tether.cli;

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
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.function.UnaryOperator;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code tether simulate}: runs many connections through a seeded fault simulation, checks the
 * invariants after every step and prints a summary. Exit status 0 without violations, 1 with a
 * violation (then the shrunk fault plan is printed, replayable with {@code --plan}; with {@code
 * --json} the summary stays one line on stdout, with a {@code shrunkPlan} field, and the
 * explanation goes to stderr).
 */
@Command(
    name = "simulate",
    mixinStandardHelpOptions = true,
    description =
        "Runs a deterministic fault simulation of many connections and checks the invariants"
            + " (I1-I5, I8, I9). Exit 0: no violation; 1: violation (shrunk plan printed).")
final class SimulateCommand implements Callable<Integer> {

  /** Exit status when an invariant was violated. */
  static final int EXIT_VIOLATION = 1;

  /** Sessions drawn in the HTML report's timelines: more would not be readable. */
  static final int REPORT_TIMELINES = 50;

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

  @Option(names = "--plan", description = "Replay an explicit fault plan from FILE instead.")
  Path plan;

  @Option(names = "--json", description = "Print one JSON summary line.")
  boolean json;

  @Option(names = "--trace", description = "Write the trace to FILE as JSON lines.")
  Path trace;

  @Option(names = "--report", description = "Write a self-contained HTML report to FILE.html.")
  Path report;

  /**
   * Tests only: adjusts the simulation before it runs and before it is shrunk, to plant a bug (a
   * broken listener pipeline) and prove that a violation exits 1 with a replayable plan.
   */
  UnaryOperator<Simulation.Builder> variant = UnaryOperator.identity();

  @Override
  public Integer call() throws IOException {
    PrintWriter out = spec.commandLine().getOut();
    Simulation.Builder b = base().timelines(report == null ? 0 : REPORT_TIMELINES);
    if (onTerminal() && !json) {
      b.progress(progress(parseDuration(duration).toMillis()));
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
    if (report != null) {
      Files.writeString(report, HtmlReport.render(r), StandardCharsets.UTF_8);
    }
    if (r.passed()) {
      print(out, r);
      return 0;
    }
    FaultPlan shrunk = base().build().shrink(r);
    if (json) {
      // The summary stays the one line on stdout; the explanation goes to stderr.
      explain(spec.commandLine().getErr(), r, shrunk);
      out.println(r.toJson(shrunk));
      out.flush();
    } else {
      print(out, r);
      explain(out, r, shrunk);
    }
    return EXIT_VIOLATION;
  }

  /** The violation, the shrunk plan and how to replay it. */
  private void explain(PrintWriter out, SimulationResult r, FaultPlan shrunk) {
    out.println(r.violation().orElseThrow());
    out.println("shrunk fault plan (" + shrunk.size() + " of " + r.plan().size() + " faults);");
    out.println(
        "save it to a file and replay with: tether simulate --seed "
            + seed
            + " --sessions "
            + sessions
            + " --duration "
            + duration
            + " --regime "
            + regime
            + " --plan FILE");
    out.print(shrunk);
    out.flush();
  }

  /** The simulation the options describe, without trace sink, progress or timelines. */
  private Simulation.Builder base() throws IOException {
    Simulation.Builder b =
        Simulation.builder()
            .seed(seed)
            .sessions(positive("--sessions", sessions))
            .duration(parseDuration(duration))
            .faults(FaultProfile.parse(faults), intensity)
            .regime(Regime.parse(regime));
    if (plan != null) {
      b.plan(FaultPlan.parse(Files.readString(plan, StandardCharsets.UTF_8)));
    }
    return variant.apply(b);
  }

  private void print(PrintWriter out, SimulationResult r) {
    if (json) {
      out.println(r.toJson());
      return;
    }
    out.printf(
        Locale.ROOT,
        "seed %d: %d sessions x %s simulated, %d faults, %d transitions, %d lifecycle events%n",
        r.seed(),
        r.sessions(),
        Duration.ofSeconds(r.simulatedSeconds()),
        r.faultsApplied(),
        r.transitions(),
        r.lifecycleEvents());
    out.printf(Locale.ROOT, "final states: %s%n", r.finalStates());
    out.printf(Locale.ROOT, "coverage: %s%n", r.coverage());
    out.printf(
        Locale.ROOT,
        "invariant violations: %d, trace hash %s, %d ms wall%n",
        r.passed() ? 0 : 1,
        r.traceHashHex(),
        r.wallMillis());
    out.flush();
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

  private int positive(String option, int value) {
    if (value < 1) {
      throw new ParameterException(spec.commandLine(), option + " must be >= 1, was " + value);
    }
    return value;
  }

  private Duration parseDuration(String text) {
    try {
      return Durations.parse(text);
    } catch (IllegalArgumentException e) {
      throw new ParameterException(spec.commandLine(), "--duration: " + e.getMessage());
    }
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
