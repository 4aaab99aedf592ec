package dev.tether.vertx;

import static dev.tether.vertx.Loopback.WAIT;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tether.machine.BackoffPolicy;
import dev.tether.machine.Cause;
import dev.tether.machine.LifecycleEvent;
import dev.tether.runtime.LifecycleQueue;
import dev.tether.vertx.testserver.VmServiceServer;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The whole connection lifecycle over real loopback sockets against {@link VmServiceServer}: a
 * plain {@link Connection} on {@link VertxTransport} and {@link VertxScheduler} connects, exchanges
 * frames, goes Reconnecting when the server stops, Reconnected when it restarts on the same
 * address, and PermanentlyDisconnected within the policy's bound when it stops for good; then
 * nothing (I4).
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class VertxTransportLifecycleTest {
  @TempDir Path tmp;

  private final Rig rig = new Rig();
  private VmServiceServer server;

  @AfterEach
  void tearDown() throws Exception {
    if (server != null) {
      server.close();
    }
    rig.close();
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"ws", "tcp", "unix"})
  void reconnectsAfterRestartAndEndsQuietlyWhenServerStaysDown(String kind) throws Exception {
    server = server(kind);
    URI endpoint = server.start().toCompletableFuture().get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
    BackoffPolicy policy = Loopback.fastPolicy(8);
    Rig.Client client = rig.connect(endpoint, policy);
    LifecycleQueue events = client.events();

    assertThat(Loopback.next(events)).isInstanceOf(LifecycleEvent.Connecting.class);
    assertThat(Loopback.next(events)).isInstanceOf(LifecycleEvent.Connected.class);
    exchangeFrames(client, 1);

    server.stop().toCompletableFuture().get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
    LifecycleEvent lost = Loopback.next(events);
    assertThat(lost).isInstanceOf(LifecycleEvent.Reconnecting.class);
    assertThat(((LifecycleEvent.Reconnecting) lost).attempt()).isEqualTo(1);
    // The server closes each client connection in an orderly way (a close frame, a FIN) while the
    // client writes nothing: the peer closed it, never an I/O error.
    assertThat(((LifecycleEvent.Reconnecting) lost).cause().kind())
        .isEqualTo(Cause.Kind.CHANNEL_CLOSED);

    server.start().toCompletableFuture().get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
    client.await(LifecycleEvent.Reconnected.class);
    exchangeFrames(client, 2);

    server.stop().toCompletableFuture().get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
    client.assertEndsQuietly(policy);
  }

  @Test
  void lateChannelsAfterTheConnectTimeoutAreClosedAndTheConnectionEnds() throws Exception {
    RawWebSocketServer slow = RawWebSocketServer.start(rig.vertx(), Duration.ofMillis(400));
    rig.transport(VertxTransportOptions.builder().connectTimeout(Duration.ofSeconds(1)).build());
    BackoffPolicy policy =
        BackoffPolicy.builder()
            .exponential(Duration.ofMillis(20), 2.0, Duration.ofMillis(50))
            .maxAttempts(2)
            .connectTimeout(Duration.ofMillis(150))
            .build();
    Rig.Client client = rig.connect(slow.endpoint(), policy);

    LifecycleEvent.PermanentlyDisconnected end =
        client.await(LifecycleEvent.PermanentlyDisconnected.class);
    assertThat(end.cause().kind()).isEqualTo(Cause.Kind.CONNECT_TIMEOUT);
    // The upgrades complete later; the abandoned channels are closed at once (I5, I4).
    RecordingListener.awaitTrue(() -> slow.openConnections() == 0, "abandoned sockets closed");
    assertThat(client.transport().openChannels()).isZero();
    assertThat(client.scheduler().pendingTimers()).isZero();
  }

  /** A request and a stream subscription on the current channel; answers and events come back. */
  private static void exchangeFrames(Rig.Client client, int id) throws Exception {
    Loopback.Frames frames = client.frames();
    frames.clear();
    client.send("{\"jsonrpc\":\"2.0\",\"id\":" + id + ",\"method\":\"getVersion\"}");
    String reply = frames.awaitContaining("\"id\":" + id);
    assertThat(reply).contains("\"type\":\"Version\"");
    client.send(
        "{\"jsonrpc\":\"2.0\",\"id\":"
            + (100 + id)
            + ",\"method\":\"streamListen\",\"params\":{\"streamId\":\"Tick\"}}");
    assertThat(frames.awaitContaining("\"id\":" + (100 + id))).contains("Success");
    assertThat(frames.awaitContaining("streamNotify")).contains("\"streamId\":\"Tick\"");
  }

  private VmServiceServer server(String kind) throws Exception {
    VmServiceServer.Builder b =
        VmServiceServer.builder(rig.vertx()).eventInterval(Duration.ofMillis(10));
    switch (kind) {
      case "ws" -> b.webSocket("/ws");
      case "tcp" -> b.tcp();
      case "unix" -> b.unix(Files.createDirectories(tmp).resolve("vm.sock"));
      default -> throw new IllegalArgumentException(kind);
    }
    return b.build();
  }
}
