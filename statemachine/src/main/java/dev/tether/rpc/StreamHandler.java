package dev.tether.rpc;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * Receives the events of one stream. Runs on the connection's context for {@link
 * Delivery#direct()}, or on the executor of a {@link Delivery#queued queued} delivery; must not
 * block the context. A handler that throws is logged and counted; delivery continues (R2).
 */
@FunctionalInterface
public interface StreamHandler {

  /** Called for each event of the stream, in arrival order. */
  void onEvent(JsonNode event);

  /**
   * Called on the connection's context when the server refused to (re)subscribe the stream: the
   * stream stays desired and is retried on the next channel, but receives nothing until then. The
   * default logs nothing (the connection already logs at {@code warn} and counts it).
   */
  default void onSubscriptionFailed(RpcException failure) {}
}
