package dev.tether.vertx.peer;

import static dev.tether.vertx.Loopback.WAIT;
import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Vertx;
import io.vertx.core.net.NetSocket;
import io.vertx.core.net.SocketAddress;
import io.vertx.core.parsetools.RecordParser;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/** A bare newline-JSON client for protocol-level checks: records lines and the close. */
final class RawLineClient {
  private final NetSocket socket;
  private final LinkedBlockingQueue<String> lines = new LinkedBlockingQueue<>();
  private final CompletableFuture<Void> closed = new CompletableFuture<>();

  private RawLineClient(NetSocket socket) {
    this.socket = socket;
  }

  /**
   * Connects from a Vert.x context and attaches the handlers in the connect callback, on the
   * socket's event loop, so no line can arrive before them.
   */
  static RawLineClient connect(Vertx vertx, SocketAddress address) throws Exception {
    CompletableFuture<RawLineClient> connected = new CompletableFuture<>();
    vertx
        .getOrCreateContext()
        .runOnContext(
            v ->
                vertx
                    .createNetClient()
                    .connect(address)
                    .onComplete(
                        (socket, err) -> {
                          if (err != null) {
                            connected.completeExceptionally(err);
                            return;
                          }
                          RawLineClient client = new RawLineClient(socket);
                          socket.handler(
                              RecordParser.newDelimited(
                                  "\n",
                                  line -> client.lines.add(line.toString(StandardCharsets.UTF_8))));
                          socket.closeHandler(x -> client.closed.complete(null));
                          connected.complete(client);
                        }));
    return connected.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** Writes {@code text} and a newline, waiting until written. */
  void writeLine(String text) throws Exception {
    socket
        .write(text + "\n")
        .toCompletionStage()
        .toCompletableFuture()
        .get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
  }

  /**
   * The next line, failing the test if none arrives within {@link dev.tether.vertx.Loopback#WAIT}.
   */
  String nextLine() throws InterruptedException {
    String line = lines.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS);
    assertThat(line).as("a line within %s", WAIT).isNotNull();
    return line;
  }

  /** Waits until the server closed the connection. */
  void awaitClosed() throws Exception {
    closed.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
  }
}
