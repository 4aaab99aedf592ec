package dev.tether.vertx;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tether.machine.BackoffPolicy;
import dev.tether.machine.LifecycleEvent;
import dev.tether.runtime.Connection;
import dev.tether.runtime.FrameListener;
import dev.tether.runtime.LifecycleQueue;
import dev.tether.runtime.spi.Scheduler;
import io.vertx.core.Vertx;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Predicate;

/** Shared fixtures for real-socket tests on loopback: bounded waits, fast policies, probes. */
public final class Loopback {
  /** Upper bound for any single wait in these tests; generous for a loaded 2-core machine. */
  public static final Duration WAIT = Duration.ofSeconds(15);

  /** How long "then nothing" is observed after a terminal event. */
  public static final Duration QUIET = Duration.ofMillis(300);

  private Loopback() {}

  /** Fast exponential backoff (20 ms ×2 up to 200 ms, ±20 %) with {@code maxAttempts}. */
  public static BackoffPolicy fastPolicy(int maxAttempts) {
    return BackoffPolicy.builder()
        .exponential(Duration.ofMillis(20), 2.0, Duration.ofMillis(200))
        .jitter(0.2)
        .maxAttempts(maxAttempts)
        .connectTimeout(Duration.ofSeconds(2))
        .build();
  }

  /**
   * How long an outage may last until PermanentlyDisconnected when every attempt is refused at
   * once: the sum of the largest delays, plus slack for a loaded machine.
   */
  public static Duration terminalBound(BackoffPolicy policy) {
    Duration sum = Duration.ofSeconds(2);
    for (int retry = 1; retry <= policy.maxAttempts(); retry++) {
      sum = sum.plus(policy.maxDelay(retry));
    }
    return sum;
  }

  /** The next lifecycle event, failing the test if none arrives within {@link #WAIT}. */
  public static LifecycleEvent next(LifecycleQueue queue) throws InterruptedException {
    LifecycleEvent e = queue.poll(WAIT);
    assertThat(e).as("a lifecycle event within %s", WAIT).isNotNull();
    return e;
  }

  /**
   * Skips attempt events ({@code Connecting}, {@code Reconnecting}) until an event of {@code type}
   * arrives; any other event fails the test.
   */
  public static <T extends LifecycleEvent> T await(
      LifecycleQueue queue, Class<T> type, Duration within) throws InterruptedException {
    long deadline = System.nanoTime() + within.toNanos();
    List<LifecycleEvent> skipped = new ArrayList<>();
    while (true) {
      long left = deadline - System.nanoTime();
      LifecycleEvent e = left > 0 ? queue.poll(Duration.ofNanos(left)) : null;
      assertThat(e)
          .as("%s within %s; skipped %s", type.getSimpleName(), within, skipped)
          .isNotNull();
      if (type.isInstance(e)) {
        return type.cast(e);
      }
      assertThat(e)
          .as("only attempts may precede %s", type.getSimpleName())
          .isInstanceOfAny(LifecycleEvent.Connecting.class, LifecycleEvent.Reconnecting.class);
      skipped.add(e);
    }
  }

  /** Sends {@code text} on the connection's current channel, from the connection's context. */
  public static CompletableFuture<Void> send(Connection c, Scheduler scheduler, String text) {
    CompletableFuture<Void> sent = new CompletableFuture<>();
    scheduler.execute(
        () ->
            c.currentChannel()
                .ifPresentOrElse(
                    ch ->
                        ch.send(text.getBytes(StandardCharsets.UTF_8))
                            .whenComplete(
                                (ok, err) -> {
                                  if (err == null) {
                                    sent.complete(null);
                                  } else {
                                    sent.completeExceptionally(err);
                                  }
                                }),
                    () -> sent.completeExceptionally(new IllegalStateException("no channel"))));
    return sent;
  }

  /** Closes {@code vertx}, waiting at most {@link #WAIT}. */
  public static void close(Vertx vertx) {
    if (vertx == null) {
      return;
    }
    try {
      vertx
          .close()
          .toCompletionStage()
          .toCompletableFuture()
          .get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (ExecutionException | TimeoutException e) {
      throw new IllegalStateException("closing Vert.x failed", e);
    }
  }

  /** Records inbound frames as text, for bounded waits. Thread-safe. */
  public static final class Frames implements FrameListener {
    private final LinkedBlockingQueue<String> frames = new LinkedBlockingQueue<>();
    private final List<String> history = new CopyOnWriteArrayList<>();

    @Override
    public void onFrame(long epoch, byte[] frame) {
      String text = new String(frame, StandardCharsets.UTF_8);
      history.add(text);
      frames.add(text);
    }

    /** Every frame received so far, including those already awaited or cleared. */
    public List<String> history() {
      return List.copyOf(history);
    }

    /** Waits up to {@link #WAIT} for a frame matching {@code p}, discarding others. */
    public String await(Predicate<String> p, String what) throws InterruptedException {
      long deadline = System.nanoTime() + WAIT.toNanos();
      while (true) {
        long left = deadline - System.nanoTime();
        String f = left > 0 ? frames.poll(left, TimeUnit.NANOSECONDS) : null;
        assertThat(f).as("a frame with %s within %s", what, WAIT).isNotNull();
        if (p.test(f)) {
          return f;
        }
      }
    }

    /** Waits for a frame containing {@code fragment}. */
    public String awaitContaining(String fragment) throws InterruptedException {
      return await(f -> f.contains(fragment), fragment);
    }

    /** Forgets the frames received so far. */
    public void clear() {
      frames.clear();
    }
  }
}
