package dev.tether.vertx;

import dev.tether.runtime.spi.Scheduler;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.internal.ContextInternal;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link Scheduler} on one Vert.x event-loop context: tasks run there, timers are Vert.x timers
 * on that context. Give each connection its own (see {@link #create(Vertx)}) or share one context
 * between connections that may share a thread.
 *
 * <p>Thread-safe.
 */
public final class VertxScheduler implements Scheduler {
  private static final Logger log = LoggerFactory.getLogger(VertxScheduler.class);

  /** Vert.x timers have millisecond resolution and a minimum of 1 ms. */
  private static final long MIN_TIMER_MILLIS = 1;

  private final ContextInternal context;
  private static final VarHandle PENDING_TIMERS;

  static {
    try {
      PENDING_TIMERS =
          MethodHandles.lookup().findVarHandle(VertxScheduler.class, "pendingTimers", int.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  // A field through a VarHandle, not an AtomicInteger: one object less per connection (B5).
  private volatile int pendingTimers;

  private VertxScheduler(ContextInternal context) {
    this.context = context;
  }

  /**
   * A scheduler on {@code context}.
   *
   * @throws IllegalArgumentException if {@code context} is not an event-loop context (a worker
   *     context may run its tasks on different threads)
   */
  public static VertxScheduler on(Context context) {
    Objects.requireNonNull(context, "context");
    if (!context.isEventLoopContext()) {
      throw new IllegalArgumentException(
          "context must be an event-loop context, was " + context.threadingModel());
    }
    return new VertxScheduler(((ContextInternal) context).unwrap());
  }

  /**
   * A scheduler on a context of {@code vertx}: the caller's context when called on an event-loop
   * thread of {@code vertx}, otherwise a new event-loop context.
   */
  public static VertxScheduler create(Vertx vertx) {
    Objects.requireNonNull(vertx, "vertx");
    Context current = Vertx.currentContext();
    if (current != null && current.owner() == vertx && current.isEventLoopContext()) {
      return on(current);
    }
    return on(vertx.getOrCreateContext());
  }

  /** The context tasks run on. */
  public Context context() {
    return context;
  }

  /** Timers scheduled that have neither run nor been cancelled (for quiescence checks, I4). */
  public int pendingTimers() {
    return pendingTimers;
  }

  @Override
  public long nanoTime() {
    return System.nanoTime();
  }

  @Override
  public void execute(Runnable task) {
    Objects.requireNonNull(task, "task");
    context.runOnContext(v -> runLogged(task));
  }

  @Override
  public Cancellable schedule(Duration delay, Runnable task) {
    Objects.requireNonNull(delay, "delay");
    Objects.requireNonNull(task, "task");
    Timer timer = new Timer(task);
    PENDING_TIMERS.getAndAdd(this, 1);
    timer.id = context.setTimer(toMillis(delay), id -> timer.fire());
    return timer::cancel;
  }

  @Override
  public boolean inContext() {
    return context.inThread();
  }

  @Override
  public String toString() {
    return "VertxScheduler[" + context + "]";
  }

  /** Rounds up so a timer never fires early. */
  private static long toMillis(Duration delay) {
    long nanos = Math.max(0, delay.toNanos());
    long millis = nanos / 1_000_000 + (nanos % 1_000_000 == 0 ? 0 : 1);
    return Math.max(MIN_TIMER_MILLIS, millis);
  }

  private static void runLogged(Runnable task) {
    try {
      task.run();
    } catch (RuntimeException e) {
      log.error("task on Vert.x context threw", e);
    }
  }

  /** One scheduled task: runs at most once, and never after a successful cancel. */
  private final class Timer {
    private static final int PENDING = 0;
    private static final int DONE = 1;

    private final Runnable task;
    private final AtomicInteger state = new AtomicInteger(PENDING);
    private volatile long id;

    Timer(Runnable task) {
      this.task = task;
    }

    void fire() {
      if (state.compareAndSet(PENDING, DONE)) {
        PENDING_TIMERS.getAndAdd(VertxScheduler.this, -1);
        runLogged(task);
      }
    }

    boolean cancel() {
      if (!state.compareAndSet(PENDING, DONE)) {
        return false;
      }
      PENDING_TIMERS.getAndAdd(VertxScheduler.this, -1);
      context.owner().cancelTimer(id);
      return true;
    }
  }
}
