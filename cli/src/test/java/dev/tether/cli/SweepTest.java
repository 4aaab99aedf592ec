package dev.tether.cli;

import static dev.tether.cli.SimulateCommandTest.with;
import static dev.tether.cli.SimulateUsageTest.simulate;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code tether simulate --seeds A..B --shard K/N} and {@code --merge}. */
class SweepTest {

  /**
   * The fields of a summary, in order: a field added must be documented (docs/json.md) and here.
   * {@code firstFailure} is absent when no seed failed.
   */
  static final List<String> FIELDS =
      List.of(
          "type",
          "schema",
          "config",
          "range",
          "slices",
          "runs",
          "failures",
          "failingSeeds",
          "firstFailure",
          "sessionSeconds",
          "transitions",
          "wallMillis");

  static final String[] SMALL = {"--sessions", "3", "--duration", "10m"};

  @Test
  void summaryHasTheDocumentedSchemaAndSumsItsSeeds() throws Exception {
    SimulateCommandTest.Outcome o = simulate(with(SMALL, "--seeds", "1..5", "--shard", "2/2"));
    assertThat(o.exit()).as(o.err()).isZero();
    assertThat(o.out().strip().lines()).hasSize(1);
    JsonNode n = CliRun.json(o.out().strip());
    List<String> names = new ArrayList<>();
    n.fieldNames().forEachRemaining(names::add);
    assertThat(names).isEqualTo(FIELDS.stream().filter(f -> !f.equals("firstFailure")).toList());
    assertThat(n.get("schema").asText()).isEqualTo(SweepSummary.SCHEMA);
    JsonNode c = n.get("config");
    assertThat(c.get("sessions").asInt()).isEqualTo(3);
    assertThat(c.get("durationMillis").asLong()).isEqualTo(600_000);
    assertThat(c.get("faults").asText()).isEqualTo("FLAKY");
    assertThat(c.get("intensity").isNumber()).isTrue();
    assertThat(c.get("regime").asText()).isEqualTo("SAFETY");
    assertThat(n.get("range").asText()).isEqualTo("1..5");
    assertThat(n.get("slices").toString()).isEqualTo("[\"4..5\"]");
    assertThat(n.get("runs").asLong()).isEqualTo(2);
    assertThat(n.get("failures").asLong()).isZero();
    assertThat(n.get("failingSeeds").isArray()).isTrue();
    assertThat(n.get("failingSeeds")).isEmpty();
    assertThat(n.has("firstFailure")).isFalse();
    assertThat(n.get("sessionSeconds").asLong()).isEqualTo(2 * 3 * 600);
    assertThat(n.get("wallMillis").canConvertToLong()).isTrue();
    // The slice ran exactly seeds 4 and 5, as single runs of the same config do.
    long transitions = 0;
    for (String seed : new String[] {"4", "5"}) {
      transitions +=
          CliRun.json(
                  DemoCommandTest.run(
                          0, with(with(new String[] {"simulate"}, SMALL), "--seed", seed, "--json"))
                      .strip())
              .get("transitions")
              .asLong();
    }
    assertThat(n.get("transitions").asLong()).isEqualTo(transitions);
    assertThat(SweepSummary.parse(n).toJson().toString()).isEqualTo(n.toString());
  }

  /**
   * Args of a sweep whose seeds lose sessions for good, so the planted bug fails them: of seeds 4
   * to 12, all but 4, 5, 6 and 9.
   */
  static final String[] OUTAGES_SWEEP =
      Arrays.copyOfRange(SimulateCommandTest.OUTAGES, 2, SimulateCommandTest.OUTAGES.length);

