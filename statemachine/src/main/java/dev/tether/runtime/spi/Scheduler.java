package dev.tether.runtime.spi;

import java.time.Duration;

/**
 * The single execution context a connection is confined to, with its clock and timers.
 *
 * <p>Every task given to {@link #execute} or {@link #schedule} runs on that context, one at a time,
 * in submission order for tasks due at the same time. Implementations: a Vert.x context in
 * production, a virtual-time loop in simulation, a single thread as a fallback.
 *
 * <p>All methods are thread-safe.
 */
public interface Scheduler {

  /** A monotonic clock in nanoseconds; only differences are meaningful. */
  long nanoTime();

  /** Runs {@code task} on the context as soon as possible, never inline. */
  void execute(Runnable task);

  /**
   * Runs {@code task} on the context after {@code delay}.
   *
   * @return a handle that cancels the task if it has not run yet
   */
  Cancellable schedule(Duration delay, Runnable task);

  /** Whether the calling thread is currently running on this scheduler's context. */
  boolean inContext();

  /** A handle to a scheduled task. */
  @FunctionalInterface
  interface Cancellable {
    /**
     * Cancels the task if it has not started.
     *
     * @return true if this call prevented the task from running
     */
    boolean cancel();
  }
}
