package dev.tether.vertx;

import static dev.tether.vertx.Loopback.WAIT;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A misbehaving WebSocket server for tests: it completes the upgrade by hand, optionally late, and
 * then ignores everything it receives (pings included), or stops reading altogether.
 */
final class RawWebSocketServer {
  private static final String WS_GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
  private static final Pattern KEY = Pattern.compile("(?i)Sec-WebSocket-Key:\\s*(\\S+)");

  private final Vertx vertx;
  private final Duration upgradeDelay;
  private final boolean readsAfterUpgrade;
  private final AtomicInteger open = new AtomicInteger();
  private final List<NetSocket> paused = new CopyOnWriteArrayList<>();
  private int port;

  private RawWebSocketServer(Vertx vertx, Duration upgradeDelay, boolean readsAfterUpgrade) {
    this.vertx = vertx;
    this.upgradeDelay = upgradeDelay;
    this.readsAfterUpgrade = readsAfterUpgrade;
  }

  /** Starts a server on 127.0.0.1 answering upgrades after {@code upgradeDelay}. */
  static RawWebSocketServer start(Vertx vertx, Duration upgradeDelay) throws Exception {
    return start(new RawWebSocketServer(vertx, upgradeDelay, true));
  }

  /**
   * Starts a server on 127.0.0.1 that answers upgrades at once and then never reads again (its
   * socket paused), so a client's writes fill the socket buffers and stop draining.
   */
  static RawWebSocketServer startNotReading(Vertx vertx) throws Exception {
    return start(new RawWebSocketServer(vertx, Duration.ZERO, false));
  }

  private static RawWebSocketServer start(RawWebSocketServer s) throws Exception {
    NetServer server = s.vertx.createNetServer().connectHandler(s::accept);
    s.port =
        server
            .listen(0, "127.0.0.1")
            .toCompletionStage()
            .toCompletableFuture()
            .get(WAIT.toMillis(), TimeUnit.MILLISECONDS)
            .actualPort();
    return s;
  }

  URI endpoint() {
    return URI.create("ws://127.0.0.1:" + port + "/");
  }

  /**
   * Reads again on the sockets paused after their upgrade, so that they notice a client's close.
   */
  void resumeReading() {
    paused.forEach(NetSocket::resume);
  }

  /** Client connections not yet closed. */
  int openConnections() {
    return open.get();
  }

  private void accept(NetSocket socket) {
    open.incrementAndGet();
    socket.closeHandler(v -> open.decrementAndGet());
    Buffer request = Buffer.buffer();
    boolean[] answered = {false};
    socket.handler(
        data -> {
          if (answered[0]) {
            return; // read and ignore everything after the upgrade
          }
          request.appendBuffer(data);
          Matcher key = KEY.matcher(request.toString(StandardCharsets.ISO_8859_1));
          if (request.toString(StandardCharsets.ISO_8859_1).contains("\r\n\r\n") && key.find()) {
            answered[0] = true;
            if (!readsAfterUpgrade) {
              socket.pause();
              paused.add(socket);
            }
            String response =
                "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                    + "Sec-WebSocket-Accept: "
                    + accept(key.group(1))
                    + "\r\n\r\n";
            if (upgradeDelay.isZero()) {
              socket.write(response);
            } else {
              vertx.setTimer(upgradeDelay.toMillis(), id -> socket.write(response));
            }
          }
        });
  }

  private static String accept(String key) {
    try {
      byte[] sha1 =
          MessageDigest.getInstance("SHA-1")
              .digest((key + WS_GUID).getBytes(StandardCharsets.ISO_8859_1));
      return Base64.getEncoder().encodeToString(sha1);
    } catch (NoSuchAlgorithmException e) {
      throw new AssertionError(e);
    }
  }
}
