package dev.tether.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * The JSON summary of a sweep over a slice of a seed range ({@code tether simulate --seeds A..B
 * --shard K/N}), and the merge of several such summaries ({@code --merge}). Immutable.
 *
 * <p>One JSON object per line, schema {@value #SCHEMA} (docs/json.md): {@code "type":"sweep"},
 * {@code schema}, {@code config} (sessions, durationMillis, faults, intensity, regime), {@code
 * range} ({@code "A..B"}), {@code slices} (the {@code "a..b"} slices this summary covers, in
 * order), {@code runs}, {@code failures}, {@code failingSeeds} (the first {@value
 * #MAX_LISTED_FAILURES}, ascending), {@code firstFailure} (absent, or {@code seed}, {@code
 * violation} as {@code {"kind":"I1","message":…}} and {@code replay}), {@code sessionSeconds},
 * {@code transitions}, {@code wallMillis}.
 *
 * @param config what every seed ran
 * @param range the whole seed range of the sweep
 * @param slices the slices of {@code range} this summary covers, in seed order
 * @param runs seeds run
 * @param failures seeds with an invariant violation
 * @param failingSeeds the lowest failing seeds, at most {@link #MAX_LISTED_FAILURES}, ascending
 * @param firstFailure the lowest failing seed, or null if none failed
 * @param sessionSeconds simulated session-seconds (sessions times simulated time, over all runs)
 * @param transitions lifecycle events emitted over all runs
 * @param wallMillis wall time of the runs (summed over the merged summaries)
 */
record SweepSummary(
    JsonNode config,
    SeedRange range,
    List<SeedRange> slices,
    long runs,
    long failures,
    List<Long> failingSeeds,
    Failure firstFailure,
    long sessionSeconds,
    long transitions,
    long wallMillis) {

  /** Version of the summary format; {@code --merge} reads only this one. */
  static final String SCHEMA = "tether-sweep/2";

  /**
   * Failing seeds listed by name: enough to start on, while a badly broken build sweeping millions
   * of seeds still prints a summary of a few kilobytes.
   */
  static final int MAX_LISTED_FAILURES = 100;

  /** Copies the lists. */
  SweepSummary {
    slices = List.copyOf(slices);
    failingSeeds = List.copyOf(failingSeeds);
  }

  /**
   * A failing seed.
   *
   * @param seed the seed
   * @param invariant the invariant violated, such as {@code I1}
   * @param message what was wrong
   * @param replay the command that runs the seed again (and prints its shrunk plan)
   */
  record Failure(long seed, String invariant, String message, String replay) {
    /** The invariant and what was wrong, such as {@code I1: ...}. */
    String violation() {
      return invariant + ": " + message;
    }
  }

  /** Seeds of {@link #range} no slice covers. */
  long missing() {
    long covered = 0;
    for (SeedRange s : slices) {
      covered += s.count();
    }
    return range.count() - covered;
  }

  /** The summary as one JSON object. */
  ObjectNode toJson() {
    ObjectNode n = JsonLines.line("sweep");
    n.put("schema", SCHEMA);
    n.set("config", config);
    n.put("range", range.toString());
    ArrayNode s = n.putArray("slices");
    slices.forEach(x -> s.add(x.toString()));
    n.put("runs", runs);
    n.put("failures", failures);
    ArrayNode f = n.putArray("failingSeeds");
    failingSeeds.forEach(f::add);
    if (firstFailure != null) {
      ObjectNode ff = n.putObject("firstFailure");
      ff.put("seed", firstFailure.seed());
      ff.set("violation", JsonLines.error(firstFailure.invariant(), firstFailure.message()));
      ff.put("replay", firstFailure.replay());
    }
    n.put("sessionSeconds", sessionSeconds);
    n.put("transitions", transitions);
    n.put("wallMillis", wallMillis);
    return n;
  }

  /**
   * Reads a summary that {@link #toJson} wrote.
   *
   * @throws IllegalArgumentException naming the first field that is missing or malformed
   */
  static SweepSummary parse(JsonNode n) {
    if (!SCHEMA.equals(n.path("schema").asText())) {
      throw new IllegalArgumentException(
          "not a sweep summary (schema is " + n.path("schema") + ", expected " + SCHEMA + ")");
    }
    List<SeedRange> slices = new ArrayList<>();
    for (JsonNode s : field(n, "slices")) {
      slices.add(SeedRange.parse(s.asText()));
    }
    List<Long> failing = new ArrayList<>();
    for (JsonNode s : field(n, "failingSeeds")) {
      failing.add(s.asLong());
    }
    JsonNode ff = n.get("firstFailure"); // absent when no seed failed
    Failure first =
        ff == null
            ? null
            : new Failure(
                number(ff, "seed"),
                field(field(ff, "violation"), "kind").asText(),
                field(field(ff, "violation"), "message").asText(),
                field(ff, "replay").asText());
    return new SweepSummary(
        field(n, "config"),
        SeedRange.parse(field(n, "range").asText()),
        slices,
        number(n, "runs"),
        number(n, "failures"),
        failing,
        first,
        number(n, "sessionSeconds"),
        number(n, "transitions"),
        number(n, "wallMillis"));
  }

  /**
   * Merges the summaries of slices of one sweep.
   *
   * @throws IllegalArgumentException if they are of different configs or ranges, or if two of them
   *     cover the same seed
   */
  static SweepSummary merge(List<SweepSummary> parts) {
    if (parts.isEmpty()) {
      throw new IllegalArgumentException("nothing to merge");
    }
    SweepSummary head = parts.get(0);
    List<SeedRange> slices = new ArrayList<>();
    List<Long> failing = new ArrayList<>();
    Failure first = null;
    long runs = 0;
    long failures = 0;
    long sessionSeconds = 0;
    long transitions = 0;
    long wall = 0;
    for (SweepSummary p : parts) {
      if (!p.config.equals(head.config) || !p.range.equals(head.range)) {
        throw new IllegalArgumentException(
            "summaries of different sweeps: " + head.describe() + " and " + p.describe());
      }
      slices.addAll(p.slices);
      failing.addAll(p.failingSeeds);
      if (p.firstFailure != null && (first == null || p.firstFailure.seed() < first.seed())) {
        first = p.firstFailure;
      }
      runs += p.runs;
      failures += p.failures;
      sessionSeconds += p.sessionSeconds;
      transitions += p.transitions;
      wall += p.wallMillis;
    }
    slices.sort(Comparator.comparingLong(SeedRange::first));
    for (int i = 1; i < slices.size(); i++) {
      if (slices.get(i).first() <= slices.get(i - 1).last()) {
        throw new IllegalArgumentException(
            "slices " + slices.get(i - 1) + " and " + slices.get(i) + " overlap");
      }
    }
    failing.sort(Comparator.naturalOrder());
    return new SweepSummary(
        head.config,
        head.range,
        slices,
        runs,
        failures,
        failing.subList(0, Math.min(MAX_LISTED_FAILURES, failing.size())),
        first,
        sessionSeconds,
        transitions,
        wall);
  }

  private String describe() {
    return "range " + range + " with " + config;
  }

  private static JsonNode field(JsonNode n, String name) {
    JsonNode v = n.get(name);
    if (v == null) {
      throw new IllegalArgumentException("missing field '" + name + "'");
    }
    return v;
  }

  private static long number(JsonNode n, String name) {
    JsonNode v = field(n, name);
    if (!v.canConvertToLong()) {
      throw new IllegalArgumentException("field '" + name + "' is not a whole number: " + v);
    }
    return v.asLong();
  }
}
