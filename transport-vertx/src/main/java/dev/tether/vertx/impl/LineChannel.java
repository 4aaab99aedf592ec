package dev.tether.vertx.impl;

import dev.tether.machine.Cause;
import dev.tether.runtime.framing.FrameDecoder;
import dev.tether.runtime.framing.FrameSink;
import dev.tether.runtime.framing.Framing;
import dev.tether.runtime.framing.FramingException;
import dev.tether.runtime.spi.ChannelListener;
import dev.tether.vertx.VertxTransportOptions;
import io.netty.channel.ChannelHandlerContext;
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
 * <p>With another {@link VertxTransportOptions#socketFraming()} (such as {@link
 * Framing#contentLength()}) the framing's decoder cuts the frames instead, and a framing error ends
 * the channel with its cause. Frames it decoded from one socket read are delivered even when a
 * pause comes between them, as the channel SPI allows.
 *
 * <p>Thread-safe (see {@link VertxChannel}).
 */
public final class LineChannel extends VertxChannel {
  private static final Logger log = LoggerFactory.getLogger(LineChannel.class);
  private static final byte NEWLINE = '\n';
  private static final byte RETURN = '\r';

  private final NetSocket socket;
  private final String description;
  private RecordParser lines; // line framing: set once in attach, before the socket delivers
  private Framing framing; // any other framing: set once in attach, with its decoder
  private FrameDecoder decoder; // fed on the socket's context only

  private LineChannel(
      NetSocket socket,
      ChannelListener listener,
      VertxTransportOptions options,
      Runnable onEnded,
      String description) {
    super(listener, options, onEnded);
    this.socket = socket;
    this.description = description;
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
    if (options.socketFraming() != Framing.ndjson()) {
      ch.framing = options.socketFraming();
      ch.decoder = ch.framing.newDecoder(options.maxFrameBytes());
      socket.handler(ch::onBytes);
    } else {
      ch.parseLines(options);
    }
    if (!nettyDefaultWaterMark(options.writeQueueHighWaterBytes())) {
      socket.setWriteQueueMaxSize(options.writeQueueHighWaterBytes());
    }
    socket.exceptionHandler(
        t -> ch.endWith(Cause.of(Cause.Kind.CHANNEL_ERROR, Errors.describe(t))));
    socket.closeHandler(v -> ch.endWith(peerClosed()));
    socket.endHandler(v -> ch.endWith(peerClosed()));
    socket.drainHandler(v -> ch.updateWritability());
    return ch;
  }

  /** Line framing: a parser that cuts lines, bounded by {@code maxFrameBytes}. */
  private void parseLines(VertxTransportOptions options) {
    RecordParser lines = RecordParser.newDelimited("\n", this::onLine);
    this.lines = lines;
    lines.maxRecordSize(options.maxFrameBytes());
    lines.exceptionHandler(
        t ->
            endWith(
                Cause.of(
                    Cause.Kind.FRAME_TOO_LARGE,
                    "line longer than maxFrameBytes " + options.maxFrameBytes())));
    socket.handler(lines);
  }

  /** Feeds a read to the framing's decoder (non-line framings). */
  private void onBytes(Buffer bytes) {
    if (ended()) {
      return;
    }
    byte[] chunk = bytes.getBytes();
    try {
      decoder.feed(chunk, 0, chunk.length, frameSink);
    } catch (FramingException e) {
      endWith(e.toCause());
    }
  }

  private final FrameSink frameSink =
      new FrameSink() {
        @Override
        public void frame(byte[] frame) {
          deliver(frame);
        }

        @Override
        public void skipped(String excerpt) {
          log.debug("{}: skipped {}", LineChannel.this, excerpt);
        }
      };

  @Override
  protected String description() {
    return description;
  }

  @Override
  protected String invalidFrame(byte[] frame) {
    if (framing != null) {
      return null; // a header framing carries any bytes
    }
    for (byte b : frame) {
      if (b == NEWLINE) {
        return "frame contains a newline, which would split it on a line channel";
      }
    }
    return null;
  }

  @Override
  protected Future<Void> write(byte[] frame) {
    if (framing != null) {
      return socket.write(Buffer.buffer(framing.encode(frame)));
    }
    return socket.write(Buffer.buffer(frame.length + 1).appendBytes(frame).appendByte(NEWLINE));
  }

  @Override
  protected boolean writeQueueFull() {
    return socket.writeQueueFull();
  }

  /** Pauses the parser too: it would otherwise deliver every line left in the last chunk read. */
  @Override
  protected void pauseSocket() {
    if (lines != null) {
      lines.pause();
    }
    socket.pause();
  }

  @Override
  protected void resumeSocket() {
    socket.resume();
    if (lines != null) {
      lines.resume();
    }
  }

  @Override
  protected void closeSocket() {
    socket.close().onFailure(t -> log.debug("closing {} failed: {}", this, Errors.describe(t)));
  }

  @Override
  protected ChannelHandlerContext vertxHandler() {
    return socket instanceof NetSocketInternal internal ? internal.channelHandlerContext() : null;
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
