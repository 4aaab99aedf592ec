package dev.tether.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * A {@link Writer} that keeps what a command prints as complete lines and lets a test wait,
 * bounded, until a line it expects has been printed. Thread-safe.
 */
final class Lines extends Writer {
  private final StringBuilder partial = new StringBuilder();
  private final List<String> lines = new ArrayList<>();

  @Override
  public synchronized void write(char[] buf, int off, int len) {
    for (int i = off; i < off + len; i++) {
      if (buf[i] == '\n') {
        lines.add(partial.toString());
        partial.setLength(0);
      } else {
        partial.append(buf[i]);
      }
    }
    notifyAll();
  }

  /**
   * Lines of {@code in}, read on a daemon thread named {@code threadName} until it ends (a child
   * process's stdout); a read failure is kept as a last line starting with {@code "! "}.
   */
  static Lines pump(InputStream in, String threadName) {
    Lines lines = new Lines();
    Thread pump =
        new Thread(
            () -> {
              try (Reader r = new InputStreamReader(in, StandardCharsets.UTF_8)) {
                r.transferTo(lines);
              } catch (IOException e) {
                char[] failure = ("\n! " + e + "\n").toCharArray();
                lines.write(failure, 0, failure.length);
              }
            },
            threadName);
    pump.setDaemon(true);
    pump.start();
    return lines;
  }

  @Override
  public void flush() {}

  @Override
  public void close() {}

  /** The complete lines printed so far. */
  synchronized List<String> lines() {
    return List.copyOf(lines);
  }

  /**
   * Waits until a line at index {@code from} or later matches {@code match}.
   *
   * @return that line's index
   * @throws AssertionError if none is printed within {@code timeout}
   */
  synchronized int await(int from, Predicate<String> match, Duration timeout, String what)
      throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    for (int i = from; ; ) {
      for (; i < lines.size(); i++) {
        if (match.test(lines.get(i))) {
          return i;
        }
      }
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        throw new AssertionError(
            "no " + what + " from line " + from + " within " + timeout + "; printed:\n" + this);
      }
      TimeUnit.NANOSECONDS.timedWait(this, left);
    }
  }

  @Override
  public synchronized String toString() {
    return String.join("\n", lines) + (partial.length() == 0 ? "" : "\n" + partial);
  }
}
