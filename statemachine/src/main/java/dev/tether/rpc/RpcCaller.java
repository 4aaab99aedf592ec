package dev.tether.rpc;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.concurrent.CompletionStage;

/** Something that can send a JSON-RPC request. Thread-safe. */
@FunctionalInterface
public interface RpcCaller {

  /**
   * Sends a request and returns its settlement: the {@code result}, or an {@link RpcException}.
   *
   * @param method the method name; not empty
   * @param params an object or array node, or null for none
   * @throws IllegalArgumentException if {@code method} is empty or {@code params} is neither null,
   *     an object nor an array
   */
  CompletionStage<JsonNode> request(String method, JsonNode params);
}
