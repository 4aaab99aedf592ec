package dev.tether.model.prop;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * A small property-based harness on plain JUnit 5: generate a command sequence from a seed, run it
 * (the runner checks invariants after every step and throws on a violation), and on failure shrink
 * the sequence by delta debugging to a minimal one that still fails. The failure message names the
 * seed, the shrunk sequence, and how to replay it.
 *
 * <p>System properties: {@code -Dtether.seed=N} runs only seed N; {@code -Dtether.seeds=K} runs K
 * seeds instead of the default; {@code -Dtether.seedBase=B} starts at seed B (default 1, so CI runs
 * are reproducible).
 */
public final class Property {
  /** Runs one seed only. */
  public static final String SEED = "tether.seed";

  /** Overrides the number of seeds. */
  public static final String SEEDS = "tether.seeds";

  /** First seed of a run. */
  public static final String SEED_BASE = "tether.seedBase";

  /** Bound on shrinking runs, so a slow property cannot stall the build while shrinking. */
  static final int MAX_SHRINK_RUNS = 5_000;

  private Property() {}

  /** Generates the command sequence for one seed. */
  @FunctionalInterface
  public interface Generator<C> {
    /** Draws a sequence; must use only {@code random} so that a seed replays. */
    List<C> generate(SplittableRandom random);
  }

  /** Runs a command sequence from a fresh state, throwing on the first invariant violation. */
  @FunctionalInterface
  public interface Runner<C> {
    /** Runs the commands. */
    void run(List<C> commands);
  }

  /**
   * Checks the property over many seeds.
   *
   * @param name the property's name, for messages
   * @param testClass the JUnit class, for the replay command
   * @param defaultSeeds how many seeds to run by default
   * @throws AssertionError describing the seed and the shrunk sequence on failure
   */
  public static <C> void forAll(
      String name, Class<?> testClass, int defaultSeeds, Generator<C> gen, Runner<C> runner) {
    for (long seed : seeds(defaultSeeds)) {
      List<C> commands = gen.generate(new SplittableRandom(seed));
      Throwable failure = failure(runner, commands);
      if (failure != null) {
        throw report(name, testClass, seed, commands, failure, runner);
      }
    }
  }

  /**
   * The seeds a property runs, honouring the system properties: only {@code -Dtether.seed} if set,
   * else {@code -Dtether.seeds} (default {@code defaultSeeds}) seeds from {@code -Dtether.seedBase}
   * (default 1). Every harness in this module uses it, so replaying works the same everywhere.
   */
  public static long[] seeds(int defaultSeeds) {
    String one = System.getProperty(SEED);
    if (one != null) {
      return new long[] {Long.parseLong(one)};
    }
    long base = Long.getLong(SEED_BASE, 1L);
    int count = Integer.getInteger(SEEDS, defaultSeeds);
    long[] out = new long[Math.max(0, count)];
    for (int i = 0; i < out.length; i++) {
      out[i] = base + i;
    }
    return out;
  }

  /** Whether {@code -Dtether.seed} asked for one seed (coverage checks then do not apply). */
  public static boolean replaying() {
    return System.getProperty(SEED) != null;
  }

  /** The Maven command line that replays {@code seed} of {@code testClass}. */
  public static String replayCommand(Class<?> testClass, long seed) {
    return "mvn -B verify -pl model-tests -am -Dtest="
        + testClass.getSimpleName()
        + " -Dsurefire.failIfNoSpecifiedTests=false -D"
        + SEED
        + "="
        + seed;
  }

  private static <C> AssertionError report(
      String name,
      Class<?> testClass,
      long seed,
      List<C> commands,
      Throwable failure,
      Runner<C> runner) {
    List<C> shrunk = shrink(commands, runner);
    Throwable shrunkFailure = failure(runner, shrunk);
    StringBuilder sb = new StringBuilder();
    sb.append("property '").append(name).append("' failed for seed ").append(seed).append('\n');
    sb.append("replay: ").append(replayCommand(testClass, seed)).append('\n');
    sb.append("failure: ").append(failure).append('\n');
    sb.append("shrunk from ")
        .append(commands.size())
        .append(" to ")
        .append(shrunk.size())
        .append(" commands:\n");
    for (int i = 0; i < shrunk.size(); i++) {
      sb.append("  ").append(i + 1).append(". ").append(shrunk.get(i)).append('\n');
    }
    sb.append("shrunk failure: ").append(shrunkFailure);
    AssertionError e = new AssertionError(sb.toString(), failure);
    return e;
  }

  /** Delta debugging (ddmin): removes ever smaller chunks while the sequence still fails. */
  static <C> List<C> shrink(List<C> commands, Runner<C> runner) {
    List<C> current = new ArrayList<>(commands);
    int runs = 0;
    int chunk = Math.max(1, current.size() / 2);
    while (chunk >= 1 && runs < MAX_SHRINK_RUNS) {
      boolean removed = false;
      for (int start = 0; start < current.size() && runs < MAX_SHRINK_RUNS; ) {
        List<C> candidate = new ArrayList<>(current.subList(0, start));
        candidate.addAll(current.subList(Math.min(current.size(), start + chunk), current.size()));
        runs++;
        if (!candidate.isEmpty() && failure(runner, candidate) != null) {
          current = candidate;
          removed = true;
        } else {
          start += chunk;
        }
      }
      if (!removed) {
        chunk /= 2;
      }
    }
    return current;
  }

  private static <C> Throwable failure(Runner<C> runner, List<C> commands) {
    try {
      runner.run(commands);
      return null;
    } catch (AssertionError | RuntimeException e) {
      return e;
    }
  }
}
