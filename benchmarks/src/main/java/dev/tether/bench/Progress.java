package dev.tether.bench;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * What {@code tether bench} is doing, on stderr, only when a person is watching (a console is
 * attached): stdout carries nothing but results, so {@code --json} output stays parseable. At the
 * end, each step's wall time, so a slow step shows where the time went. Confined to the thread that
 * runs the bench.
 */
class Progress {
  /** Says nothing. */
  static final Progress NONE = new Progress(null);

  private final PrintStream err;
  private final long startNanos = System.nanoTime();
  private final List<String> finished = new ArrayList<>();
  private String current;
  private long currentStartNanos;
  private int steps;

  private Progress(PrintStream err) {
    this.err = err;
  }

  /** Reports on stderr when {@link System#console()} is attached; otherwise {@link #NONE}. */
  // Java 17 (this project's bytecode): console() is null unless stdin and stdout are a terminal.
  // On JDK 22+ it is never null and isTerminal() would be the test; revisit when the floor moves.
  @SuppressWarnings("SystemConsoleNull")
  static Progress onTerminal() {
    return System.console() != null ? to(System.err) : NONE;
  }

  /** Reports on {@code out}: each step as it starts, and at the end each step's wall time. */
  static Progress to(PrintStream out) {
    return new Progress(out);
  }

  /** A new step starts (the one before, if any, ends). */
  void step(String what) {
    if (err != null) {
      endStep();
      current = what;
      currentStartNanos = System.nanoTime();
      err.printf(Locale.ROOT, "tether bench: [%d, %s] %s...%n", ++steps, elapsed(), what);
    }
  }

  /** Everything is done: prints the total and each step's wall time. */
  void done() {
    if (err != null) {
      endStep();
      err.printf(Locale.ROOT, "tether bench: done in %s%n", elapsed());
      finished.forEach(err::println);
    }
  }

  private void endStep() {
    if (current != null) {
      double seconds = (System.nanoTime() - currentStartNanos) / 1e9;
      finished.add(String.format(Locale.ROOT, "tether bench: %7.2f s  %s", seconds, current));
      current = null;
    }
  }

  private String elapsed() {
    long s = (System.nanoTime() - startNanos) / 1_000_000_000L;
    return String.format(Locale.ROOT, "%d:%02d", s / 60, s % 60);
  }
}
