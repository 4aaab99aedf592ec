package dev.tether.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Usage errors of {@code tether simulate}: one line naming the option and the value, exit 2. */
class SimulateUsageTest {

  /** Runs {@code tether simulate args…} through the real entry point. */
  static SimulateCommandTest.Outcome simulate(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    String[] all = SimulateCommandTest.with(new String[] {"simulate"}, args);
    int exit = TetherCli.run(new PrintWriter(out, true), new PrintWriter(err, true), all);
    return new SimulateCommandTest.Outcome(exit, out.toString(), err.toString());
  }

  /** Asserts a usage error: exit 2, nothing on stdout, one line on stderr holding {@code words}. */
  static String usageError(SimulateCommandTest.Outcome o, String... words) {
    assertThat(o.exit()).as("exit; stderr: %s", o.err()).isEqualTo(TetherCli.EXIT_USAGE);
    assertThat(o.out()).isEmpty();
    assertThat(o.err().strip().lines()).as("one line: %s", o.err()).hasSize(1);
    assertThat(o.err()).startsWith("tether simulate: ").contains(words);
    assertThat(o.err()).doesNotContain("Exception", "\tat ");
    return o.err().strip();
  }

  @Test
  void unknownFaultProfile() {
    usageError(simulate("--faults", "bogus"), "--faults bogus", "none|flaky");
  }

  @Test
  void unknownRegime() {
    usageError(simulate("--regime", "foo"), "--regime foo", "safety|liveness");
  }

  @Test
  void badDuration() {
    usageError(simulate("--duration", "soon"), "--duration soon");
  }

  @Test
  void missingPlanFile(@TempDir Path dir) {
    Path missing = dir.resolve("missing");
    usageError(simulate("--plan", missing.toString()), "--plan " + missing, "no such file");
  }

  @Test
  void reportIntoAMissingDirectory(@TempDir Path dir) {
    Path report = dir.resolve("missing/dir/x.html");
    usageError(
        simulate("--sessions", "1", "--report", report.toString()),
        "--report " + report,
        "does not exist");
  }

  @Test
  void badPlanLineIsNamed(@TempDir Path dir) throws Exception {
    Path plan = dir.resolve("plan.txt");
    Files.writeString(plan, "outage 0 100 200\nsunspot 0 5\n", StandardCharsets.UTF_8);
    usageError(simulate("--plan", plan.toString()), "--plan " + plan, "'sunspot 0 5'");
  }

  @Test
  void planWithFaultsConflicts(@TempDir Path dir) throws Exception {
    Path plan = dir.resolve("plan.txt");
    Files.writeString(plan, "drop 0 100\n", StandardCharsets.UTF_8);
    usageError(simulate("--plan", plan.toString(), "--faults", "chaos"), "--plan", "--faults");
  }

  @Test
  void planFaultForASessionThatDoesNotExist(@TempDir Path dir) throws Exception {
    Path plan = dir.resolve("plan.txt");
    Files.writeString(plan, "drop 0 100\noutage 7 100 200\n", StandardCharsets.UTF_8);
    usageError(
        simulate("--sessions", "2", "--plan", plan.toString()),
        "'outage 7 100 200'",
        "session 7",
        "--sessions 2");
  }

  @Test
  void shardWithoutSeedsAndSeedsWithPlan(@TempDir Path dir) {
    usageError(simulate("--shard", "1/2"), "--shard 1/2", "--seeds");
    usageError(
        simulate("--seeds", "1..4", "--plan", dir.resolve("p").toString()), "--seeds", "--plan");
    usageError(simulate("--seeds", "4..1"), "--seeds 4..1");
    usageError(simulate("--seeds", "1..4", "--shard", "5/4"), "--shard 5/4");
  }

  /**
   * A liveness run whose heal time plus recovery bound does not fit in the run would check nothing
   * and pass; it is refused with the reason and the shortest duration that fits, which runs.
   */
  @Test
  void livenessRunTooShortToCheckI8ExitsTwoWithTheReason() {
    String line =
        usageError(
            simulate("--regime", "liveness", "--duration", "90s", "--sessions", "2"),
            "--duration 90s",
            "too short for --regime liveness",
            "nothing would be checked");
    Matcher m = Pattern.compile("Use --duration (\\d+)s or more").matcher(line);
    assertThat(m.find()).as(line).isTrue();
    long shortest = Long.parseLong(m.group(1));
    assertThat(LivenessFit.fits(java.time.Duration.ofSeconds(shortest))).isTrue();
    assertThat(LivenessFit.fits(java.time.Duration.ofSeconds(shortest - 1))).isFalse();
    // One source of truth: the simulator's own refusal names the same shortest run.
    assertThat(line).contains("run at least " + shortest + "s");
    SimulateCommandTest.Outcome ok =
        simulate("--regime", "liveness", "--duration", shortest + "s", "--sessions", "2", "--json");
    assertThat(ok.exit()).as(ok.err()).isZero();
    usageError(
        simulate("--regime", "liveness", "--duration", (shortest - 1) + "s", "--sessions", "2"),
        "--duration " + (shortest - 1) + "s");
  }

  @Test
  void mergeOfAMissingOrMalformedFile(@TempDir Path dir) throws Exception {
    Path missing = dir.resolve("nope.json");
    usageError(simulate("--merge", missing.toString()), "--merge " + missing, "no such file");
    Path bad = dir.resolve("bad.json");
    Files.writeString(
        bad,
        "{\"type\":\"sweep\",\"schema\":\"" + SweepSummary.SCHEMA + "\"}\n",
        StandardCharsets.UTF_8);
    usageError(simulate("--merge", bad.toString()), "--merge " + bad, "line 1", "missing field");
    Path text = dir.resolve("text.json");
    Files.writeString(text, "hello\n", StandardCharsets.UTF_8);
    usageError(simulate("--merge", text.toString()), "--merge " + text, "line 1");
  }
}
