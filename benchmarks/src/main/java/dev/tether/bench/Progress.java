package dev.tether.bench;

import java.io.PrintStream;
import java.util.Locale;

/**
 * What {@code tether bench} is doing, on stderr, only when a person is watching (a console is
 * attached): stdout carries nothing but results, so {@code --json} output stays parseable.
 */
class Progress {
  /** Says nothing. */
  static final Progress NONE = new Progress(null);

  private final PrintStream err;
  private final long startNanos = System.nanoTime();
  private int steps;

  private Progress(PrintStream err) {
    this.err = err;
  }

  /** Reports on stderr when {@link System#console()} is attached; otherwise {@link #NONE}. */
  // Java 17 (this project's bytecode): console() is null unless stdin and stdout are a terminal.
  // On JDK 22+ it is never null and isTerminal() would be the test; revisit when the floor moves.
  @SuppressWarnings("SystemConsoleNull")
  static Progress onTerminal() {
    return System.console() != null ? new Progress(System.err) : NONE;
  }

  /** A new step starts. */
  void step(String what) {
    if (err != null) {
      err.printf(Locale.ROOT, "tether bench: [%d, %s] %s...%n", ++steps, elapsed(), what);
    }
  }

  /** Everything is done. */
  void done() {
    if (err != null) {
      err.printf(Locale.ROOT, "tether bench: done in %s%n", elapsed());
    }
  }

  private String elapsed() {
    long s = (System.nanoTime() - startNanos) / 1_000_000_000L;
    return String.format(Locale.ROOT, "%d:%02d", s / 60, s % 60);
  }
}
