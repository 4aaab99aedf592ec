package dev.tether.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tether.runtime.spi.Scheduler;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The default scheduler: one daemon thread, cancellation that tells the truth, a clean close. */
class ExecutorSchedulerTest {
  static final long WAIT_SECONDS = 10; // bound on waiting for a real condition, never a timing

  final ExecutorScheduler scheduler = ExecutorScheduler.singleThread("tether-test");

  @AfterEach
  void closeScheduler() {
    scheduler.close();
  }

  /** Runs {@code task} on the scheduler and waits for it. */
  <T> T onScheduler(java.util.concurrent.Callable<T> task) throws Exception {
    CompletableFuture<T> result = new CompletableFuture<>();
    scheduler.execute(
        () -> {
          try {
            result.complete(task.call());
          } catch (Exception e) {
            result.completeExceptionally(e);
          }
        });
    return result.get(WAIT_SECONDS, TimeUnit.SECONDS);
  }

  Thread schedulerThread() throws Exception {
    return onScheduler(Thread::currentThread);
  }

  static void await(CountDownLatch latch) throws InterruptedException {
    assertThat(latch.await(WAIT_SECONDS, TimeUnit.SECONDS)).as("latch released in time").isTrue();
  }

  /** A task that says it started, then holds the scheduler's thread until {@code release}. */
  static Runnable blocker(CountDownLatch started, CountDownLatch release) {
    return () -> {
      started.countDown();
      try {
        release.await(WAIT_SECONDS, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    };
  }

  @Test
  void tasksRunOnOneNamedDaemonThread() throws Exception {
    Thread first = schedulerThread();
    Thread second = schedulerThread();
    assertThat(second).isSameAs(first).isNotSameAs(Thread.currentThread());
    assertThat(first.getName()).isEqualTo("tether-test");
    assertThat(first.isDaemon()).as("must not keep the JVM alive").isTrue();
  }

  @Test
  void inContextOnlyOnTheSchedulersThread() throws Exception {
    assertThat(onScheduler(scheduler::inContext)).isTrue();
    assertThat(scheduler.inContext()).isFalse();
    CompletableFuture<Boolean> elsewhere = new CompletableFuture<>();
    Thread other = new Thread(() -> elsewhere.complete(scheduler.inContext()));
    other.start();
    assertThat(elsewhere.get(WAIT_SECONDS, TimeUnit.SECONDS)).isFalse();
  }

  @Test
  void executeNeverRunsInlineAndKeepsSubmissionOrder() throws Exception {
    List<String> order = new CopyOnWriteArrayList<>();
    CountDownLatch done = new CountDownLatch(1);
    scheduler.execute(
        () -> {
          scheduler.execute(
              () -> {
                order.add("inner");
                done.countDown();
              });
          order.add("outer");
        });
    await(done);
    assertThat(order).containsExactly("outer", "inner");
  }

  @Test
  void scheduledTaskWaitsForItsDelay() throws Exception {
    AtomicBoolean ran = new AtomicBoolean();
    Scheduler.Cancellable timer = scheduler.schedule(Duration.ofHours(1), () -> ran.set(true));
    // Later work submitted for now runs first; the timer is not due.
    assertThat(onScheduler(ran::get)).isFalse();
    assertThat(timer.cancel()).isTrue();
  }

  @Test
  void clockAdvancesAtLeastByTheDelayOfATimerThatFired() throws Exception {
    long before = scheduler.nanoTime();
    Duration delay = Duration.ofMillis(5);
    CompletableFuture<Long> firedAt = new CompletableFuture<>();
    scheduler.schedule(delay, () -> firedAt.complete(scheduler.nanoTime()));
    // A lower bound the executor guarantees, not a timing threshold: never before its delay.
    assertThat(firedAt.get(WAIT_SECONDS, TimeUnit.SECONDS) - before)
        .isGreaterThanOrEqualTo(delay.toNanos());
  }

  @Test
  void cancelBeforeRunPreventsTheTaskAndAnswersTrueOnce() throws Exception {
    AtomicBoolean ran = new AtomicBoolean();
    Scheduler.Cancellable timer = scheduler.schedule(Duration.ofHours(1), () -> ran.set(true));
    Thread thread = schedulerThread();
    assertThat(timer.cancel()).isTrue();
    assertThat(timer.cancel()).as("a second cancel prevented nothing").isFalse();
    scheduler.close();
    thread.join(TimeUnit.SECONDS.toMillis(WAIT_SECONDS));
    assertThat(thread.isAlive()).as("a cancelled timer does not hold the thread").isFalse();
    assertThat(ran).isFalse();
  }

  @Test
  void cancelAfterRunAnswersFalse() throws Exception {
    CountDownLatch ran = new CountDownLatch(1);
    Scheduler.Cancellable timer = scheduler.schedule(Duration.ZERO, ran::countDown);
    await(ran);
    schedulerThread(); // the timer's run has returned
    assertThat(timer.cancel()).isFalse();
  }

  /** A ScheduledFuture answers true while its task runs, though cancelling prevented nothing. */
  @Test
  void cancelWhileRunningAnswersFalse() throws Exception {
    CountDownLatch started = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    Scheduler.Cancellable timer = scheduler.schedule(Duration.ZERO, blocker(started, release));
    await(started);
    try {
      assertThat(timer.cancel()).isFalse();
    } finally {
      release.countDown();
    }
  }

  @Test
  void closeRejectsNewTasks() {
    scheduler.close();
    assertThatThrownBy(() -> scheduler.execute(() -> {}))
        .isInstanceOf(RejectedExecutionException.class);
    assertThatThrownBy(() -> scheduler.schedule(Duration.ZERO, () -> {}))
        .isInstanceOf(RejectedExecutionException.class);
  }

  @Test
  void closeRunsWhatIsQueuedThenStopsTheThread() throws Exception {
    Thread thread = schedulerThread();
    CountDownLatch release = new CountDownLatch(1);
    CountDownLatch blocked = new CountDownLatch(1);
    List<String> ran = new CopyOnWriteArrayList<>();
    scheduler.execute(blocker(blocked, release));
    await(blocked);
    scheduler.execute(() -> ran.add("queued"));
    scheduler.schedule(Duration.ofMillis(1), () -> ran.add("timer"));

    scheduler.close();
    release.countDown();

    thread.join(TimeUnit.SECONDS.toMillis(WAIT_SECONDS));
    assertThat(thread.isAlive()).as("thread stopped after close").isFalse();
    assertThat(ran).containsExactly("queued", "timer");
  }
}
