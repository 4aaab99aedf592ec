package dev.tether.vertx;

import static dev.tether.vertx.Loopback.WAIT;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tether.machine.Cause;
import dev.tether.runtime.spi.Channel;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.Base64;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** WebSocket ping/pong as a heartbeat: a peer that stops answering is detected. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class WebSocketHeartbeatTest {
  private static final Duration PING = Duration.ofMillis(30);
  private static final String WS_GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
  private static final Pattern KEY = Pattern.compile("(?i)Sec-WebSocket-Key:\\s*(\\S+)");

  private final Rig rig = new Rig();

  @AfterEach
  void tearDown() {
    rig.close();
  }

  @Test
  void unansweredPingsEndTheChannelWithHeartbeatMissed() throws Exception {
    URI endpoint = upgradeThenStaySilent();
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
    Thread.sleep(10 * PING.toMillis()); // many ping intervals; the server's pongs keep it alive
    assertThat(listener.closed).isEmpty();
    ch.close();
  }

  private static VertxTransportOptions pinging() {
    return VertxTransportOptions.builder().webSocketPingInterval(PING).build();
  }

  /** A server that completes the WebSocket upgrade by hand and then ignores everything. */
  private URI upgradeThenStaySilent() throws Exception {
    NetServer server =
        rig.vertx()
            .createNetServer()
            .connectHandler(
                socket -> {
                  Buffer request = Buffer.buffer();
                  boolean[] upgraded = {false};
                  socket.handler(
                      data -> {
                        if (!upgraded[0]) {
                          request.appendBuffer(data);
                          upgraded[0] =
                              answerUpgrade(socket, request.toString(StandardCharsets.ISO_8859_1));
                        } // afterwards: read and ignore everything, pings included
                      });
                });
    int port = await(server.listen(0, "127.0.0.1")).actualPort();
    return URI.create("ws://127.0.0.1:" + port + "/");
  }

  /** Answers the upgrade once the request header is complete; returns whether it did. */
  private static boolean answerUpgrade(NetSocket socket, String request) {
    Matcher key = KEY.matcher(request);
    if (!request.contains("\r\n\r\n") || !key.find()) {
      return false; // header not complete yet
    }
    socket.write(
        "HTTP/1.1 101 Switching Protocols\r\n"
            + "Upgrade: websocket\r\n"
            + "Connection: Upgrade\r\n"
            + "Sec-WebSocket-Accept: "
            + accept(key.group(1))
            + "\r\n\r\n");
    return true;
  }

  private static String accept(String key) {
    try {
      byte[] sha1 =
          MessageDigest.getInstance("SHA-1")
              .digest((key + WS_GUID).getBytes(StandardCharsets.ISO_8859_1));
      return Base64.getEncoder().encodeToString(sha1);
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new AssertionError(e);
    }
  }

  private static <T> T await(Future<T> f) throws Exception {
    return f.toCompletionStage().toCompletableFuture().get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
  }
}
