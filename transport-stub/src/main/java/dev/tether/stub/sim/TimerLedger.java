package dev.tether.stub.sim;

import dev.tether.runtime.spi.Scheduler;
import dev.tether.stub.VirtualScheduler;
import java.time.Duration;

/**
 * One session's view of the simulation clock: passes everything through and counts the timers the
 * connection has live (scheduled, neither run nor cancelled). The connection schedules a timer for
 * each {@code StartTimer} effect and cancels it for each {@code CancelTimer}, so at the moment a
 * terminal event is emitted (before any clean-up after it) the count shows exactly the timers the
 * machine started and did not cancel.
 *
 * <p>Not thread-safe; used from the simulation's thread.
 */
final class TimerLedger implements Scheduler {
  private final VirtualScheduler clock;
  private int live;

  TimerLedger(VirtualScheduler clock) {
    this.clock = clock;
  }

  /** Timers scheduled through this ledger that have neither run nor been cancelled. */
  int live() {
    return live;
  }

  @Override
  public long nanoTime() {
    return clock.nanoTime();
  }

  @Override
  public void execute(Runnable task) {
    clock.execute(task);
  }

  @Override
  public Cancellable schedule(Duration delay, Runnable task) {
    Entry e = new Entry(task);
    live++;
    e.handle = clock.schedule(delay, e);
    return e;
  }

  @Override
  public boolean inContext() {
    return clock.inContext();
  }

  /** The timer's task as the clock runs it, and its handle as the connection cancels it. */
  private final class Entry implements Runnable, Cancellable {
    private final Runnable task;
    private Cancellable handle;
    private boolean done;

    Entry(Runnable task) {
      this.task = task;
    }

    @Override
    public void run() {
      settle();
      task.run();
    }

    @Override
    public boolean cancel() {
      boolean prevented = handle.cancel();
      if (prevented) {
        settle();
      }
      return prevented;
    }

    private void settle() {
      if (!done) {
        done = true;
        live--;
      }
    }
  }
}
