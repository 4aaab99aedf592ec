package dev.tether.vertx.peer;

import dev.tether.peer.PeerClient;
import dev.tether.peer.ProbeResult;
import dev.tether.peer.SendOptions;
import dev.tether.peer.SendOutcome;
import dev.tether.vertx.VertxScheduler;
import dev.tether.vertx.VertxTransport;
import dev.tether.vertx.impl.Endpoint;
import java.net.URI;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;

/**
 * {@link PeerClient} over a {@link VertxTransport}, with its timers on a new {@link VertxScheduler}
 * of the transport's {@code Vertx} and the call started on that context: the convenient way to send
 * or probe from any thread without providing a scheduler.
 *
 * <p>Thread-safe. Each call uses a new {@link VertxScheduler}; the stages complete on its context.
 */
public final class VertxPeerClient {
  private VertxPeerClient() {}

  /**
   * {@link PeerClient#connectAndSend} on a context of the transport's Vert.x.
   *
   * @return completes (never exceptionally, unless the transport is closed) with the outcome
   * @throws IllegalArgumentException if the endpoint is not {@code unix:///path} or {@code
   *     tcp://host:port} (or another scheme {@link VertxTransport} supports)
   */
  public static CompletionStage<SendOutcome> connectAndSend(
      VertxTransport transport, URI endpoint, String message, SendOptions options) {
    Objects.requireNonNull(message, "message");
    Objects.requireNonNull(options, "options");
    VertxScheduler scheduler = schedulerFor(transport, endpoint);
    return onContext(
        scheduler,
        () -> PeerClient.connectAndSend(transport, scheduler, endpoint, message, options));
  }

  /**
   * {@link #probe(VertxTransport, URI, Duration)} with {@link PeerClient#DEFAULT_PROBE_TIMEOUT}.
   */
  public static CompletionStage<ProbeResult> probe(VertxTransport transport, URI endpoint) {
    return probe(transport, endpoint, PeerClient.DEFAULT_PROBE_TIMEOUT);
  }

  /**
   * {@link PeerClient#probe(dev.tether.runtime.spi.Transport, dev.tether.runtime.spi.Scheduler,
   * URI, Duration)} on a context of the transport's Vert.x.
   *
   * @throws IllegalArgumentException if the endpoint's scheme is not supported or {@code timeout}
   *     is not positive
   */
  public static CompletionStage<ProbeResult> probe(
      VertxTransport transport, URI endpoint, Duration timeout) {
    Objects.requireNonNull(timeout, "timeout");
    if (timeout.isZero() || timeout.isNegative()) {
      throw new IllegalArgumentException("timeout must be positive, was " + timeout);
    }
    VertxScheduler scheduler = schedulerFor(transport, endpoint);
    return onContext(scheduler, () -> PeerClient.probe(transport, scheduler, endpoint, timeout));
  }

  /** Checks the endpoint on the caller's thread, so a bad one throws here and not later. */
  private static VertxScheduler schedulerFor(VertxTransport transport, URI endpoint) {
    Objects.requireNonNull(transport, "transport");
    Endpoint.parse(Objects.requireNonNull(endpoint, "endpoint"));
    return VertxScheduler.create(transport.vertx());
  }

  private static <T> CompletionStage<T> onContext(
      VertxScheduler scheduler, Supplier<CompletionStage<T>> call) {
    CompletableFuture<T> result = new CompletableFuture<>();
    scheduler.execute(
        () -> {
          try {
            call.get()
                .whenComplete(
                    (value, err) -> {
                      if (err == null) {
                        result.complete(value);
                      } else {
                        result.completeExceptionally(err);
                      }
                    });
          } catch (RuntimeException e) {
            result.completeExceptionally(e);
          }
        });
    return result;
  }
}
