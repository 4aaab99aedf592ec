package dev.tether.vertx.peer;

import static dev.tether.vertx.Loopback.WAIT;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.StandardProtocolFamily;
import java.net.URI;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A bare newline-JSON client on plain JDK sockets, independent of Vert.x, for protocol-level
 * checks: a reader thread records each line and the end of the stream. Close it after use.
 */
final class RawLineClient {
  private final SocketChannel socket;
  private final LinkedBlockingQueue<String> lines = new LinkedBlockingQueue<>();
  private final CompletableFuture<Void> closed = new CompletableFuture<>();
  private final Thread reader;

  private RawLineClient(SocketChannel socket) {
    this.socket = socket;
    this.reader = new Thread(this::read, "raw-line-client");
    reader.setDaemon(true);
    reader.start();
  }

  /** Connects to a {@code unix://} or {@code tcp://} endpoint. */
  static RawLineClient connect(URI endpoint) throws IOException {
    boolean unix = "unix".equals(endpoint.getScheme());
    SocketAddress address =
        unix
            ? UnixDomainSocketAddress.of(endpoint.getPath())
            : new InetSocketAddress(endpoint.getHost(), endpoint.getPort());
    SocketChannel socket =
        SocketChannel.open(unix ? StandardProtocolFamily.UNIX : StandardProtocolFamily.INET);
    socket.connect(address);
    return new RawLineClient(socket);
  }

  private void read() {
    try (BufferedReader in =
        new BufferedReader(
            new InputStreamReader(Channels.newInputStream(socket), StandardCharsets.UTF_8))) {
      for (String line = in.readLine(); line != null; line = in.readLine()) {
        lines.add(line);
      }
    } catch (IOException e) {
      // the connection ended; recorded below
    } finally {
      closed.complete(null);
    }
  }

  /** Writes {@code text} and a newline. */
  void writeLine(String text) throws IOException {
    ByteBuffer bytes = ByteBuffer.wrap((text + "\n").getBytes(StandardCharsets.UTF_8));
    while (bytes.hasRemaining()) {
      socket.write(bytes);
    }
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

  /** Closes the socket and waits for the reader thread to end. */
  void close() throws IOException, InterruptedException {
    socket.close();
    reader.join(WAIT.toMillis());
  }
}
