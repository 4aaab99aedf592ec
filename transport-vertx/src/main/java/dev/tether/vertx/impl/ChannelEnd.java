package dev.tether.vertx.impl;

import dev.tether.machine.Cause;
import dev.tether.runtime.spi.ChannelListener;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Objects;

/**
 * Reports a channel's end to its listener exactly once. Vert.x may call a socket's exception, close
 * and end handlers in any order, and more than one of them; a local {@code close()} may race with
 * them from another thread. Whichever comes first decides the cause; the rest are ignored.
 *
 * <p>{@link VertxChannel} extends it, so that a channel's end lives in the channel's own object
 * rather than in two more (this and an {@code AtomicReference}: 40 B per session in B5, see
 * BENCHMARKS.md).
 *
 * <p>Thread-safe.
 */
public class ChannelEnd {
  private static final VarHandle CAUSE;

  static {
    try {
      CAUSE = MethodHandles.lookup().findVarHandle(ChannelEnd.class, "cause", Cause.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  private final ChannelListener listener;
  private final Runnable onEnded;
  private volatile Cause cause; // null while open; set once, by CAUSE's compare-and-set

  /**
   * @param listener told {@link ChannelListener#onClosed} once
   * @param onEnded runs once, after the listener was told (bookkeeping such as open-channel counts)
   */
  public ChannelEnd(ChannelListener listener, Runnable onEnded) {
    this.listener = Objects.requireNonNull(listener, "listener");
    this.onEnded = Objects.requireNonNull(onEnded, "onEnded");
  }

  /** The listener told of the end (and, by a subclass, of the channel's frames). */
  protected final ChannelListener listener() {
    return listener;
  }

  /**
   * Ends the channel with {@code cause} unless it has already ended.
   *
   * @return true if this call ended it
   */
  public final boolean end(Cause cause) {
    Objects.requireNonNull(cause, "cause");
    if (!CAUSE.compareAndSet(this, null, cause)) {
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
  public final boolean ended() {
    return cause != null;
  }

  /** The cause the channel ended with, or null while open. */
  public final Cause cause() {
    return cause;
  }
}
