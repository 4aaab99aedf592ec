package dev.tether.runtime;

import dev.tether.runtime.spi.Channel;
import java.util.concurrent.CompletionStage;

/**
 * Work that must succeed on a freshly opened channel before the connection reports {@code
 * Connected} or {@code Reconnected}, such as restoring subscriptions. A handshake that fails or
 * exceeds the connect timeout counts as a failed attempt.
 */
@FunctionalInterface
public interface Handshake {

  /**
   * Runs the handshake. Called on the connection's context.
   *
   * @param channel the newly opened channel
   * @param epoch the epoch the connection will have if the handshake succeeds
   * @return completes normally on success, exceptionally with the reason on failure
   */
  CompletionStage<Void> run(Channel channel, long epoch);
}
