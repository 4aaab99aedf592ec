package dev.tether.vertx.impl;

import dev.tether.machine.Cause;
import dev.tether.runtime.spi.ChannelListener;
import dev.tether.vertx.VertxTransportOptions;
import io.vertx.core.Future;
import io.vertx.core.http.WebSocket;
import java.nio.charset.StandardCharsets;
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

  private final WebSocket ws;

  private WebSocketChannel(
      WebSocket ws, ChannelListener listener, VertxTransportOptions options, Runnable onEnded) {
    super(listener, options, onEnded, "ws " + ws.remoteAddress());
    this.ws = ws;
  }

  /**
   * Wraps {@code ws} and attaches its handlers. Call on the socket's context, before it delivers
   * anything.
   */
  public static WebSocketChannel attach(
      WebSocket ws, ChannelListener listener, VertxTransportOptions options, Runnable onEnded) {
    WebSocketChannel ch = new WebSocketChannel(ws, listener, options, onEnded);
    ws.setWriteQueueMaxSize(options.writeQueueHighWaterBytes());
    ws.textMessageHandler(text -> ch.deliver(text.getBytes(StandardCharsets.UTF_8)));
    ws.binaryMessageHandler(data -> ch.deliver(data.getBytes()));
    ws.exceptionHandler(ch::failed);
    ws.closeHandler(v -> ch.endWith(ch.closeCause()));
    ws.endHandler(v -> ch.endWith(ch.closeCause()));
    ws.drainHandler(v -> ch.updateWritability());
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
    ws.close().onFailure(t -> log.debug("closing {} failed: {}", this, Errors.describe(t)));
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
