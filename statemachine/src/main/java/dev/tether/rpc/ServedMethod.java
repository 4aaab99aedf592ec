package dev.tether.rpc;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;

/**
 * A method this client serves to the server (JSON-RPC is symmetric: language servers, tool servers
 * and debug adapters send requests to their client). Registered with {@link
 * RpcConnectionBuilder#serve}; every request the server sends for it is answered exactly once
 * (I11).
 *
 * <p>The handler gets the request's {@code params} (an object, an array, or {@code null} when the
 * request has none) and returns a stage that completes with the result ({@code null} answers {@code
 * "result":null}). To refuse with an error of your choosing, throw a {@link ServedError} or
 * complete the stage with one; anything else thrown or completed exceptionally is answered {@code
 * -32603} with a short message (the exception is logged here, never sent). Use {@link #sync} for a
 * handler that computes its result at once.
 *
 * <p>It runs on {@link RpcConnectionBuilder#serveExecutor the serve executor}, or on the
 * connection's context if none is set: then it must not block, since the connection reads nothing
 * while it runs; return a stage for slow work.
 */
@FunctionalInterface
public interface ServedMethod {

  /**
   * Handles one request.
   *
   * @param params the request's params, or null if it has none
   * @return the result, possibly later
   * @throws ServedError to answer with that error
   */
  CompletionStage<JsonNode> serve(JsonNode params);

  /** A handler that computes its result at once; {@code handler} may throw {@link ServedError}. */
  static ServedMethod sync(Function<? super JsonNode, ? extends JsonNode> handler) {
    Objects.requireNonNull(handler, "handler");
    return params -> CompletableFuture.completedFuture(handler.apply(params));
  }
}
