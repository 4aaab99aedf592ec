package dev.tether.stub;

import dev.tether.runtime.spi.Channel;
import dev.tether.runtime.spi.Transport;
import java.util.Objects;
import java.util.concurrent.CompletionStage;
import java.util.function.UnaryOperator;

/**
 * A {@link Channel} that forwards everything to another: override what your layer changes (a codec,
 * a channel wrapper you want to simulate, a planted bug). With {@link #wrapping} it decorates every
 * channel a transport opens, as {@code dev.tether.stub.sim.RpcTraffic.Builder#transports} expects.
 *
 * <p>As thread-safe as the channel it forwards to.
 */
public class ForwardingChannel implements Channel {
  /** The channel everything goes to. */
  protected final Channel inner;

  /** Forwards to {@code inner}. */
  public ForwardingChannel(Channel inner) {
    this.inner = Objects.requireNonNull(inner, "inner");
  }

  /** A transport that opens channels with {@code transport} and hands out {@code wrap(channel)}. */
  public static Transport wrapping(Transport transport, UnaryOperator<Channel> wrap) {
    Objects.requireNonNull(transport, "transport");
    Objects.requireNonNull(wrap, "wrap");
    return (uri, listener) -> transport.open(uri, listener).thenApply(wrap);
  }

  @Override
  public CompletionStage<Void> send(byte[] frame) {
    return inner.send(frame);
  }

  @Override
  public boolean writable() {
    return inner.writable();
  }

  @Override
  public void close() {
    inner.close();
  }

  @Override
  public void pauseReading() {
    inner.pauseReading();
  }

  @Override
  public void resumeReading() {
    inner.resumeReading();
  }

  /**
   * Forwards too: the driver holds the terminal event until the channel is released (P5), so a
   * wrapper that answered the default (released at once) would let it go before a child is gone.
   */
  @Override
  public CompletionStage<Void> released() {
    return inner.released();
  }
}
