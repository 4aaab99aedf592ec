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

  /**
   * Starts opening a channel to {@code endpoint} with the attempt's {@code parameters}: the
   * connection calls this one. A transport that can apply parameters (headers on a WebSocket
   * upgrade, environment additions for a child process) overrides it; it must refuse parameters it
   * cannot apply rather than drop them, and must never put their values in a message or a log (R3).
   *
   * <p>The default serves transports that know no parameters: with {@link ConnectParameters#none()}
   * it is {@link #open(URI, ChannelListener)}; with any header or variable it throws.
   *
   * @param endpoint where to connect
   * @param parameters the attempt's headers and environment additions
   * @param listener receives the channel's frames and its end, from the moment it opens
   * @return as {@link #open(URI, ChannelListener)}
   * @throws IllegalArgumentException if the transport does not support the endpoint's scheme or
   *     cannot apply a parameter given (the message names it, never its value)
   */
  default CompletionStage<Channel> open(
      URI endpoint, ConnectParameters parameters, ChannelListener listener) {
    if (!parameters.isEmpty()) {
      throw new IllegalArgumentException(
          getClass().getName() + " takes no connect parameters, was given " + parameters);
    }
    return open(endpoint, listener);
  }
}
