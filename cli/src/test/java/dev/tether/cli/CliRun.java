package dev.tether.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A {@code tether} command line running in process on a thread of its own, so that a test can watch
 * its output while it runs and then interrupt it. {@link #close()} interrupts it if it still runs
 * and waits for it (bounded).
 */
final class CliRun implements AutoCloseable {
  /** Bound on every wait of a test: loopback steps take milliseconds; this is slack for CI. */
  static final Duration WAIT = Duration.ofSeconds(10);

  final Lines out = new Lines();
  final StringWriter err = new StringWriter();
  private final CompletableFuture<Integer> exit = new CompletableFuture<>();
  private final Thread thread;

  private CliRun(String... args) {
    thread =
        new Thread(
            () -> {
              try {
                exit.complete(
                    TetherCli.run(new PrintWriter(out, true), new PrintWriter(err, true), args));
              } catch (Throwable t) {
                exit.completeExceptionally(t);
              }
            },
            "tether-cli-under-test");
    thread.setDaemon(true);
  }

  /** Starts {@code tether args…}. */
  static CliRun start(String... args) {
    CliRun run = new CliRun(args);
    run.thread.start();
    return run;
  }

  /** Runs {@code tether args…} to completion (bounded) and checks its exit status. */
  static CliRun complete(int expectedExit, String... args) throws Exception {
    CliRun run = start(args);
    assertThat(run.awaitExit(WAIT)).as("exit status; stderr: %s", run.err).isEqualTo(expectedExit);
    return run;
  }

  /** Waits for the exit status. */
  int awaitExit(Duration timeout) throws InterruptedException, ExecutionException {
    try {
      return exit.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      throw new AssertionError(
          "still running after " + timeout + "; printed:\n" + out + "\nstderr:\n" + err, e);
    }
  }

  /** Interrupts the command's thread, as Ctrl-C does in the real command line. */
  void interrupt() {
    thread.interrupt();
  }

  /** Parses a JSON line. */
  static JsonNode json(String line) {
    try {
      return LifecycleJson.MAPPER.readTree(line);
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException("not a JSON line: " + line, e);
    }
  }

  /** The {@code result} of a {@code "type":"result"} line of {@code call --json}, as a string. */
  static String result(String line) {
    JsonNode n = json(line);
    assertThat(n.path("type").asText()).as(line).isEqualTo("result");
    return n.get("result").toString();
  }

  /** The error object of a {@code "type":"error"} line. */
  static JsonNode error(String line) {
    JsonNode n = json(line);
    assertThat(n.path("type").asText()).as(line).isEqualTo("error");
    return n.get("error");
  }

  /**
   * A lifecycle line's {@code cause} object as text, {@code KIND: message}, as the text shows it.
   */
  static String cause(JsonNode lifecycle) {
    JsonNode c = lifecycle.get("cause");
    assertThat(c).as("cause of %s", lifecycle).isNotNull();
    return c.get("kind").asText() + ": " + c.get("message").asText();
  }

  /** Whether {@code line} is the JSON lifecycle line of {@code event}. */
  static boolean isLifecycle(String line, String event) {
    JsonNode n = json(line);
    return n.path("type").asText().equals("lifecycle") && n.path("event").asText().equals(event);
  }

  /** Whether {@code line} is a JSON event line of {@code stream}. */
  static boolean isEvent(String line, String stream) {
    JsonNode n = json(line);
    return n.path("type").asText().equals("event") && n.path("stream").asText().equals(stream);
  }

  /** Interrupts the command if it still runs and waits (bounded) for it to end. */
  @Override
  public void close() throws ExecutionException {
    if (!exit.isDone()) {
      thread.interrupt();
      try {
        awaitExit(WAIT);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError("interrupted while closing", e);
      }
    }
  }
}
