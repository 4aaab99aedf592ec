package dev.tether.vertx;

import static dev.tether.vertx.Loopback.WAIT;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tether.machine.Cause;
import dev.tether.machine.LifecycleEvent;
import dev.tether.runtime.Connection;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Write liveness (R5) on real loopback sockets: a peer that accepts and then stops reading lets the
 * client's writes fill the socket buffers; the channel ends with {@code WRITE_TIMEOUT} after the
 * configured timeout, the stuck socket is closed, and at the end nothing is left open.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class WriteTimeoutSocketTest {
  static final Duration WRITE_TIMEOUT = Duration.ofMillis(500);

  /** Large frames, so that few writes fill the kernel's buffers (a few MiB on loopback). */
  static final int FRAME_BYTES = 1 << 20;

  /** Frames written: far more than the socket buffers hold, less than maxOutboundBytes. */
  static final int FRAMES = 24;

  private final Rig rig = new Rig();
  private DeafServer deaf;
  private RawWebSocketServer rawWs;

  @AfterEach
  void tearDown() throws Exception {
    if (deaf != null) {
      deaf.close();
    }
    rig.close();
  }

  @Test
  void tcpPeerThatNeverReadsEndsTheChannelWithWriteTimeout() throws Exception {
    deaf = new DeafServer();
    Rig.Client client = connect(deaf.endpoint());
    List<CompletableFuture<Void>> writes = writeLargeFrames(client);

    assertLostWithWriteTimeout(client, writes);
    Socket stuck = deaf.accepted.get(0);
    assertThat(readsToTheEnd(stuck)).as("the client closed the stuck socket").isTrue();
    closeAndAssertNothingLeft(client);
  }

  @Test
  void webSocketPeerThatStopsReadingEndsTheChannelWithWriteTimeout() throws Exception {
    rawWs = RawWebSocketServer.startNotReading(rig.vertx());
    // The WebSocket close handshake cannot reach a peer that does not read: it gives up after the
    // closing timeout, which follows the connect timeout.
    rig.transport(VertxTransportOptions.builder().connectTimeout(Duration.ofSeconds(1)).build());
    Rig.Client client = connect(rawWs.endpoint());
    List<CompletableFuture<Void>> writes = writeLargeFrames(client);

    assertLostWithWriteTimeout(client, writes);
    closeAndAssertNothingLeft(client);
    rawWs.resumeReading(); // a server that does not read cannot see the client's close
    RecordingListener.awaitTrue(() -> rawWs.openConnections() == 0, "client closed its sockets");
  }

  private Rig.Client connect(URI endpoint) throws InterruptedException {
    Rig.Client client =
        rig.connect(
            endpoint, Loopback.fastPolicy(8), Connection.builder().writeTimeout(WRITE_TIMEOUT));
    client.await(LifecycleEvent.Connected.class);
    return client;
  }

  /** Writes {@link #FRAMES} large frames without waiting for any of them to drain. */
  private static List<CompletableFuture<Void>> writeLargeFrames(Rig.Client client) {
    String frame = "x".repeat(FRAME_BYTES);
    List<CompletableFuture<Void>> writes = new ArrayList<>();
    for (int i = 0; i < FRAMES; i++) {
      writes.add(Loopback.send(client.connection(), client.scheduler(), frame));
    }
    return writes;
  }

  private static void assertLostWithWriteTimeout(
      Rig.Client client, List<CompletableFuture<Void>> writes) throws Exception {
    LifecycleEvent.Reconnecting lost = client.await(LifecycleEvent.Reconnecting.class);
    assertThat(lost.cause().kind()).isEqualTo(Cause.Kind.WRITE_TIMEOUT);
    assertThat(lost.cause().message()).contains("writeTimeout 500 ms");
    // The writes that never drained fail with the channel; none stays pending.
    CompletableFuture.allOf(writes.toArray(new CompletableFuture<?>[0]))
        .handle((ok, err) -> null)
        .get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
    assertThat(writes).anyMatch(CompletableFuture::isCompletedExceptionally);
  }

  private static void closeAndAssertNothingLeft(Rig.Client client) throws Exception {
    client.connection().close();
    client
        .connection()
        .terminated()
        .toCompletableFuture()
        .get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
    assertThat(client.transport().openChannels()).isZero();
    assertThat(client.scheduler().pendingTimers()).isZero();
  }

  /** Reads what the client managed to send until the end of the stream (or a reset). */
  private static boolean readsToTheEnd(Socket socket) throws IOException {
    socket.setSoTimeout((int) WAIT.toMillis());
    InputStream in = socket.getInputStream();
    byte[] buffer = new byte[64 * 1024];
    try {
      while (in.read(buffer) != -1) {
        // discard
      }
    } catch (SocketException reset) {
      assertThat(reset.getMessage()).containsIgnoringCase("reset");
    }
    return true;
  }

  /** A TCP server on 127.0.0.1 that accepts every connection and never reads from any. */
  private static final class DeafServer {
    final ServerSocket server = new ServerSocket();
    final List<Socket> accepted = new CopyOnWriteArrayList<>();
    final Thread acceptor = new Thread(this::acceptAll, "deaf-server");
    volatile IOException acceptFailure;

    DeafServer() throws IOException {
      server.setReceiveBufferSize(64 * 1024); // inherited by accepted sockets: fills fast
      server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
      acceptor.setDaemon(true);
      acceptor.start();
    }

    URI endpoint() {
      return URI.create("tcp://127.0.0.1:" + server.getLocalPort());
    }

    private void acceptAll() {
      try {
        while (true) {
          accepted.add(server.accept());
        }
      } catch (IOException e) {
        if (!server.isClosed()) {
          acceptFailure = e;
        }
      }
    }

    void close() throws IOException, InterruptedException {
      server.close();
      for (Socket s : accepted) {
        s.close();
      }
      acceptor.join(WAIT.toMillis());
      assertThat(acceptFailure).as("accept failed").isNull();
    }
  }
}
