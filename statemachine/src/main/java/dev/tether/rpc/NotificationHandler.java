package dev.tether.rpc;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * Handles notifications of one method that are not stream events (registered with {@link
 * RpcConnectionBuilder#onNotification}). Runs on the connection's context: keep it short, never
 * block. A handler that throws is logged and counted in {@link ConnectionStats#handlerErrors()}.
 */
@FunctionalInterface
public interface NotificationHandler {

  /**
   * Handles one notification.
   *
   * @param params its {@code params}, or null if it has none
   */
  void onNotification(JsonNode params);
}
