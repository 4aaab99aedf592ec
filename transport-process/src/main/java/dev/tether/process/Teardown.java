package dev.tether.process;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Ends one child process and its descendants (P5): after the channel ended and stdin was closed,
 * the child gets the close grace to exit on its own, then it and every descendant known are
 * terminated ({@code destroy}, SIGTERM on Unix), and after the terminate grace killed ({@code
 * destroyForcibly}, SIGKILL).
 *
 * <p>Descendants are remembered while the child lives (a child that dies leaves its children to
 * init, where {@link ProcessHandle#descendants()} no longer finds them): at every poll of the
 * waiter thread and when teardown starts. A grandchild born and orphaned between two polls escapes.
 *
 * <p>Thread-safe.
 */
final class Teardown {
  private static final Logger log = LoggerFactory.getLogger(Teardown.class);

  /** Most descendants remembered per child: a fork bomb is not followed. */
  static final int MAX_KNOWN_DESCENDANTS = 256;

  /**
   * How often a teardown looks whether what it terminated or killed is gone: short, because the
   * connection's terminal event waits for it; one look reads a few {@code /proc} entries.
   */
  static final Duration EXIT_POLL = Duration.ofMillis(10);

  /**
   * How long a killed process may take to vanish before the teardown gives up on it (logged as an
   * error): SIGKILL cannot be ignored, so one still there is stuck in the kernel, and the terminal
   * event must not wait for it forever.
   */
  static final Duration KILL_WAIT = Duration.ofSeconds(5);

  private final Process process;
  private final Object owner;
  private final Set<ProcessHandle> known = new LinkedHashSet<>(); // guarded by this
  private boolean started; // guarded by this
  private Duration terminateGrace = Duration.ZERO; // guarded by this; set by start
  private final CompletableFuture<Void> released = new CompletableFuture<>();

  Teardown(Process process, Object owner) {
    this.process = process;
    this.owner = owner;
  }

  /** Remembers the child's current descendants, if it is alive. */
  void rememberDescendants() {
    if (!process.isAlive()) {
      return;
    }
    try (Stream<ProcessHandle> descendants = process.descendants()) {
      List<ProcessHandle> now = descendants.toList();
      synchronized (this) {
        for (ProcessHandle h : now) {
          if (known.size() >= MAX_KNOWN_DESCENDANTS) {
            break;
          }
          known.add(h);
        }
      }
    }
  }

  /**
   * Completes once the child and every descendant known have exited (the child reaped): the end of
   * the teardown, which the connection's terminal event waits for (P5). Completes in bounded time:
   * at the latest {@link #KILL_WAIT} after the kill, even if a process survived it.
   */
  CompletionStage<Void> released() {
    return released.minimalCompletionStage();
  }

  /**
   * Starts the teardown once: if the child still runs, terminate after {@code closeGrace}, else at
   * once (its descendants); kill {@code terminateGrace} after that.
   */
  void start(Duration closeGrace, Duration terminateGrace) {
    synchronized (this) {
      if (started) {
        return;
      }
      started = true;
      this.terminateGrace = terminateGrace;
    }
    // On the reaper's thread: listing descendants scans the process table, and start() may be
    // called on the connection's context (Channel.close).
    Reaper.INSTANCE.schedule(
        Duration.ZERO,
        () -> {
          rememberDescendants();
          Reaper.INSTANCE.schedule(process.isAlive() ? closeGrace : Duration.ZERO, this::endAlive);
        });
  }

  /**
   * The child exited during its close grace: terminates its known descendants at once rather than
   * when the grace ends, so that nothing of it outlives the child by more than the terminate grace,
   * and the teardown is over as soon as they are gone.
   */
  void childExited() {
    synchronized (this) {
      if (!started) {
        return;
      }
    }
    endAlive();
  }

  /**
   * Terminates what is alive, kills it after the terminate grace, and finishes once none is left.
   * Runs once or twice (the grace's end, the child's exit): every step is idempotent.
   */
  private void endAlive() {
    Duration grace;
    synchronized (this) {
      grace = terminateGrace;
    }
    if (!terminate()) {
      finish();
      return;
    }
    Reaper.INSTANCE.schedule(grace, this::kill);
    Reaper.INSTANCE.schedule(
        EXIT_POLL, () -> finishWhenGone(System.nanoTime() + grace.plus(KILL_WAIT).toNanos()));
  }

  /** Polls on the reaper's thread until nothing known is alive, or the deadline passed. */
  private void finishWhenGone(long deadlineNanos) {
    List<ProcessHandle> left = alive();
    if (left.isEmpty()) {
      finish();
    } else if (System.nanoTime() - deadlineNanos >= 0) {
      log.error(
          "{}: processes {} survived SIGKILL for {}; giving up on them",
          owner,
          left.stream().map(ProcessHandle::pid).toList(),
          KILL_WAIT);
      finish();
    } else {
      Reaper.INSTANCE.schedule(EXIT_POLL, () -> finishWhenGone(deadlineNanos));
    }
  }

  /** The teardown is over: the reaper forgets the child, and the release completes. Idempotent. */
  private void finish() {
    Reaper.INSTANCE.release(this);
    released.complete(null);
  }

  /**
   * Terminates the child and its known descendants that are alive.
   *
   * @return whether any was alive
   */
  boolean terminate() {
    List<ProcessHandle> alive = alive();
    for (ProcessHandle h : alive) {
      log.debug("{}: terminating process {}", owner, h.pid());
      h.destroy();
    }
    return !alive.isEmpty();
  }

  /** Kills what is left (the teardown finishes when it is gone). */
  void kill() {
    for (ProcessHandle h : alive()) {
      log.warn("{}: process {} outlived its terminate grace; killing it", owner, h.pid());
      h.destroyForcibly();
    }
  }

  /** Waits up to {@code nanos} for the child to exit. */
  void awaitExit(long nanos) {
    try {
      process.onExit().get(nanos, TimeUnit.NANOSECONDS);
    } catch (TimeoutException | ExecutionException e) {
      log.debug("{}: not exited in time: {}", owner, e.toString());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** The child and its known descendants that are still alive. */
  List<ProcessHandle> alive() {
    List<ProcessHandle> all = new ArrayList<>();
    synchronized (this) {
      all.addAll(known);
    }
    all.removeIf(h -> !ProcessTable.running(h));
    if (process.isAlive()) { // unlike its handle's, false only once the child is reaped
      all.add(0, process.toHandle());
    }
    return all;
  }
}
