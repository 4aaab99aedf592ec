package dev.tether.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;

/**
 * The test JVM's child processes as the process table lists them ({@link
 * ProcessHandle#descendants()}, not {@link Process#isAlive()}), and the echo server children the
 * tests start with {@code --exec}.
 */
final class ChildProcesses {
  /** Bound on waiting for children to exit. */
  static final Duration WAIT = Duration.ofSeconds(15);

  private ChildProcesses() {}

  /** {@code --exec} text starting {@link StdioEchoServer} with {@code args} in a child JVM. */
  static String echoServer(String... args) {
    return ChildJvm.command(StdioEchoServer.class, args).stream()
        .map(ShellWords::quote)
        .collect(Collectors.joining(" "));
  }

  /** The descendants of this JVM that are running now. */
  static List<ProcessHandle> running() {
    return ProcessHandle.current().descendants().filter(ProcessHandle::isAlive).toList();
  }

  /**
   * Waits (bounded by {@link #WAIT}) until this JVM has no running descendant, then asserts so by
   * listing the process table again.
   */
  static void assertNoneLeft() throws InterruptedException {
    long deadline = System.nanoTime() + WAIT.toNanos();
    for (ProcessHandle child : running()) {
      try {
        child.onExit().get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
      } catch (ExecutionException | TimeoutException e) {
        break; // the assertion below names what is left
      }
    }
    assertThat(running().stream().map(ChildProcesses::describe).toList())
        .as("child processes still running")
        .isEmpty();
  }

  /** Kills every descendant still running (after a failed test), by pid. */
  static void killAll() {
    running().forEach(ProcessHandle::destroyForcibly);
  }

  /** Asserts none is left, and kills them whatever happened. */
  static void stopAll() throws InterruptedException {
    try {
      assertNoneLeft();
    } finally {
      killAll();
    }
  }

  private static String describe(ProcessHandle p) {
    return p.pid() + " " + p.info().commandLine().orElse("?");
  }
}
