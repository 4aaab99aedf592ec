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
import io.netty.handler.flush.FlushConsolidationHandler;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.internal.ContextInternal;
import java.io.IOException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What every Vert.x channel shares: the exactly-once end ({@link ChannelEnd}), the bounded outbound
 * buffer, and writability reporting. A subclass attaches the Vert.x handlers and routes them to
 * {@link #deliver}, {@link #endWith} and {@link #updateWritability}.
 *
 * <p>Thread-safe: Vert.x calls the handlers on the socket's context while the connection may call
 * {@link #send} and {@link #close} from its own.
 */
public abstract class VertxChannel implements Channel {
  private static final Logger log = LoggerFactory.getLogger(VertxChannel.class);
  private final ChannelListener listener;
  private final ChannelEnd end;
  private final int maxFrameBytes;
  private final long maxOutboundBytes;
  private final long highWaterBytes;
  private final Object description; // its toString() names the channel; built only when needed
  private final AtomicLong queuedBytes = new AtomicLong();
  private final AtomicBoolean reportedWritable = new AtomicBoolean(true);
  private final ContextInternal readContext; // the socket's, where its reading is paused
  private volatile boolean pauseWanted; // the last of pauseReading/resumeReading
  private boolean socketPaused; // what the socket was told; on readContext
  private int framesSent; // counted up to the second, when flush coalescing is installed

  /**
   * @param listener receives frames, writability and the end
   * @param options frame and buffer bounds
   * @param onEnded runs once when the channel ends
   * @param description names the channel in messages (its {@code toString()}, called only when a
   *     message is built), such as its endpoint
   */
  protected VertxChannel(
      ChannelListener listener,
      VertxTransportOptions options,
      Runnable onEnded,
      Object description) {
    this.listener = listener;
    this.end = new ChannelEnd(listener, onEnded);
    this.maxFrameBytes = options.maxFrameBytes();
    this.maxOutboundBytes = options.maxOutboundBytes();
    this.highWaterBytes = options.writeQueueHighWaterBytes();
    this.description = description;
    this.readContext = (ContextInternal) Vertx.currentContext();
  }

  @Override
  public final CompletionStage<Void> send(byte[] frame) {
    Cause ended = end.cause();
    if (ended != null) {
      return failed(new IOException("channel to " + description + " is closed (" + ended + ")"));
    }
    if (frame.length > maxFrameBytes) {
      return failed(
          new IOException(
              "frame of " + frame.length + " bytes exceeds maxFrameBytes " + maxFrameBytes));
    }
    String invalid = invalidFrame(frame);
    if (invalid != null) {
      return failed(new IOException(invalid));
    }
    long queued = queuedBytes.addAndGet(frame.length);
    if (queued > maxOutboundBytes) {
      queuedBytes.addAndGet(-frame.length);
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
      queuedBytes.addAndGet(-frame.length);
      return failed(new IOException("write to " + description + " failed: " + e.getMessage(), e));
    }
    write.onComplete(
        (ok, err) -> {
          queuedBytes.addAndGet(-frame.length);
          checkWritability();
          if (err == null) {
            sent.complete(null);
          } else {
            sent.completeExceptionally(
                new IOException(
                    "write to " + description + " failed: " + Errors.describe(err), err));
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
    if (reportedWritable.get() && queuedBytes.get() < highWaterBytes / 2) {
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
    return !end.ended() && reportedWritable.get();
  }

  /**
   * {@inheritDoc}
   *
   * <p>Frames still unwritten are discarded (their stages fail) and the socket is closed at once: a
   * graceful close would be queued behind them, forever if the peer stopped reading (R5).
   */
  @Override
  public final void close() {
    if (end.end(Cause.of(Cause.Kind.CHANNEL_CLOSED, "closed locally"))) {
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
    if (want == socketPaused || end.ended()) {
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
    return queuedBytes.get();
  }

  @Override
  public String toString() {
    return getClass().getSimpleName() + "[" + description + (end.ended() ? ", ended]" : "]");
  }

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
    if (!end.ended()) {
      listener.onFrame(frame);
    }
  }

  /** Ends the channel with {@code cause} (once) and closes the socket. */
  protected final void endWith(Cause cause) {
    if (end.end(cause)) {
      release();
    }
  }

  /** Closes the socket: gracefully if everything was written, else at once (see {@link #close}). */
  private void release() {
    if (queuedBytes.get() > 0) {
      abortSocket();
    } else {
      closeSocket();
    }
  }

  /** Whether the channel has ended. */
  protected final boolean ended() {
    return end.ended();
  }

  /**
   * Tells the listener when writability changed since it was last told. Synchronized so that
   * changes computed on different threads reach the listener in the order they were decided.
   */
  protected final synchronized void updateWritability() {
    if (end.ended()) {
      return;
    }
    boolean was = reportedWritable.get();
    long queued = queuedBytes.get();
    boolean now =
        was
            ? queued < highWaterBytes && !writeQueueFull()
            : queued <= highWaterBytes / 2 && !writeQueueFull();
    if (now != was && reportedWritable.compareAndSet(was, now)) {
      listener.onWritabilityChanged(now);
    }
  }

  /** The largest inbound frame, for messages. */
  protected final int maxFrameBytes() {
    return maxFrameBytes;
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
