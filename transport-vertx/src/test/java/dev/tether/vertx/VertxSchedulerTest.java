package dev.tether.vertx;

import static dev.tether.vertx.Loopback.WAIT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tether.runtime.spi.Scheduler;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.internal.VertxInternal;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class VertxSchedulerTest {
  private Vertx vertx;
  private VertxScheduler scheduler;

  @BeforeEach
  void setUp() {
    vertx = Vertx.vertx();
    scheduler = VertxScheduler.create(vertx);
  }

  @AfterEach
  void tearDown() throws Exception {
    Loopback.close(vertx);
  }

  @Test
  void executeRunsOnTheContextNeverInline() throws Exception {
    assertThat(scheduler.inContext()).isFalse();
    CompletableFuture<Boolean> ranInline = new CompletableFuture<>();
    CompletableFuture<Boolean> inContext = new CompletableFuture<>();
    scheduler.execute(
        () -> {
          AtomicBoolean returned = new AtomicBoolean();
          scheduler.execute(() -> ranInline.complete(!returned.get()));
          returned.set(true);
          inContext.complete(scheduler.inContext());
        });
    assertThat(inContext.get(WAIT.toMillis(), TimeUnit.MILLISECONDS)).isTrue();
    assertThat(ranInline.get(WAIT.toMillis(), TimeUnit.MILLISECONDS)).isFalse();
  }

  @Test
  void timerFiresOnTheContextNotBeforeItsDelay() throws Exception {
    long start = System.nanoTime();
    CompletableFuture<Long> fired = new CompletableFuture<>();
    scheduler.schedule(
        Duration.ofMillis(30),
        () -> fired.complete(scheduler.inContext() ? System.nanoTime() - start : -1));
    assertThat(scheduler.pendingTimers()).isEqualTo(1);
    long elapsed = fired.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
    assertThat(elapsed).isGreaterThanOrEqualTo(Duration.ofMillis(30).toNanos());
    assertThat(scheduler.pendingTimers()).isZero();
  }

  @Test
  void cancelledTimerNeverRuns() throws Exception {
    AtomicBoolean ran = new AtomicBoolean();
    Scheduler.Cancellable c = scheduler.schedule(Duration.ofMillis(20), () -> ran.set(true));
    assertThat(c.cancel()).isTrue();
    assertThat(c.cancel()).isFalse();
    assertThat(scheduler.pendingTimers()).isZero();
    CompletableFuture<Void> later = new CompletableFuture<>();
    scheduler.schedule(Duration.ofMillis(60), () -> later.complete(null));
    later.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
    assertThat(ran).isFalse();
  }

  @Test
  void zeroDelayStillRunsLater() throws Exception {
    CompletableFuture<Void> fired = new CompletableFuture<>();
    scheduler.schedule(Duration.ZERO, () -> fired.complete(null));
    fired.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
  }

  @Test
  void workerContextIsRejected() {
    Context worker = ((VertxInternal) vertx).createWorkerContext();
    assertThatThrownBy(() -> VertxScheduler.on(worker))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("event-loop");
  }
}
