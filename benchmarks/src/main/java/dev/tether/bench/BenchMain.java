package dev.tether.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

/**
 * {@code ./tether bench [--quick] [--json]}: runs every comparison in one JMH run and reports each
 * as Tether vs its baseline, with the ratio (higher is better for Tether).
 */
public final class BenchMain {

  /** One side-by-side comparison. */
  record Comparison(String name, String tether, String baseline, String unit, double goal) {}

  static final List<Comparison> COMPARISONS =
      List.of(
          new Comparison(
              "B1 transitions",
              TransitionBenchmark.class.getName() + ".tetherStep",
              TransitionBenchmark.class.getName() + ".springStatemachine",
              "transitions/s",
              100.0));

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
    PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
    report(run(profile, json), json, out);
    memory(profile == Profile.FULL ? 100_000 : 10_000, json, out);
  }

  /** B5 on the simulator: an absolute figure against its goal, not a ratio. */
  static void memory(int sessions, boolean json, PrintStream out) {
    double perSession = MemoryFootprint.bytesPerSession(sessions);
    if (json) {
      ObjectNode n = new ObjectMapper().createObjectNode();
      n.put("name", "B5 memory (simulator, " + sessions + " sessions)");
      n.put("tether", perSession);
      n.putNull("baseline");
      n.putNull("ratio");
      n.put("unit", "bytes/session");
      n.put("goal", 2048);
      out.println(n);
    } else {
      out.printf(
          Locale.ROOT,
          "%-18s tether %,.0f bytes per connected session over %,d sessions (goal <= 2,048)%n",
          "B5 memory (sim)",
          perSession,
          sessions);
    }
  }

  /** Runs all comparisons; returns the score of each benchmark method by its full name. */
  static Map<String, Double> run(Profile profile, boolean quiet) throws RunnerException {
    ChainedOptionsBuilder o =
        new OptionsBuilder().timeUnit(TimeUnit.SECONDS).shouldFailOnError(true);
    for (Comparison c : COMPARISONS) {
      o.include(java.util.regex.Pattern.quote(c.tether()) + "$");
      o.include(java.util.regex.Pattern.quote(c.baseline()) + "$");
    }
    switch (profile) {
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
          o.forks(2)
              .warmupIterations(5)
              .warmupTime(TimeValue.seconds(2))
              .measurementIterations(5)
              .measurementTime(TimeValue.seconds(2));
    }
    if (quiet) {
      o.verbosity(org.openjdk.jmh.runner.options.VerboseMode.SILENT);
    }
    Collection<RunResult> results = new Runner(o.build()).run();
    Map<String, Double> scores = new HashMap<>();
    for (RunResult r : results) {
      scores.put(r.getParams().getBenchmark(), r.getPrimaryResult().getScore());
    }
    return scores;
  }

  static List<ObjectNode> rows(Map<String, Double> scores) {
    ObjectMapper mapper = new ObjectMapper();
    List<ObjectNode> rows = new ArrayList<>();
    for (Comparison c : COMPARISONS) {
      double t = scores.getOrDefault(c.tether(), Double.NaN);
      double b = scores.getOrDefault(c.baseline(), Double.NaN);
      ObjectNode n = mapper.createObjectNode();
      n.put("name", c.name());
      n.put("tether", t);
      n.put("baseline", b);
      n.put("ratio", t / b);
      n.put("unit", c.unit());
      n.put("goal", c.goal());
      rows.add(n);
    }
    return rows;
  }

  static void report(Map<String, Double> scores, boolean json, PrintStream out) {
    for (ObjectNode n : rows(scores)) {
      if (json) {
        out.println(n);
      } else {
        out.printf(
            Locale.ROOT,
            "%-18s tether %,.0f %s   baseline %,.0f   ratio %.1fx (goal >= %.1fx)%n",
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
