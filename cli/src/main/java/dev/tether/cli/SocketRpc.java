package dev.tether.cli;

import dev.tether.process.ProcessEndpoint;
import dev.tether.process.ProcessTransport;
import dev.tether.process.ProcessTransportOptions;
import dev.tether.rpc.RpcConnection;
import dev.tether.rpc.RpcConnectionBuilder;
import dev.tether.runtime.spi.EndpointResolver;
import dev.tether.runtime.spi.Transport;
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
 * A JSON-RPC connection over real sockets, an {@link RpcConnection} on a {@link VertxTransport} and
 * its own Vert.x event-loop context, or to a child process on a {@link ProcessTransport} (and the
 * connection's own thread). {@link #close()} closes the connection, waits (bounded) for it to
 * terminate and releases the transport, and the {@link Vertx} instance if this object created it,
 * so that the JVM can exit; for a child, it also waits (bounded) until no child is left.
 */
final class SocketRpc implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(SocketRpc.class);

  /**
   * Bound on each step of {@link #close()}: terminating is immediate on a healthy context and
   * closing Vert.x takes milliseconds; beyond this something is stuck and we give up loudly.
   */
  static final Duration CLOSE_WAIT = Duration.ofSeconds(5);

  private final Vertx vertx; // null for a child process
  private final boolean ownsVertx;
  private final AutoCloseable transport; // VertxTransport or ProcessTransport: neither throws
  private final RpcConnection rpc;

  private SocketRpc(Vertx vertx, boolean ownsVertx, AutoCloseable transport, RpcConnection rpc) {
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
    return open(EndpointResolver.fixed(endpoint), options, configure);
  }

  /** As {@link #open(URI, VertxTransportOptions, Consumer)}, resolving before every attempt. */
  static SocketRpc open(
      EndpointResolver endpoint,
      VertxTransportOptions options,
      Consumer<RpcConnectionBuilder> configure) {
    Vertx vertx = Vertx.vertx();
    try {
      VertxTransport transport = VertxTransport.create(vertx, options);
      RpcConnection rpc =
          build(
              transport,
              endpoint,
              b -> configure.accept(b.scheduler(VertxScheduler.create(vertx))));
      return new SocketRpc(vertx, true, transport, rpc);
    } catch (RuntimeException e) {
      closeVertx(vertx);
      throw e;
    }
  }

  /**
   * A connection to the child process {@code command}, not yet started, on the connection's own
   * thread; every (re)connect starts the command anew.
   */
  static SocketRpc exec(
      ProcessEndpoint command,
      ProcessTransportOptions options,
      Consumer<RpcConnectionBuilder> configure) {
    ProcessTransport transport = ProcessTransport.create(command, options);
    return new SocketRpc(
        null,
        false,
        transport,
        build(transport, EndpointResolver.fixed(transport.uri()), configure));
  }

  private static RpcConnection build(
      Transport transport, EndpointResolver endpoint, Consumer<RpcConnectionBuilder> configure) {
    RpcConnectionBuilder b = RpcConnection.builder();
    configure.accept(b);
    return b.transport(transport).endpointResolver(endpoint).build();
  }

  /** Like {@link #open} but on the caller's {@code vertx}, which {@link #close()} leaves open. */
  static SocketRpc using(
      Vertx vertx,
      URI endpoint,
      VertxTransportOptions options,
      Consumer<RpcConnectionBuilder> configure) {
    VertxTransport transport = VertxTransport.create(vertx, options);
    RpcConnection rpc =
        build(
            transport,
            EndpointResolver.fixed(endpoint),
            b -> configure.accept(b.scheduler(VertxScheduler.create(vertx))));
    return new SocketRpc(vertx, false, transport, rpc);
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
    try {
      transport.close();
    } catch (Exception e) {
      throw new IllegalStateException("neither transport throws on close", e);
    }
    if (ownsVertx) {
      closeVertx(vertx);
    }
    if (transport instanceof ProcessTransport) {
      awaitNoChild();
    }
  }

  /**
   * Waits (each wait bounded by {@link #CLOSE_WAIT}) until every child process of this JVM's
   * process transports has exited: the teardown (stdin closed, grace, terminate, kill) runs after
   * the terminal event, and a command line that returns should leave nothing behind (P5).
   */
  static void awaitNoChild() {
    for (ProcessHandle child : ProcessTransport.liveProcesses()) {
      await(child.onExit(), "child process " + child.pid() + " to exit");
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
