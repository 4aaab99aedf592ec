package dev.tether.cli;

import dev.tether.runtime.spi.Channel;
import dev.tether.runtime.spi.ChannelListener;
import dev.tether.runtime.spi.Transport;
import java.net.URI;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A {@link Transport} that remembers the channel it opened last, so that a {@link HandshakeScript}
 * can write its notifications on the channel being set up: the JSON-RPC layer's handshake caller
 * sends requests only. (When the core grows a way to notify from a handshake, this goes.)
 *
 * <p>The driver opens one channel at a time (I5) and runs the handshake on the one it just opened,
 * so the last channel opened is the one being set up, except when a late open of an abandoned
 * attempt lands in between: the driver closes that channel at once, which forgets it here, and the
 * handshake then finds no channel and fails its attempt rather than write on the wrong one.
 * Thread-safe.
 */
final class ChannelTap implements Transport {
  private final Transport delegate;
  private final AtomicReference<Channel> last = new AtomicReference<>();

  ChannelTap(Transport delegate) {
    this.delegate = delegate;
  }

  @Override
  public CompletionStage<Channel> open(URI endpoint, ChannelListener listener) {
    return delegate
        .open(endpoint, listener)
        .thenApply(
            opened -> {
              Channel tapped = new Tapped(opened);
              last.set(tapped);
              return tapped;
            });
  }

  /** The channel opened last and not closed by the driver since, or null. */
  Channel last() {
    return last.get();
  }

  /** Forwards everything; forgets itself when closed. */
  private final class Tapped implements Channel {
    private final Channel channel;

    Tapped(Channel channel) {
      this.channel = channel;
    }

    @Override
    public CompletionStage<Void> send(byte[] frame) {
      return channel.send(frame);
    }

    @Override
    public boolean writable() {
      return channel.writable();
    }

    @Override
    public void close() {
      last.compareAndSet(this, null);
      channel.close();
    }

    @Override
    public void pauseReading() {
      channel.pauseReading();
    }

    @Override
    public void resumeReading() {
      channel.resumeReading();
    }
  }
}
