package dev.tether.cli;

import static dev.tether.cli.CliRun.WAIT;

import dev.tether.vertx.testserver.VmServiceServer;
import io.vertx.core.Vertx;
import java.net.URI;
import java.time.Duration;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.UnaryOperator;

/**
 * An in-process {@link VmServiceServer} on 127.0.0.1 and its own Vert.x instance, for one test;
 * {@link #close()} stops it and closes the Vert.x instance (bounded).
 */
final class TestServer implements AutoCloseable {
  /** Fast events, so that tests see several per step without waiting long. */
  static final Duration EVENT_INTERVAL = Duration.ofMillis(20);

  private final Vertx vertx = Vertx.vertx();
  private final VmServiceServer server;
  private final URI endpoint;

  private TestServer(UnaryOperator<VmServiceServer.Builder> configure) throws Exception {
    server = configure.apply(VmServiceServer.builder(vertx).eventInterval(EVENT_INTERVAL)).build();
    endpoint = await(server.start());
  }

  /** A WebSocket server on {@code /ws}. */
  static TestServer webSocket() throws Exception {
    return new TestServer(b -> b.webSocket("/ws"));
  }

  /** A newline-delimited TCP server. */
  static TestServer tcp() throws Exception {
    return new TestServer(VmServiceServer.Builder::tcp);
  }

  String endpoint() {
    return endpoint.toString();
  }

  Vertx vertx() {
    return vertx;
  }

  void stop() throws Exception {
    await(server.stop());
  }

  /** Listens again on the same port. */
  void start() throws Exception {
    await(server.start());
  }

  @Override
  public void close() throws ExecutionException, TimeoutException {
    server.close(); // bounded; logs and carries on if stopping fails
    try {
      vertx
          .close()
          .toCompletionStage()
          .toCompletableFuture()
          .get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted while closing Vert.x", e);
    }
  }

  static <T> T await(CompletionStage<T> stage) throws Exception {
    return stage.toCompletableFuture().get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
  }
}
