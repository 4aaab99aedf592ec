package dev.tether.runtime.spi;

import java.net.URI;
import java.util.concurrent.CompletionStage;

/**
 * Opens channels to endpoints. A transport holds no per-connection state; reconnection, timeouts
 * and retries are the driver's job.
 *
 * <p>Implementations must be thread-safe.
 */
public interface Transport {

  /**
   * Starts opening a channel to {@code endpoint}.
   *
   * @param endpoint where to connect, such as {@code ws://127.0.0.1:8181/ws}
   * @param listener receives the channel's frames and its end, from the moment it opens
   * @return completes with the open channel, or exceptionally with the reason it could not open.
   *     The driver may abandon the stage (connect timeout, close); a channel it yields afterwards
   *     is closed at once
   * @throws IllegalArgumentException if the transport does not support the endpoint's scheme
   */
  CompletionStage<Channel> open(URI endpoint, ChannelListener listener);
}
