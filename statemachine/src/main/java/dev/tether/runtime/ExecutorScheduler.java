package dev.tether.runtime;

import dev.tether.runtime.spi.Scheduler;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A {@link Scheduler} on one dedicated daemon thread: the fallback context for connections that are
 * given none. After {@link #close()} it rejects new tasks; tasks already queued, and timers already
 * scheduled and not cancelled, still run, then the thread ends. Thread-safe.
 */
public final class ExecutorScheduler implements Scheduler, AutoCloseable {
  private final ScheduledExecutorService executor;
  private final Object lock = new Object();
  private boolean closed;
  private volatile Thread thread;

  private ExecutorScheduler(String threadName) {
    this.executor =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, threadName);
              t.setDaemon(true);
              thread = t;
              return t;
            });
  }

  /** A scheduler running on a new daemon thread of the given name. */
  public static ExecutorScheduler singleThread(String threadName) {
    return new ExecutorScheduler(threadName);
  }

  @Override
  public long nanoTime() {
    return System.nanoTime();
  }

  /**
   * {@inheritDoc}
   *
   * @throws RejectedExecutionException after {@link #close()}
   */
  @Override
  public void execute(Runnable task) {
    // Under the lock, a task is either queued before shutdown (and then runs) or rejected: a
    // ScheduledThreadPoolExecutor racing with its own termination would otherwise cancel it
    // silently.
    synchronized (lock) {
      if (closed) {
        throw new RejectedExecutionException("scheduler closed");
      }
      executor.execute(task);
    }
  }

  /**
   * {@inheritDoc}
   *
   * @throws RejectedExecutionException after {@link #close()}
   */
  @Override
  public Cancellable schedule(Duration delay, Runnable task) {
    synchronized (lock) {
      if (closed) {
        throw new RejectedExecutionException("scheduler closed");
      }
      Timer timer = new Timer(task);
      timer.future = executor.schedule(timer, delay.toNanos(), TimeUnit.NANOSECONDS);
      return timer;
    }
  }

  @Override
  public boolean inContext() {
    return Thread.currentThread() == thread;
  }

  /** Stops the thread once queued tasks have run. */
  @Override
  public void close() {
    synchronized (lock) {
      closed = true;
      executor.shutdown();
    }
  }

  /**
   * A scheduled task that either runs or is cancelled, whichever claims it first, so that {@link
   * #cancel()} answers true only if the task will never run: a {@link ScheduledFuture} would also
   * answer true for a task already running.
   */
  private static final class Timer implements Runnable, Cancellable {
    private final Runnable task;
    private final AtomicBoolean claimed = new AtomicBoolean();
    private volatile ScheduledFuture<?> future;

    Timer(Runnable task) {
      this.task = task;
    }

    @Override
    public void run() {
      if (claimed.compareAndSet(false, true)) {
        task.run();
      }
    }

    @Override
    public boolean cancel() {
      if (!claimed.compareAndSet(false, true)) {
        return false;
      }
      future.cancel(false); // so that close() need not wait for it
      return true;
    }
  }
}
