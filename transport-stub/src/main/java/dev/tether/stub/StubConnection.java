package dev.tether.stub;

import dev.tether.machine.Cause;
import dev.tether.runtime.spi.Channel;
import dev.tether.runtime.spi.ChannelListener;
import java.io.IOException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * One accepted connection on a {@link StubEndpoint}: the client's {@link Channel} and the server's
 * handle on it. Frames cross on the scheduler, never inline.
 *
 * <p>Not thread-safe; used from the scheduler's thread.
 */
public final class StubConnection implements Channel {
  private final StubEndpoint endpoint;
  private final ChannelListener client;
  private boolean open = true;
  private boolean silent;

  StubConnection(StubEndpoint endpoint, ChannelListener client) {
    this.endpoint = endpoint;
    this.client = client;
  }

  /** Whether neither side has closed the connection. */
  public boolean isOpen() {
    return open;
  }

  /**
   * Makes the connection half-open: from now on frames are silently lost in both directions and
   * neither side is told. Only a heartbeat can notice; {@link #drop} and {@link #close} still work.
   */
  public void silence() {
    silent = true;
  }

  /** Whether {@link #silence()} was called. */
  public boolean isSilent() {
    return silent;
  }

  /** Sends a frame from the server to the client. Ignored once closed or silenced. */
  public void push(byte[] frame) {
    if (open && !silent) {
      endpoint.scheduler().execute(() -> deliverToClient(frame));
    }
  }

  /** The server closes the connection (or it breaks) with {@code cause}. */
  public void drop(Cause cause) {
    if (!open) {
      return;
    }
    open = false;
    endpoint.closed(this);
    endpoint.scheduler().execute(() -> client.onClosed(cause));
  }

  @Override
  public CompletionStage<Void> send(byte[] frame) {
    if (!open) {
      return CompletableFuture.failedFuture(new IOException("channel closed"));
    }
    endpoint
        .scheduler()
        .execute(
            () -> {
              if (open && !silent) {
                endpoint.deliverToServer(this, frame);
              }
            });
    return CompletableFuture.completedFuture(null);
  }

  @Override
  public boolean writable() {
    return open;
  }

  @Override
  public void close() {
    drop(Cause.of(Cause.Kind.CHANNEL_CLOSED, "closed locally"));
  }

  private void deliverToClient(byte[] frame) {
    if (open && !silent) {
      client.onFrame(frame);
    }
  }
}
