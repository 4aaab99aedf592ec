package dev.tether.runtime.spi;

import dev.tether.machine.Cause;

/**
 * Receives what happens on one channel. A transport may call these methods from any thread; the
 * connection driver moves the calls onto its own context. {@link #onClosed} is the channel's last
 * call, and the driver ignores any call after it.
 */
public interface ChannelListener {

  /** A complete inbound frame arrived. */
  void onFrame(byte[] frame);

  /** The channel's writability changed (backpressure). */
  default void onWritabilityChanged(boolean writable) {}

  /** The channel ended, for the given reason. */
  void onClosed(Cause cause);
}
