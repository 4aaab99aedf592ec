package dev.tether.cli;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import picocli.CommandLine.Model.CommandSpec;

/**
 * Lets a long-running command end cleanly on Ctrl-C (SIGINT) or SIGTERM with its own exit status.
 *
 * <p>A shutdown hook runs {@code stop} (which must make the command's thread finish, such as
 * closing its connection), waits at most {@link #CLEANUP_WAIT} for the command to call {@link
 * #finished}, flushes the command's output and ends the JVM with that status. Without this the
 * JVM's status after a signal is 128 + the signal's number. {@link #close()} removes the hook when
 * the command ends on its own. Thread-safe.
 */
final class CtrlC implements AutoCloseable {
  /**
   * How long the hook waits for the command's cleanup: the cleanup's own waits are bounded by two
   * {@link SocketRpc#CLOSE_WAIT}s (terminate, then Vert.x); one second of slack on top.
   */
  static final Duration CLEANUP_WAIT = SocketRpc.CLOSE_WAIT.multipliedBy(2).plusSeconds(1);

  private final CountDownLatch finished = new CountDownLatch(1);
  private final AtomicInteger status = new AtomicInteger();
  private final Thread hook;

  private CtrlC(CommandSpec command, Runnable stop) {
    this.hook = new Thread(() -> onSignal(command, stop), "tether-" + command.name() + "-ctrl-c");
  }

  /** Installs the hook for {@code command}; {@code stop} runs on the hook's thread. */
  static CtrlC install(CommandSpec command, Runnable stop) {
    CtrlC c = new CtrlC(command, stop);
    Runtime.getRuntime().addShutdownHook(c.hook);
    return c;
  }

  /** The command has cleaned up and ends with {@code exitStatus}. */
  void finished(int exitStatus) {
    status.set(exitStatus);
    finished.countDown();
  }

  /** Removes the hook; if a signal already started the shutdown, the hook ends the JVM. */
  @Override
  public void close() {
    finished.countDown(); // on every path, so that the hook never waits for nothing
    try {
      Runtime.getRuntime().removeShutdownHook(hook);
    } catch (IllegalStateException shuttingDown) {
      // The hook is running or about to: it ends the JVM with our status.
    }
  }

  private void onSignal(CommandSpec command, Runnable stop) {
    PrintWriter err = command.commandLine().getErr();
    stop.run();
    try {
      if (!finished.await(CLEANUP_WAIT.toMillis(), TimeUnit.MILLISECONDS)) {
        err.println("tether " + command.name() + ": cleanup did not finish in time");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    command.commandLine().getOut().flush();
    err.flush();
    Runtime.getRuntime().halt(status.get());
  }
}
