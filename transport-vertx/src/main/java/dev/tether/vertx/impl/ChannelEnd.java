package dev.tether.vertx.impl;

import dev.tether.machine.Cause;
import dev.tether.runtime.spi.ChannelListener;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Reports a channel's end to its listener exactly once. Vert.x may call a socket's exception, close
 * and end handlers in any order, and more than one of them; a local {@code close()} may race with
 * them from another thread. Whichever comes first decides the cause; the rest are ignored.
 *
 * <p>Thread-safe.
 */
public final class ChannelEnd {
  private final ChannelListener listener;
  private final Runnable onEnded;
  private final AtomicReference<Cause> cause = new AtomicReference<>();

  /**
   * @param listener told {@link ChannelListener#onClosed} once
   * @param onEnded runs once, after the listener was told (bookkeeping such as open-channel counts)
   */
  public ChannelEnd(ChannelListener listener, Runnable onEnded) {
    this.listener = Objects.requireNonNull(listener, "listener");
    this.onEnded = Objects.requireNonNull(onEnded, "onEnded");
  }

  /**
   * Ends the channel with {@code cause} unless it has already ended.
   *
   * @return true if this call ended it
   */
  public boolean end(Cause cause) {
    Objects.requireNonNull(cause, "cause");
    if (!this.cause.compareAndSet(null, cause)) {
      return false;
    }
    try {
      listener.onClosed(cause);
    } finally {
      onEnded.run();
    }
    return true;
  }

  /** Whether the channel has ended. */
  public boolean ended() {
    return cause.get() != null;
  }

  /** The cause the channel ended with, or null while open. */
  public Cause cause() {
    return cause.get();
  }
}
