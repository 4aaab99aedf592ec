package dev.tether.process;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
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

  private final Process process;
  private final Object owner;
  private final Set<ProcessHandle> known = new LinkedHashSet<>(); // guarded by this
  private boolean started; // guarded by this
  private Duration terminateGrace = Duration.ZERO; // guarded by this; set by start

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
          Reaper.INSTANCE.schedule(
              process.isAlive() ? closeGrace : Duration.ZERO, this::graceEnded);
        });
  }

  private void graceEnded() {
    Duration grace;
    synchronized (this) {
      grace = terminateGrace;
    }
    if (terminate()) {
      Reaper.INSTANCE.schedule(grace, this::kill);
    } else {
      Reaper.INSTANCE.release(this);
    }
  }

  /**
   * The child exited during its close grace: terminates its known descendants at once rather than
   * when the grace ends, so that nothing of it outlives the child by more than the terminate grace.
   */
  void childExited() {
    Duration grace;
    synchronized (this) {
      if (!started) {
        return;
      }
      grace = terminateGrace;
    }
    if (terminate()) {
      Reaper.INSTANCE.schedule(grace, this::kill);
    }
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

  /** Kills what is left and lets the reaper forget this child. */
  void kill() {
    for (ProcessHandle h : alive()) {
      log.warn("{}: process {} outlived its terminate grace; killing it", owner, h.pid());
      h.destroyForcibly();
    }
    Reaper.INSTANCE.release(this);
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
    all.add(process.toHandle());
    synchronized (this) {
      all.addAll(known);
    }
    all.removeIf(h -> !h.isAlive());
    return all;
  }
}
