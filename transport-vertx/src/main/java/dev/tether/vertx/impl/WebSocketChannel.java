package dev.tether.vertx.impl;

import dev.tether.machine.Cause;
import dev.tether.runtime.spi.ChannelListener;
import dev.tether.vertx.VertxTransportOptions;
import io.netty.channel.ChannelHandlerContext;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketFrame;
import io.vertx.core.internal.http.WebSocketInternal;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A channel on a client WebSocket: one text message per frame out; text and binary messages in.
 *
 * <p>Thread-safe (see {@link VertxChannel}). It is its socket's frame handler itself (B5: a handler
 * object less per session).
 */
public final class WebSocketChannel extends VertxChannel implements Handler<WebSocketFrame> {
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
  private Buffer fragments; // the message being received in fragments; on the socket's context

  private WebSocketChannel(
      WebSocket ws,
      Vertx vertx,
      ChannelListener listener,
      VertxTransportOptions options,
      Runnable onEnded) {
    super(listener, options, onEnded);
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
    if (!nettyDefaultWaterMark(options.writeQueueHighWaterBytes())) {
      ws.setWriteQueueMaxSize(options.writeQueueHighWaterBytes());
    }
    // Frames, not Vert.x's text messages: a text message would be decoded to a String only to be
    // encoded back to bytes for the listener. Fragments are joined here (see handle()).
    // Every frame, pongs included, counts as heard for the ping heartbeat.
    ws.frameHandler(ch);
    ws.exceptionHandler(ch::failed);
    Handler<Void> ended = v -> ch.endWith(ch.closeCause()); // one for both: whichever fires first
    ws.closeHandler(ended);
    ws.endHandler(ended);
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

  /** Names the channel by its peer's address, looked up only when a message needs it. */
  @Override
  protected String description() {
    return "ws " + ws.remoteAddress();
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
  protected void pauseSocket() {
    ws.pause();
  }

  @Override
  protected void resumeSocket() {
    ws.resume();
  }

  @Override
  protected void closeSocket() {
    cancelPings();
    ws.close().onFailure(t -> log.debug("closing {} failed: {}", this, Errors.describe(t)));
  }

  @Override
  protected ChannelHandlerContext vertxHandler() {
    return ws instanceof WebSocketInternal internal ? internal.channelHandlerContext() : null;
  }

  /** No close frame: it would wait behind the unwritten frames. */
  @Override
  protected void abortSocket() {
    if (ws instanceof WebSocketInternal internal) {
      cancelPings();
      abort(internal.channelHandlerContext());
    } else {
      closeSocket();
    }
  }

  private void cancelPings() {
    long timer = pingTimer;
    if (timer != -1) {
      vertx.cancelTimer(timer);
    }
  }

  /**
   * One WebSocket frame: a whole text or binary message is delivered as its bytes; the fragments of
   * a longer one are joined first, bounded by maxFrameBytes like a whole message.
   */
  @Override
  public void handle(WebSocketFrame frame) {
    heardSincePing = true;
    boolean data = frame.isText() || frame.isBinary();
    if (!data && !frame.isContinuation()) {
      return; // ping, pong, close: Vert.x handles them
    }
    Buffer payload = frame.binaryData();
    if (data && frame.isFinal() && fragments == null) {
      deliver(payload.getBytes()); // the common case: one frame, one message
      return;
    }
    if (fragments == null) {
      fragments = Buffer.buffer(payload.length() * 2);
    }
    if (fragments.length() + payload.length() > maxFrameBytes()) {
      int had = fragments.length();
      fragments = null;
      endWith(
          Cause.of(
              Cause.Kind.FRAME_TOO_LARGE,
              "fragmented message larger than maxFrameBytes "
                  + maxFrameBytes()
                  + " ("
                  + had
                  + " bytes, then a fragment of "
                  + payload.length()
                  + ")"));
      return;
    }
    fragments.appendBuffer(payload);
    if (frame.isFinal()) {
      byte[] message = fragments.getBytes();
      fragments = null;
      deliver(message);
    }
  }

  /** One heartbeat tick: count an unanswered ping, give up after too many, ping again. */
  private void ping() {
    if (ended()) {
      return;
    }
    if (heardSincePing || readingPaused()) {
      // While we do not read, pongs wait unread behind the data: not the peer's silence.
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
    return status == null
        ? Cause.of(Cause.Kind.CHANNEL_CLOSED, detail)
        : Cause.of(Cause.Kind.CHANNEL_CLOSED, detail, new Cause.Detail.CloseCode(status));
  }
}
