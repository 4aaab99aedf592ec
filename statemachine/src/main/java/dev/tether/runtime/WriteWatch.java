package dev.tether.runtime;

import dev.tether.machine.Cause;
import dev.tether.runtime.spi.Channel;
import dev.tether.runtime.spi.Scheduler;
import java.time.Duration;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Future;
import java.util.function.Consumer;

/**
 * Write liveness (R5): the channel as the connection's layers see it, ended with {@link
 * Cause.Kind#WRITE_TIMEOUT} when what was handed to it does not drain within the write timeout. A
 * half-open socket whose peer stopped reading is otherwise invisible to a busy writer: its writes
 * just queue.
 *
 * <p>A frame has drained when the stage {@link Channel#send} returned completes, and a channel's
 * sends complete in order, so the latest send stands for every one before it. The first send after
 * a quiet spell arms one timer, watching that send. When the timer fires, either the watched send
 * is still pending (it has waited a whole timeout: the channel ends), or it has drained and the
 * timer is armed again for the latest send if that one is still pending, or lapses. So a write
 * stuck for the timeout is noticed within twice the timeout, a channel whose writes keep draining
 * is never ended, and a channel with nothing pending holds no timer once the one watching its last
 * send has lapsed. Per send this costs a field write and a null check, no allocation (B2 in
 * BENCHMARKS.md).
 *
 * <p>Confined to the connection's context, like the channel it wraps.
 */
final class WriteWatch implements Channel {
  private final Channel channel;
  private final Scheduler scheduler;
  private final Duration timeout;
  private final Consumer<Cause> onStuck;
  private CompletionStage<Void> latest; // the stage the last send returned
  private Future<?> watched; // the send the timer watches
  private Scheduler.Cancellable timer; // live only while a watched send may still be pending
  private boolean stopped;

  /**
   * @param channel the channel to watch
   * @param scheduler the connection's context, which runs the timer
   * @param timeout how long a frame handed to {@link #send} may take to drain; positive
   * @param onStuck told once, on the context, when a write has not drained in time
   */
  WriteWatch(Channel channel, Scheduler scheduler, Duration timeout, Consumer<Cause> onStuck) {
    this.channel = channel;
    this.scheduler = scheduler;
    this.timeout = timeout;
    this.onStuck = onStuck;
  }

  @Override
  public CompletionStage<Void> send(byte[] frame) {
    CompletionStage<Void> sent = channel.send(frame);
    latest = sent;
    if (timer == null) {
      watchIfPending(sent);
    }
    return sent;
  }

  @Override
  public boolean writable() {
    return channel.writable();
  }

  @Override
  public void close() {
    stop();
    channel.close();
  }

  // Read flow control passes straight through: a wrapper that kept the SPI's no-op defaults would
  // silently disable read backpressure (R4) for whoever pauses through it.
  @Override
  public void pauseReading() {
    channel.pauseReading();
  }

  @Override
  public void resumeReading() {
    channel.resumeReading();
  }

  // Likewise the release (P5): the default would say "released" while a child still runs.
  @Override
  public CompletionStage<Void> released() {
    return channel.released();
  }

  /** Stops watching: the channel has ended. Idempotent. */
  void stop() {
    stopped = true;
    if (timer != null) {
      timer.cancel();
      timer = null;
    }
  }

  @Override
  public String toString() {
    return channel.toString();
  }

  private void watchIfPending(CompletionStage<Void> sent) {
    Future<?> f = pollable(sent);
    if (!stopped && !f.isDone()) {
      watched = f;
      timer = scheduler.schedule(timeout, this::check);
    }
  }

  private void check() {
    timer = null;
    if (stopped) {
      return;
    }
    if (!watched.isDone()) {
      stop();
      onStuck.accept(
          Cause.of(
              Cause.Kind.WRITE_TIMEOUT,
              "bytes handed to the channel did not drain within writeTimeout "
                  + timeout.toMillis()
                  + " ms (the peer stopped reading, or the path to it is dead)"));
      return;
    }
    watched = null;
    watchIfPending(latest);
  }

  /**
   * The stage as a future whose completion can be polled: itself for the usual {@code
   * CompletableFuture} (no allocation), else the copy every JDK stage can make (a minimal stage's
   * own {@code isDone()} throws).
   */
  private static Future<?> pollable(CompletionStage<Void> stage) {
    Future<?> f = Stages.readable(stage);
    return f != null ? f : stage.toCompletableFuture();
  }
}
