package dev.tether.stub;

import dev.tether.runtime.spi.Scheduler;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Objects;
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

  // Work submitted with execute() is due at once and never cancelled: a FIFO suffices. Its tasks
  // are ordered by (due time, sequence) as they are added, since virtual time never goes back; the
  // next task is the earlier of its head and the timers' top, so the order is exactly the single
  // queue's: due time, then submission order.
  private final ArrayDeque<Task> ready = new ArrayDeque<>();
  private final TimerHeap timers = new TimerHeap();
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
    ready.add(new Task(this, nowNanos, seq++, task));
    live++;
  }

  @Override
  public Cancellable schedule(Duration delay, Runnable task) {
    Objects.requireNonNull(delay, "delay");
    if (delay.isNegative()) {
      throw new IllegalArgumentException("delay must not be negative, was " + delay);
    }
    Task t = new Task(this, Math.addExact(nowNanos, delay.toNanos()), seq++, task);
    timers.add(t);
    live++;
    return t;
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

  /** The earliest task still to run, left in place; null if none. */
  private Task peekLive() {
    Task timer = timers.peek();
    Task now = ready.peek();
    if (timer == null) {
      return now;
    }
    return now != null && !timer.before(now) ? now : timer;
  }

  /** Removes {@code t}, which {@link #peekLive()} just returned. */
  private void remove(Task t) {
    if (t == ready.peek()) {
      ready.poll();
    } else {
      timers.removeTop();
    }
  }

  /** The due time of the next live task, if any. */
  public java.util.OptionalLong nextDueNanos() {
    Task t = peekLive();
    return t == null ? java.util.OptionalLong.empty() : java.util.OptionalLong.of(t.atNanos);
  }

  private void runThrough(long limitNanos) {
    if (running) {
      throw new IllegalStateException("re-entrant run: a task tried to drive the scheduler");
    }
    running = true;
    long budget = MAX_TASKS_PER_CALL;
    try {
      Task t;
      while ((t = peekLive()) != null && t.atNanos <= limitNanos) {
        remove(t);
        live--;
        if (--budget < 0) {
          throw new IllegalStateException("more than " + MAX_TASKS_PER_CALL + " tasks: livelock?");
        }
        nowNanos = Math.max(nowNanos, t.atNanos);
        Runnable task = t.task;
        t.done = true;
        t.task = null;
        tasksRun++;
        task.run();
      }
    } finally {
      running = false;
    }
  }

  /** A submitted task; a timer's task is also its cancellation handle. */
  static final class Task implements Cancellable {
    private final VirtualScheduler owner;
    final long atNanos;
    final long seq;
    private Runnable task; // null once run or cancelled: a cancelled closure is not kept alive
    boolean done;

    Task(VirtualScheduler owner, long atNanos, long seq, Runnable task) {
      this.owner = owner;
      this.atNanos = atNanos;
      this.seq = seq;
      this.task = Objects.requireNonNull(task, "task");
    }

    boolean before(Task o) {
      return atNanos < o.atNanos || (atNanos == o.atNanos && seq < o.seq);
    }

    @Override
    public boolean cancel() {
      if (done) {
        return false;
      }
      done = true;
      task = null;
      owner.live--;
      owner.timers.cancelled();
      return true;
    }
  }
}
