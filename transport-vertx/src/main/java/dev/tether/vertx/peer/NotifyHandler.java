package dev.tether.vertx.peer;

/**
 * Receives each {@code notify} a {@link VertxPeerServer} reads, and decides its answer.
 *
 * <p>Called on a Vert.x event loop, one message at a time per connection: it must not block.
 * Connections may run on different event loops, so a handler shared by them must be thread-safe.
 * Hand slow work to your own executor, or use a {@link MessageQueue} and consume it on another
 * thread. A handler that throws makes the server answer {@code error} with code {@link
 * VertxPeerServer#CODE_HANDLER_FAILED}; the exception is logged.
 */
@FunctionalInterface
public interface NotifyHandler {
  /**
   * Decides the answer to {@code message}.
   *
   * @return {@link Verdict#accept()} to acknowledge it, {@link Verdict#reject} to refuse it
   */
  Verdict onNotify(PeerMessage message);
}
