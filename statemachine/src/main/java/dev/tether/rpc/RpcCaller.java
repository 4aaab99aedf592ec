package dev.tether.rpc;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.concurrent.CompletionStage;

/** Something that can send JSON-RPC requests and notifications. Thread-safe. */
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

  /**
   * Sends a notification: a frame with {@code method} and {@code params} and no id, which the
   * server does not answer (a language server's {@code initialized} or {@code
   * textDocument/didOpen}). It is written in call order with this caller's requests and
   * notifications made from the same thread, only on a channel that is up (the handshake's own
   * channel, for a handshake hook's caller), and never queued for a later channel or replayed.
   *
   * @param method the method name; not empty
   * @param params an object or array node, or null for none
   * @return completes once the frame was written; fails with {@link RpcException.NotConnected} when
   *     no channel is up, {@link RpcException.ConnectionLost} when the connection (or the handshake
   *     attempt) has ended, or {@link RpcException.SendFailed} when it could not be encoded or
   *     written
   * @throws IllegalArgumentException if {@code method} is empty or {@code params} is neither null,
   *     an object nor an array
   */
  CompletionStage<Void> notify(String method, JsonNode params);
}
