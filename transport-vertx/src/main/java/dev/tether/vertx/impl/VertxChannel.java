package dev.tether.vertx.impl;

import dev.tether.machine.Cause;
import dev.tether.runtime.spi.Channel;
import dev.tether.runtime.spi.ChannelListener;
import dev.tether.vertx.OutboundBufferFullException;
import dev.tether.vertx.VertxTransportOptions;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.handler.flush.FlushConsolidationHandler;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.internal.ContextInternal;
import java.io.IOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What every Vert.x channel shares: the exactly-once end (inherited from {@link ChannelEnd}), the
 * bounded outbound buffer, and writability reporting. A subclass attaches the Vert.x handlers and
 * routes them to {@link #deliver}, {@link #endWith} and {@link #updateWritability}.
 *
 * <p>Thread-safe: Vert.x calls the handlers on the socket's context while the connection may call
 * {@link #send} and {@link #close} from its own.
 *
 * <p>Its state is held in fields of its own, updated through {@link VarHandle}s, not in atomic
 * objects beside it: each of those was 16–24 B per session in B5 (BENCHMARKS.md).
 */
public abstract class VertxChannel extends ChannelEnd implements Channel {
  private static final Logger log = LoggerFactory.getLogger(VertxChannel.class);
  private static final VarHandle QUEUED_BYTES;
  private static final VarHandle REPORTED_WRITABLE;

  static {
    try {
      MethodHandles.Lookup lookup = MethodHandles.lookup();
      QUEUED_BYTES = lookup.findVarHandle(VertxChannel.class, "queuedBytes", long.class);
      REPORTED_WRITABLE =
          lookup.findVarHandle(VertxChannel.class, "reportedWritable", boolean.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  private final VertxTransportOptions options; // frame and buffer bounds
  private volatile long queuedBytes; // by QUEUED_BYTES
  private volatile boolean reportedWritable = true; // by REPORTED_WRITABLE
  private final ContextInternal readContext; // the socket's, where its reading is paused
  private volatile boolean pauseWanted; // the last of pauseReading/resumeReading
  private boolean socketPaused; // what the socket was told; on readContext
  private int framesSent; // counted up to the second, when flush coalescing is installed

  /**
   * @param listener receives frames, writability and the end
   * @param options frame and buffer bounds
   * @param onEnded runs once when the channel ends
   */
  protected VertxChannel(
      ChannelListener listener, VertxTransportOptions options, Runnable onEnded) {
    super(listener, onEnded);
    this.options = options;
    this.readContext = (ContextInternal) Vertx.currentContext();
  }

  @Override
  public final CompletionStage<Void> send(byte[] frame) {
    Cause ended = cause();
    if (ended != null) {
      return failed(new IOException("channel to " + description() + " is closed (" + ended + ")"));
    }
    if (frame.length > maxFrameBytes()) {
      return failed(
          new IOException(
              "frame of " + frame.length + " bytes exceeds maxFrameBytes " + maxFrameBytes()));
    }
    String invalid = invalidFrame(frame);
    if (invalid != null) {
      return failed(new IOException(invalid));
    }
    long queued = addQueued(frame.length);
    long maxOutboundBytes = options.maxOutboundBytes();
    if (queued > maxOutboundBytes) {
      addQueued(-frame.length);
      updateWritability();
      return failed(
          new OutboundBufferFullException(queued - frame.length, frame.length, maxOutboundBytes));
    }
    if (framesSent < 2 && ++framesSent == 2) {
      // Only a channel that writes more than once pays for the handler (B5: most of a tool's
      // many sessions sit idle after their handshake).
      coalesceFlushes(vertxHandler());
    }
    CompletableFuture<Void> sent = new CompletableFuture<>();
    Future<Void> write;
    try {
      write = write(frame);
    } catch (RuntimeException e) {
      addQueued(-frame.length);
      return failed(new IOException("write to " + description() + " failed: " + e.getMessage(), e));
    }
    write.onComplete(
        (ok, err) -> {
          addQueued(-frame.length);
          checkWritability();
          if (err == null) {
            sent.complete(null);
          } else {
            sent.completeExceptionally(
                new IOException(
                    "write to " + description() + " failed: " + Errors.describe(err), err));
          }
        });
    checkWritability();
    return sent;
  }

  /**
   * {@link #updateWritability()}, skipped while the channel is writable and its queued bytes are
   * below half the high-water mark: nothing can change then (Vert.x's write queue holds no more
   * than the bytes queued here), and every frame would otherwise take the lock twice.
   */
  private void checkWritability() {
    if (reportedWritable && queuedBytes < options.writeQueueHighWaterBytes() / 2) {
      return;
    }
    updateWritability();
  }

  /**
   * {@inheritDoc}
   *
   * <p>False from the moment the queued bytes reach the high-water mark (or Vert.x reports its
   * write queue full) until they fall to half of it again, so that a channel near the mark does not
   * flap.
   */
  @Override
  public final boolean writable() {
    return !ended() && reportedWritable;
  }

  /**
   * {@inheritDoc}
   *
   * <p>Frames still unwritten are discarded (their stages fail) and the socket is closed at once: a
   * graceful close would be queued behind them, forever if the peer stopped reading (R5).
   */
  @Override
  public final void close() {
    if (end(Cause.of(Cause.Kind.CHANNEL_CLOSED, "closed locally"))) {
      release();
    }
  }

  /**
   * {@inheritDoc}
   *
   * <p>Pauses the socket, so the kernel's receive buffer fills and TCP's window closes on the
   * sender. Carried out at once on the socket's thread, otherwise on its context soon after.
   */
  @Override
  public final void pauseReading() {
    pauseWanted = true;
    applyReading();
  }

  /** {@inheritDoc} */
  @Override
  public final void resumeReading() {
    pauseWanted = false;
    applyReading();
  }

  /** Whether reading is paused (asked to, by the last call). */
  protected final boolean readingPaused() {
    return pauseWanted;
  }

  /** Carries out the last wish on the socket's context: Vert.x streams are paused from there. */
  private void applyReading() {
    if (readContext == null || readContext.inThread()) {
      syncReading();
    } else {
      readContext.runOnContext(v -> syncReading());
    }
  }

  private void syncReading() {
    boolean want = pauseWanted;
    if (want == socketPaused || ended()) {
      return;
    }
    socketPaused = want; // before the call: resuming may deliver frames inline, re-entering here
    if (want) {
      pauseSocket();
    } else {
      resumeSocket();
    }
  }

  /** Bytes handed to {@link #send} and not yet written to the socket. */
  public final long queuedBytes() {
    return queuedBytes;
  }

  private long addQueued(long delta) {
    return (long) QUEUED_BYTES.getAndAdd(this, delta) + delta;
  }

  @Override
  public String toString() {
    return getClass().getSimpleName() + "[" + description() + (ended() ? ", ended]" : "]");
  }

  /**
   * Names the channel in messages, such as by its endpoint. Built only when a message needs it, so
   * that an idle channel holds no text (B5).
   */
  protected abstract String description();

  /**
   * Hands an inbound frame to the listener unless the channel has ended. Called on the socket's
   * context. A pause asked for from another thread is carried out here first, before the task it
   * posted runs: that task waits behind the whole read batch (thousands of small frames), which
   * would all be delivered past the bound that asked for the pause.
   */
  protected final void deliver(byte[] frame) {
    if (pauseWanted && !socketPaused && (readContext == null || readContext.inThread())) {
      syncReading();
    }
    if (!ended()) {
      listener().onFrame(frame);
    }
  }

  /** Ends the channel with {@code cause} (once) and closes the socket. */
  protected final void endWith(Cause cause) {
    if (end(cause)) {
      release();
    }
  }

  /** Closes the socket: gracefully if everything was written, else at once (see {@link #close}). */
  private void release() {
    if (queuedBytes > 0) {
      abortSocket();
    } else {
      closeSocket();
    }
  }

  /**
   * Tells the listener when writability changed since it was last told. Synchronized so that
   * changes computed on different threads reach the listener in the order they were decided.
   */
  protected final synchronized void updateWritability() {
    if (ended()) {
      return;
    }
    boolean was = reportedWritable;
    long queued = queuedBytes;
    long highWaterBytes = options.writeQueueHighWaterBytes();
    boolean now =
        was
            ? queued < highWaterBytes && !writeQueueFull()
            : queued <= highWaterBytes / 2 && !writeQueueFull();
    if (now != was && REPORTED_WRITABLE.compareAndSet(this, was, now)) {
      listener().onWritabilityChanged(now);
    }
  }

  /** The largest inbound frame, for messages. */
  protected final int maxFrameBytes() {
    return options.maxFrameBytes();
  }

  /**
   * Whether {@code highWaterBytes} gives the write-buffer water marks every Netty channel starts
   * with (high {@code highWaterBytes}, low half of it, as Vert.x's {@code setWriteQueueMaxSize}
   * sets them). Then a subclass leaves them alone: Vert.x builds a {@link WriteBufferWaterMark} per
   * socket each time they are set (24 B per session in B5), for the same marks as Netty's shared
   * default.
   */
  protected static boolean nettyDefaultWaterMark(int highWaterBytes) {
    WriteBufferWaterMark netty = WriteBufferWaterMark.DEFAULT;
    return highWaterBytes == netty.high() && highWaterBytes / 2 == netty.low();
  }

  /** Why {@code frame} cannot be sent on this kind of channel, or null if it can. */
  protected String invalidFrame(byte[] frame) {
    return null;
  }

  /** Writes one frame to the socket. */
  protected abstract Future<Void> write(byte[] frame);

  /** Vert.x's write queue is above its high-water mark. */
  protected abstract boolean writeQueueFull();

  /** Stops reading the socket (its kept data is delivered after {@link #resumeSocket()}). */
  protected abstract void pauseSocket();

  /** Resumes reading the socket. */
  protected abstract void resumeSocket();

  /** Closes the underlying socket; its handlers may still fire and are then ignored. */
  protected abstract void closeSocket();

  /**
   * Closes the underlying socket without flushing what is queued (Vert.x's own close writes it
   * first, and waits for that); the queued writes fail. Its handlers may still fire and are then
   * ignored.
   */
  protected abstract void abortSocket();

  /** The Vert.x handler's context under the socket, or null if this socket does not expose it. */
  protected abstract ChannelHandlerContext vertxHandler();

  /**
   * Flushes written during one event-loop turn go out together. Vert.x flushes every write made on
   * the event loop outside a read at once (one system call per frame), while writes from other
   * threads are drained in a batch with one flush; the connection's context is the event loop, so a
   * burst of requests would otherwise cost a system call each. Netty's {@link
   * FlushConsolidationHandler}, next to the head of the pipeline, turns the flushes of one turn
   * (and of one read) into one, queued on the loop at once as a task of its own. Installed at a
   * channel's second frame; safe from any thread.
   */
  private static void coalesceFlushes(ChannelHandlerContext vertxHandler) {
    if (vertxHandler == null) {
      return;
    }
    ChannelPipeline pipeline = vertxHandler.pipeline();
    synchronized (pipeline) { // the pipeline's own lock: the check and the add are one step
      if (pipeline.get(FlushConsolidationHandler.class) == null) {
        pipeline.addFirst(
            "tether-flush-consolidation",
            new FlushConsolidationHandler(
                FlushConsolidationHandler.DEFAULT_EXPLICIT_FLUSH_AFTER_FLUSHES, true));
      }
    }
  }

  /**
   * Closes the Netty channel under a Vert.x socket at once: closing from the Vert.x handler's
   * context skips that handler's close, which would first flush (and wait for) the queued writes.
   */
  protected static void abort(ChannelHandlerContext vertxHandler) {
    ChannelFuture closing = vertxHandler.close();
    closing.addListener(ABORT_LOGGER);
  }

  private static final ChannelFutureListener ABORT_LOGGER =
      f -> {
        if (!f.isSuccess()) {
          log.debug("aborting {} failed: {}", f.channel(), Errors.describe(f.cause()));
        }
      };

  private static CompletionStage<Void> failed(Throwable t) {
    return CompletableFuture.failedFuture(t);
  }
}
