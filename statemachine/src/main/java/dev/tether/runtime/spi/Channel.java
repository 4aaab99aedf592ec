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
}
