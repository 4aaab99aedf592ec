package dev.tether.runtime;

/**
 * Receives the inbound frames of the connection's current channel, on the connection's context.
 * Frames from a channel that is no longer current are never delivered.
 */
@FunctionalInterface
public interface FrameListener {

  /**
   * Called for each inbound frame.
   *
   * @param epoch the epoch of the channel the frame arrived on (0 while its handshake runs)
   * @param frame the frame's bytes; the listener may keep them
   */
  void onFrame(long epoch, byte[] frame);
}
