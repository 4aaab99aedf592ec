package dev.tether.cli;

import dev.tether.rpc.RpcConnection;
import dev.tether.rpc.RpcConnectionBuilder;
import dev.tether.vertx.VertxScheduler;
import dev.tether.vertx.VertxTransport;
import dev.tether.vertx.VertxTransportOptions;
import io.vertx.core.Vertx;
import java.net.URI;
import java.time.Duration;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A JSON-RPC connection over real sockets: an {@link RpcConnection} on a {@link VertxTransport} and
 * its own Vert.x event-loop context. {@link #close()} closes the connection, waits (bounded) for it
 * to terminate and releases the transport, and the {@link Vertx} instance if this object created
 * it, so that the JVM can exit.
 */
final class SocketRpc implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(SocketRpc.class);

  /**
   * Bound on each step of {@link #close()}: terminating is immediate on a healthy context and
   * closing Vert.x takes milliseconds; beyond this something is stuck and we give up loudly.
   */
  static final Duration CLOSE_WAIT = Duration.ofSeconds(5);

  private final Vertx vertx;
  private final boolean ownsVertx;
  private final VertxTransport transport;
  private final RpcConnection rpc;

  private SocketRpc(Vertx vertx, boolean ownsVertx, VertxTransport transport, RpcConnection rpc) {
    this.vertx = vertx;
    this.ownsVertx = ownsVertx;
    this.transport = transport;
    this.rpc = rpc;
  }

  /**
   * A connection to {@code endpoint}, not yet started, on a new {@link Vertx} that {@link #close()}
   * closes.
   *
   * @param configure sets the dialect, policy, timeouts; transport, scheduler and endpoint are set
   *     here
   */
  static SocketRpc open(
      URI endpoint, VertxTransportOptions options, Consumer<RpcConnectionBuilder> configure) {
    Vertx vertx = Vertx.vertx();
    try {
      return on(vertx, true, endpoint, options, configure);
    } catch (RuntimeException e) {
      closeVertx(vertx);
      throw e;
    }
  }

  /** Like {@link #open} but on the caller's {@code vertx}, which {@link #close()} leaves open. */
  static SocketRpc using(
      Vertx vertx,
      URI endpoint,
      VertxTransportOptions options,
      Consumer<RpcConnectionBuilder> configure) {
    return on(vertx, false, endpoint, options, configure);
  }

  private static SocketRpc on(
      Vertx vertx,
      boolean owns,
      URI endpoint,
      VertxTransportOptions options,
      Consumer<RpcConnectionBuilder> configure) {
    VertxTransport transport = VertxTransport.create(vertx, options);
    RpcConnectionBuilder b = RpcConnection.builder();
    configure.accept(b);
    RpcConnection rpc =
        b.transport(transport).scheduler(VertxScheduler.create(vertx)).endpoint(endpoint).build();
    return new SocketRpc(vertx, owns, transport, rpc);
  }

  /** The connection. */
  RpcConnection rpc() {
    return rpc;
  }

  /**
   * Closes the connection with {@code reason} (no effect if it has terminated already), waits for
   * it to terminate and releases the transport and an owned Vert.x instance; each wait is bounded
   * by {@link #CLOSE_WAIT}. Idempotent.
   */
  void close(String reason) {
    rpc.close(reason);
    await(rpc.terminated(), "the connection to terminate");
    transport.close();
    if (ownsVertx) {
      closeVertx(vertx);
    }
  }

  @Override
  public void close() {
    close("closed by user");
  }

  private static void closeVertx(Vertx vertx) {
    await(vertx.close().toCompletionStage(), "Vert.x to close");
  }

  /** Waits up to {@link #CLOSE_WAIT} for {@code stage}; a failure or timeout is logged. */
  static void await(CompletionStage<?> stage, String what) {
    try {
      stage.toCompletableFuture().get(CLOSE_WAIT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      log.warn("interrupted while waiting for {}", what);
    } catch (ExecutionException | TimeoutException e) {
      log.warn("gave up waiting for {} after {}", what, CLOSE_WAIT, e);
    }
  }
}
