package dev.tether.runtime.spi;

import java.util.concurrent.CompletionStage;

/**
 * One open, message-framed duplex channel produced by a {@link Transport}: a WebSocket, or a socket
 * carrying one JSON object per line.
 *
 * <p>Methods may be called from the connection's context only; implementations may complete the
 * returned stages on any thread.
 */
public interface Channel {

  /**
   * Sends one frame (UTF-8 text, without any line terminator).
   *
   * @return completes when the frame was handed to the network, or exceptionally if it could not be
   *     (channel closed, outbound buffer full). Stages complete in the order of the sends: the
   *     connection's write timeout (R5) watches the latest one to tell whether writes drain
   */
  CompletionStage<Void> send(byte[] frame);

  /** Whether the channel currently accepts writes without exceeding its outbound buffer. */
  boolean writable();

  /**
   * Closes the channel. Idempotent. The channel's listener is told {@link ChannelListener#onClosed}
   * at most once, whether or not this call caused the close.
   */
  void close();

  /**
   * Stops reading (read backpressure, R4): the transport stops taking bytes from the network (a
   * socket is paused, so TCP's window closes and the sender is pushed back; a child's stdout is not
   * read) and keeps what it has not delivered, in order, until {@link #resumeReading()}. Frames
   * already on their way to the listener may still arrive: at most what the transport had decoded
   * from one read.
   *
   * <p>Thread-safe: may be called from any thread, including from inside {@link
   * ChannelListener#onFrame}. Idempotent, and calls do not nest: the last of {@code pauseReading}
   * and {@code resumeReading} wins. Ignored after the channel ended. Pausing must not stop the
   * channel from noticing its end, nor count as a missed heartbeat of the transport's own.
   *
   * <p>A transport that cannot pause keeps this default, which does nothing: frames keep coming,
   * and the connection's last-resort bounds apply (a {@code PAUSE} backlog past its bound ends the
   * channel).
   */
  default void pauseReading() {}

  /**
   * Resumes reading after {@link #pauseReading()}: frames kept meanwhile are delivered first, in
   * order. Same thread-safety and idempotence as {@link #pauseReading()}; frames may be delivered
   * before this method returns when it is called on the transport's own thread.
   */
  default void resumeReading() {}

  /**
   * Completes once everything the channel held outside the JVM's heap is released after its end:
   * for a child process, the process and its descendants have exited (P5). The connection delivers
   * its terminal lifecycle event, and completes {@code terminated()}, only after this stage
   * completed for every channel it opened, so a listener that sees the terminal event finds nothing
   * left behind. The connection's thread never waits for it.
   *
   * <p>Must complete, normally or exceptionally (both count as done), in bounded time after the
   * channel ended, whatever happens; it is not expected to complete before the channel ended. A
   * transport that has nothing to wait for keeps this default, which is complete at once: one stage
   * shared by every such channel, which callers can read but not complete or obtrude. May be called
   * from any thread.
   */
  default CompletionStage<Void> released() {
    return NothingToRelease.INSTANCE;
  }
}
