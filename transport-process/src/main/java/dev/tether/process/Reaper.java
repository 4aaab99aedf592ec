package dev.tether.process;

import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The JVM-wide keeper of child processes not yet reaped: runs the grace timers of every {@link
 * Teardown} on one daemon thread (so no connection's context ever waits for a child), and kills
 * what is left when the JVM exits normally, from one shutdown hook.
 *
 * <p>Thread-safe.
 */
final class Reaper {
  private static final Logger log = LoggerFactory.getLogger(Reaper.class);

  /**
   * Most child processes alive at once across the JVM: far above any sane number of connections to
   * child processes, low enough that a restart loop gone wrong fails loudly instead of exhausting
   * the process table.
   */
  static final int MAX_LIVE_CHILDREN = 4096;

  /** Time children get to exit after SIGTERM when the JVM exits, before SIGKILL. */
  static final Duration SHUTDOWN_GRACE = Duration.ofMillis(500);

  static final Reaper INSTANCE = new Reaper();

  private final Set<Teardown> live = ConcurrentHashMap.newKeySet();
  private final AtomicBoolean hookInstalled = new AtomicBoolean();
  private final ScheduledExecutorService timer =
      Executors.newSingleThreadScheduledExecutor(
          task -> {
            Thread t = new Thread(task, "tether-process-reaper");
            t.setDaemon(true);
            return t;
          });

  private Reaper() {}

  /**
   * Keeps {@code teardown} until it {@link #release}s itself.
   *
   * @return false if {@value #MAX_LIVE_CHILDREN} children are already alive
   */
  boolean register(Teardown teardown) {
    if (hookInstalled.compareAndSet(false, true)) {
      Runtime.getRuntime().addShutdownHook(new Thread(this::killAll, "tether-process-shutdown"));
    }
    if (live.size() >= MAX_LIVE_CHILDREN) {
      return false;
    }
    live.add(teardown);
    return true;
  }

  void release(Teardown teardown) {
    live.remove(teardown);
  }

  /** Runs {@code task} on the reaper's thread after {@code delay}. */
  void schedule(Duration delay, Runnable task) {
    var unused = timer.schedule(guarded(task), delay.toNanos(), TimeUnit.NANOSECONDS);
  }

  /** The teardowns not yet released, for tests and {@link ProcessTransport#liveProcesses()}. */
  Set<Teardown> live() {
    return Set.copyOf(live);
  }

  private static Runnable guarded(Runnable task) {
    return () -> {
      try {
        task.run();
      } catch (RuntimeException e) {
        log.warn("process teardown step failed", e);
      }
    };
  }

  /** The shutdown hook: terminate everything, wait briefly, kill the rest. */
  private void killAll() {
    Set<Teardown> all = Set.copyOf(live);
    all.forEach(Teardown::terminate);
    long deadline = System.nanoTime() + SHUTDOWN_GRACE.toNanos();
    for (Teardown t : all) {
      t.awaitExit(Math.max(0, deadline - System.nanoTime()));
    }
    all.forEach(Teardown::kill);
  }
}
