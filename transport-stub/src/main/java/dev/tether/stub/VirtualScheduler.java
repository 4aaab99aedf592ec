package dev.tether.stub;

import dev.tether.runtime.spi.Scheduler;
import java.time.Duration;
import java.util.Objects;
import java.util.PriorityQueue;
import java.util.function.BooleanSupplier;

/**
 * A {@link Scheduler} on virtual time. Nothing runs until the test calls {@link #runUntilIdle()},
 * {@link #advance(Duration)} or {@link #runUntil}; tasks then run on the calling thread in order of
 * due time, ties broken by submission order. No wall clock, no threads, no hash order: the same
 * calls give the same execution, every time.
 *
 * <p>Time starts at 0 ns. Not thread-safe: drive it from one thread.
 */
public final class VirtualScheduler implements Scheduler {

  /**
   * Upper bound on tasks run by one call; a livelock (a task re-submitting itself forever at the
   * same instant) fails fast instead of hanging the build.
   */
  public static final long MAX_TASKS_PER_CALL = 50_000_000L;

  private final PriorityQueue<Task> queue = new PriorityQueue<>();
  private long nowNanos;
  private long seq;
  private boolean running;
  private int live;
  private long tasksRun;

  @Override
  public long nanoTime() {
    return nowNanos;
  }

  /** The current virtual time. */
  public Duration now() {
    return Duration.ofNanos(nowNanos);
  }

  @Override
  public void execute(Runnable task) {
    enqueue(nowNanos, task);
  }

  @Override
  public Cancellable schedule(Duration delay, Runnable task) {
    Objects.requireNonNull(delay, "delay");
    if (delay.isNegative()) {
      throw new IllegalArgumentException("delay must not be negative, was " + delay);
    }
    Task t = enqueue(Math.addExact(nowNanos, delay.toNanos()), task);
    return () -> {
      if (t.done) {
        return false;
      }
      // Lazy removal: a cancelled task stays queued but is skipped, keeping cancel O(1).
      t.done = true;
      live--;
      return true;
    };
  }

  @Override
  public boolean inContext() {
    return running;
  }

  /** Runs every task due now, including tasks they submit for now. Time does not move. */
  public void runUntilIdle() {
    runThrough(nowNanos);
  }

  /** Advances time by {@code duration}, running every task that falls due on the way, in order. */
  public void advance(Duration duration) {
    if (duration.isNegative()) {
      throw new IllegalArgumentException("duration must not be negative, was " + duration);
    }
    long target = Math.addExact(nowNanos, duration.toNanos());
    runThrough(target);
    nowNanos = target;
  }

  /**
   * Runs tasks in time order until {@code condition} holds, or until {@code limit} of virtual time
   * has passed.
   *
   * @return whether the condition holds
   */
  public boolean runUntil(BooleanSupplier condition, Duration limit) {
    long deadline = Math.addExact(nowNanos, limit.toNanos());
    runThrough(nowNanos);
    while (!condition.getAsBoolean()) {
      Task next = peekLive();
      if (next == null || next.atNanos > deadline) {
        nowNanos = deadline;
        return condition.getAsBoolean();
      }
      runThrough(next.atNanos);
    }
    return true;
  }

  /** Tasks waiting to run (timers not yet due or cancelled, and queued work). */
  public int pendingTasks() {
    return live;
  }

  /** Total tasks run so far. */
  public long tasksRun() {
    return tasksRun;
  }

  private Task peekLive() {
    Task t;
    while ((t = queue.peek()) != null && t.done) {
      queue.poll();
    }
    return t;
  }

  /** The due time of the next live task, if any. */
  public java.util.OptionalLong nextDueNanos() {
    Task t = peekLive();
    return t == null ? java.util.OptionalLong.empty() : java.util.OptionalLong.of(t.atNanos);
  }

  private Task enqueue(long atNanos, Runnable task) {
    Task t = new Task(atNanos, seq++, Objects.requireNonNull(task, "task"));
    queue.add(t);
    live++;
    return t;
  }

  private void runThrough(long limitNanos) {
    if (running) {
      throw new IllegalStateException("re-entrant run: a task tried to drive the scheduler");
    }
    running = true;
    long budget = MAX_TASKS_PER_CALL;
    try {
      Task t;
      while ((t = queue.peek()) != null && t.atNanos <= limitNanos) {
        queue.poll();
        if (t.done) {
          continue; // cancelled
        }
        live--;
        if (--budget < 0) {
          throw new IllegalStateException("more than " + MAX_TASKS_PER_CALL + " tasks: livelock?");
        }
        nowNanos = Math.max(nowNanos, t.atNanos);
        t.done = true;
        tasksRun++;
        t.task.run();
      }
    } finally {
      running = false;
    }
  }

  private static final class Task implements Comparable<Task> {
    final long atNanos;
    final long seq;
    final Runnable task;
    boolean done;

    Task(long atNanos, long seq, Runnable task) {
      this.atNanos = atNanos;
      this.seq = seq;
      this.task = task;
    }

    @Override
    public int compareTo(Task o) {
      int c = Long.compare(atNanos, o.atNanos);
      return c != 0 ? c : Long.compare(seq, o.seq);
    }
  }
}