  @Test
  void mergeNamesTheFirstFailingSeedWithAReplayCommandThatReproducesIt(@TempDir Path dir)
      throws Exception {
    Path[] files = new Path[3];
    for (int k = 1; k <= 3; k++) {
      String[] args = with(OUTAGES_SWEEP, "--seeds", "4..12", "--shard", k + "/3");
      // Shards 2 and 3 run with the planted bug: two summaries with failures to choose from.
      SimulateCommandTest.Outcome o =
          k == 1 ? simulate(args) : SimulateCommandTest.runWithLostTerminalEvents(args);
      assertThat(o.exit()).as("shard %d/3: %s", k, o.err()).isEqualTo(k == 1 ? 0 : 1);
      files[k - 1] = dir.resolve("summary-" + k + ".json");
      Files.writeString(files[k - 1], o.out(), StandardCharsets.UTF_8);
    }
    JsonNode failing = CliRun.json(Files.readString(files[1]).strip());
    long first = failing.get("failingSeeds").get(0).asLong();
    assertThat(first).isBetween(7L, 9L);
    assertThat(failing.get("firstFailure").get("seed").asLong()).isEqualTo(first);

    // The summaries in any order: the merge finds the first failing seed all the same.
    SimulateCommandTest.Outcome m =
        simulate("--merge", files[2].toString(), files[1].toString(), files[0].toString());
    assertThat(m.exit()).as(m.err()).isEqualTo(SimulateCommand.EXIT_VIOLATION);
    assertThat(m.out()).contains("seeds 4..12: 9 runs in 3 slice(s)");
    assertThat(m.out()).contains("first failing seed " + first + ": I1: ");
    Matcher replay =
        Pattern.compile("replay \\(prints the shrunk plan\\): (tether simulate .*)")
            .matcher(m.out());
    assertThat(replay.find()).as(m.out()).isTrue();
    String[] words = ShellWords.split(replay.group(1)).toArray(String[]::new);
    assertThat(words[0]).isEqualTo("tether");
    String[] args = Arrays.copyOfRange(words, 2, words.length);
    assertThat(String.join(" ", args))
        .isEqualTo(
            "--seed "
                + first
                + " --sessions 8 --duration 2h --faults outages --intensity 2.0 --regime safety");
    // The replay fails the same way with the bug, and passes without it.
    SimulateCommandTest.Outcome again = SimulateCommandTest.runWithLostTerminalEvents(args);
    assertThat(again.exit()).isEqualTo(SimulateCommand.EXIT_VIOLATION);
    assertThat(again.out()).contains("I1 violated at", "shrunk fault plan (");
    assertThat(simulate(args).exit()).isZero();

    SimulateCommandTest.Outcome json =
        simulate(
            "--merge", files[0].toString(), files[1].toString(), files[2].toString(), "--json");
    JsonNode merged = CliRun.json(json.out().strip());
    assertThat(merged.get("runs").asLong()).isEqualTo(9);
    assertThat(merged.get("slices").toString()).isEqualTo("[\"4..6\",\"7..9\",\"10..12\"]");
    long later = CliRun.json(Files.readString(files[2]).strip()).get("failures").asLong();
    assertThat(later).isPositive();
    assertThat(merged.get("failures").asLong()).isEqualTo(failing.get("failures").asLong() + later);
    assertThat(merged.get("firstFailure")).isEqualTo(failing.get("firstFailure"));
  }

  @Test
  void mergeRefusesGapsOverlapsAndDifferentSweeps(@TempDir Path dir) throws Exception {
    List<Path> files = new ArrayList<>();
    for (String shard : new String[] {"1/3", "3/3"}) {
      Path f = dir.resolve("s" + files.size() + ".json");
      Files.writeString(
          f,
          DemoCommandTest.run(
              0,
              with(with(new String[] {"simulate"}, SMALL), "--seeds", "1..3", "--shard", shard)));
      files.add(f);
    }
    Iterator<Path> it = files.iterator();
    Path one = it.next();
    Path three = it.next();
    SimulateCommandTest.Outcome gap = simulate("--merge", one.toString(), three.toString());
    assertThat(gap.exit()).isEqualTo(TetherCli.EXIT_USAGE);
    assertThat(gap.out()).contains("seeds 1..3: 2 runs in 2 slice(s)");
    assertThat(gap.err()).contains("incomplete, 1 seed(s) of 1..3 are in no summary");

    SimulateUsageTest.usageError(simulate("--merge", one.toString(), one.toString()), "overlap");

    Path other = dir.resolve("other.json");
    Files.writeString(
        other,
        DemoCommandTest.run(
            0,
            "simulate",
            "--sessions",
            "2",
            "--duration",
            "10m",
            "--seeds",
            "1..3",
            "--shard",
            "2/3"));
    SimulateUsageTest.usageError(
        simulate("--merge", one.toString(), other.toString(), three.toString()),
        "different sweeps");
  }
}
