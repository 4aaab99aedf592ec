package dev.tether.vertx.impl;

import dev.tether.machine.Cause;
import dev.tether.runtime.spi.ChannelListener;
import dev.tether.vertx.VertxTransportOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A channel on a client WebSocket: one text message per frame out; text and binary messages in.
 *
 * <p>Thread-safe (see {@link VertxChannel}).
 */
public final class WebSocketChannel extends VertxChannel {
  private static final Logger log = LoggerFactory.getLogger(WebSocketChannel.class);

  /** WebSocket close status for a message larger than the receiver accepts (RFC 6455, 7.4.1). */
  private static final short STATUS_MESSAGE_TOO_BIG = 1009;

  /** Payload of our pings, so a packet capture shows who is asking. */
  private static final Buffer PING_PAYLOAD = Buffer.buffer("tether");

  private final WebSocket ws;
  private final Vertx vertx;
  private final Duration pingInterval;
  private volatile long pingTimer = -1;
  private volatile boolean heardSincePing = true;
  private int missedPongs; // only touched by the ping timer, on the socket's context

  private WebSocketChannel(
      WebSocket ws,
      Vertx vertx,
      ChannelListener listener,
      VertxTransportOptions options,
      Runnable onEnded) {
    super(listener, options, onEnded, "ws " + ws.remoteAddress());
    this.ws = ws;
    this.vertx = vertx;
    this.pingInterval = options.webSocketPingInterval();
  }

  /**
   * Wraps {@code ws} and attaches its handlers. Call on the socket's context, before it delivers
   * anything; the ping timer (if configured) runs there too.
   */
  public static WebSocketChannel attach(
      WebSocket ws,
      Vertx vertx,
      ChannelListener listener,
      VertxTransportOptions options,
      Runnable onEnded) {
    WebSocketChannel ch = new WebSocketChannel(ws, vertx, listener, options, onEnded);
    ws.setWriteQueueMaxSize(options.writeQueueHighWaterBytes());
    ws.textMessageHandler(text -> ch.heard(text.getBytes(StandardCharsets.UTF_8)));
    ws.binaryMessageHandler(data -> ch.heard(data.getBytes()));
    ws.pongHandler(data -> ch.heardSincePing = true);
    ws.exceptionHandler(ch::failed);
    ws.closeHandler(v -> ch.endWith(ch.closeCause()));
    ws.endHandler(v -> ch.endWith(ch.closeCause()));
    ws.drainHandler(v -> ch.updateWritability());
    if (!ch.pingInterval.isZero()) {
      // Set before the isClosed check below so that an early end also cancels it.
      ch.pingTimer = vertx.setPeriodic(ch.pingInterval.toMillis(), id -> ch.ping());
    }
    if (ws.isClosed()) {
      ch.endWith(ch.closeCause());
    }
    return ch;
  }

  @Override
  protected Future<Void> write(byte[] frame) {
    return ws.writeTextMessage(new String(frame, StandardCharsets.UTF_8));
  }

  @Override
  protected boolean writeQueueFull() {
    return ws.writeQueueFull();
  }

  @Override
  protected void closeSocket() {
    long timer = pingTimer;
    if (timer != -1) {
      vertx.cancelTimer(timer);
    }
    ws.close().onFailure(t -> log.debug("closing {} failed: {}", this, Errors.describe(t)));
  }

  private void heard(byte[] frame) {
    heardSincePing = true;
    deliver(frame);
  }

  /** One heartbeat tick: count an unanswered ping, give up after too many, ping again. */
  private void ping() {
    if (ended()) {
      return;
    }
    if (heardSincePing) {
      missedPongs = 0;
    } else if (++missedPongs >= VertxTransportOptions.MAX_MISSED_PONGS) {
      endWith(
          Cause.of(
              Cause.Kind.HEARTBEAT_MISSED,
              "no answer to "
                  + missedPongs
                  + " WebSocket pings sent every "
                  + pingInterval.toMillis()
                  + " ms"));
      return;
    }
    heardSincePing = false;
    ws.writePing(PING_PAYLOAD)
        .onFailure(t -> log.debug("ping on {} failed: {}", this, Errors.describe(t)));
  }

  private void failed(Throwable t) {
    String msg = Errors.describe(t);
    if (Errors.frameTooLarge(t)) {
      endWith(
          Cause.of(
              Cause.Kind.FRAME_TOO_LARGE, "message larger than maxFrameBytes " + maxFrameBytes()));
    } else {
      endWith(Cause.of(Cause.Kind.CHANNEL_ERROR, msg));
    }
  }

  private Cause closeCause() {
    Short status = ws.closeStatusCode();
    String reason = ws.closeReason();
    if (status != null && status == STATUS_MESSAGE_TOO_BIG) {
      return Cause.of(
          Cause.Kind.FRAME_TOO_LARGE,
          "message larger than maxFrameBytes " + maxFrameBytes() + " (close status 1009)");
    }
    String detail =
        status == null
            ? "connection closed by peer"
            : "closed by peer with status "
                + status
                + (reason == null || reason.isEmpty() ? "" : " (" + reason + ")");
    return Cause.of(Cause.Kind.CHANNEL_CLOSED, detail);
  }
}
