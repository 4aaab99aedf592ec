package dev.tether.vertx;

import java.io.IOException;

/**
 * A frame was refused because the channel's outbound buffer ({@link
 * VertxTransportOptions#maxOutboundBytes()}) would overflow: the peer is not reading fast enough.
 * The channel stays open; wait until it reports itself writable again.
 */
public final class OutboundBufferFullException extends IOException {
  private static final long serialVersionUID = 1L;

  /** Creates the exception with a message naming the sizes involved. */
  public OutboundBufferFullException(long queuedBytes, int frameBytes, long maxOutboundBytes) {
    super(
        "outbound buffer full: "
            + queuedBytes
            + " bytes queued + frame of "
            + frameBytes
            + " bytes > maxOutboundBytes "
            + maxOutboundBytes
            + " (peer not reading?)");
  }
}
