package dev.tether.vertx;

import static dev.tether.vertx.Loopback.WAIT;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tether.machine.Cause;
import dev.tether.runtime.spi.Channel;
import io.vertx.core.Future;
import java.net.URI;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** WebSocket ping/pong as a heartbeat: a peer that stops answering is detected. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class WebSocketHeartbeatTest {
  private static final Duration PING = Duration.ofMillis(30);

  private final Rig rig = new Rig();

  @AfterEach
  void tearDown() {
    rig.close();
  }

  @Test
  void unansweredPingsEndTheChannelWithHeartbeatMissed() throws Exception {
    URI endpoint = RawWebSocketServer.start(rig.vertx(), Duration.ZERO).endpoint();
    VertxTransport transport = rig.transport(pinging());
    RecordingListener listener = new RecordingListener();
    transport
        .open(endpoint, listener)
        .toCompletableFuture()
        .get(WAIT.toMillis(), TimeUnit.MILLISECONDS);

    Cause end = listener.awaitSingleEnd();
    assertThat(end.kind()).isEqualTo(Cause.Kind.HEARTBEAT_MISSED);
    assertThat(end.message()).contains("3 WebSocket pings");
    assertThat(transport.openChannels()).isZero();
  }

  @Test
  void answeredPingsKeepTheChannelOpen() throws Exception {
    int port =
        await(rig.vertx().createHttpServer().webSocketHandler(ws -> {}).listen(0, "127.0.0.1"))
            .actualPort();
    VertxTransport transport = rig.transport(pinging());
    RecordingListener listener = new RecordingListener();
    Channel ch =
        transport
            .open(URI.create("ws://127.0.0.1:" + port + "/"), listener)
            .toCompletableFuture()
            .get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
    // Many ping intervals: the server's pongs keep it alive.
    assertThat(listener.endsWithin(PING.multipliedBy(10))).isFalse();
    ch.close();
  }

  private static VertxTransportOptions pinging() {
    return VertxTransportOptions.builder().webSocketPingInterval(PING).build();
  }

  private static <T> T await(Future<T> f) throws Exception {
    return f.toCompletionStage().toCompletableFuture().get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
  }
}
