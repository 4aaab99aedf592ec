package dev.tether.vertx.impl;

import dev.tether.machine.Cause;
import dev.tether.runtime.spi.ChannelListener;
import dev.tether.vertx.VertxTransportOptions;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.internal.net.NetSocketInternal;
import io.vertx.core.net.NetSocket;
import io.vertx.core.parsetools.RecordParser;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A channel on a TCP or Unix-domain socket carrying one frame per line ({@code \n}-terminated; a
 * trailing {@code \r} is dropped, blank lines are skipped). A line longer than {@link
 * VertxTransportOptions#maxFrameBytes()} ends the channel with {@link Cause.Kind#FRAME_TOO_LARGE}
 * as soon as it is detected, without buffering the rest of it (invariant R1).
 *
 * <p>Thread-safe (see {@link VertxChannel}).
 */
public final class LineChannel extends VertxChannel {
  private static final Logger log = LoggerFactory.getLogger(LineChannel.class);
  private static final byte NEWLINE = '\n';
  private static final byte RETURN = '\r';

  private final NetSocket socket;
  private RecordParser lines; // set once in attach, before the socket delivers anything

  private LineChannel(
      NetSocket socket,
      ChannelListener listener,
      VertxTransportOptions options,
      Runnable onEnded,
      String description) {
    super(listener, options, onEnded, description);
    this.socket = socket;
  }

  /**
   * Wraps {@code socket} and attaches its handlers. Call on the socket's context, before it
   * delivers anything.
   */
  public static LineChannel attach(
      NetSocket socket,
      ChannelListener listener,
      VertxTransportOptions options,
      Runnable onEnded,
      String description) {
    LineChannel ch = new LineChannel(socket, listener, options, onEnded, description);
    RecordParser lines = RecordParser.newDelimited("\n", ch::onLine);
    ch.lines = lines;
    lines.maxRecordSize(options.maxFrameBytes());
    lines.exceptionHandler(
        t ->
            ch.endWith(
                Cause.of(
                    Cause.Kind.FRAME_TOO_LARGE,
                    "line longer than maxFrameBytes " + options.maxFrameBytes())));
    socket.setWriteQueueMaxSize(options.writeQueueHighWaterBytes());
    if (socket instanceof NetSocketInternal internal) {
      coalesceFlushes(internal.channelHandlerContext());
    }
    socket.handler(lines);
    socket.exceptionHandler(
        t -> ch.endWith(Cause.of(Cause.Kind.CHANNEL_ERROR, Errors.describe(t))));
    socket.closeHandler(v -> ch.endWith(peerClosed()));
    socket.endHandler(v -> ch.endWith(peerClosed()));
    socket.drainHandler(v -> ch.updateWritability());
    return ch;
  }

  @Override
  protected String invalidFrame(byte[] frame) {
    for (byte b : frame) {
      if (b == NEWLINE) {
        return "frame contains a newline, which would split it on a line channel";
      }
    }
    return null;
  }

  @Override
  protected Future<Void> write(byte[] frame) {
    return socket.write(Buffer.buffer(frame.length + 1).appendBytes(frame).appendByte(NEWLINE));
  }

  @Override
  protected boolean writeQueueFull() {
    return socket.writeQueueFull();
  }

  /** Pauses the parser too: it would otherwise deliver every line left in the last chunk read. */
  @Override
  protected void pauseSocket() {
    lines.pause();
    socket.pause();
  }

  @Override
  protected void resumeSocket() {
    socket.resume();
    lines.resume();
  }

  @Override
  protected void closeSocket() {
    socket.close().onFailure(t -> log.debug("closing {} failed: {}", this, Errors.describe(t)));
  }

  @Override
  protected void abortSocket() {
    if (socket instanceof NetSocketInternal internal) {
      abort(internal.channelHandlerContext());
    } else {
      closeSocket();
    }
  }

  private void onLine(Buffer line) {
    int length = line.length();
    if (length > 0 && line.getByte(length - 1) == RETURN) {
      length--;
    }
    if (length > 0) {
      deliver(line.getBytes(0, length));
    }
  }

  private static Cause peerClosed() {
    return Cause.of(Cause.Kind.CHANNEL_CLOSED, "connection closed by peer");
  }
}
