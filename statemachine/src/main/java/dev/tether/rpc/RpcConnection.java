package dev.tether.rpc;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tether.machine.ConnectionState;
import dev.tether.runtime.Connection;
import dev.tether.runtime.LifecycleListener;
import dev.tether.runtime.Subscription;
import java.util.concurrent.CompletionStage;

/**
 * A JSON-RPC 2.0 client on a self-healing {@link Connection}.
 *
 * <ul>
 *   <li>Requests settle exactly once (I6): with the result, a {@link RpcException.RemoteError}, a
 *       {@link RpcException.Timeout}, a {@link RpcException.ConnectionLost} at the moment the
 *       channel is lost, or a send failure; then no trace of them is left.
 *   <li>Streams: {@link #listen} subscribes; handlers on one stream share one server subscription.
 *       On every new channel the connection first resubscribes every stream, and only then reports
 *       {@code Connected}/{@code Reconnected} (I7); a refused resubscription is reported to the
 *       stream's handlers and counted, never silently missing.
 *   <li>Requests from the server are answered exactly once, on the channel that asked, or dropped
 *       and counted when that channel is lost (I11); see {@link RpcConnectionBuilder#serve}.
 *   <li>Hostile input (R1) is counted in {@link #stats()} and never crashes the client.
 *   <li>Nothing after the end (I4): no stream handler is called after the terminal lifecycle event;
 *       events still held back or queued for handlers then are dropped, counted in {@link
 *       ConnectionStats#eventsDroppedAtEnd()} and logged once at {@code warn}.
 * </ul>
 *
 * <p>All methods are thread-safe. Direct stream handlers run on the connection's context: do not
 * block there.
 *
 * <p><b>Where completions run.</b> The connection completes a request's future on its context (the
 * event loop, or its own thread by default). So a dependent stage attached before the request
 * settles ({@code thenApply}, {@code whenComplete}, …) runs there, and must be short; one attached
 * after it settled runs at once on the attaching thread; the {@code *Async} variants without an
 * executor run on the future's {@code defaultExecutor()} (the common pool). To keep your code off
 * the context, pass your executor: per call with {@code *Async(fn, executor)}, or for everything
 * attached to the request's stage with {@link RequestOptions#executor}, which completes the future
 * on that executor and makes it the {@code defaultExecutor()}.
 */
public interface RpcConnection extends RpcCaller, AutoCloseable {

  /** A new builder. */
  static RpcConnectionBuilder builder() {
    return new RpcConnectionBuilder();
  }

  /** Starts connecting. Idempotent. */
  void start();

  /** The connection's state; a snapshot. */
  ConnectionState state();

  /**
   * Sends a request with the default {@link RequestOptions}.
   *
   * @throws IllegalArgumentException if {@code method} is empty or {@code params} is neither null,
   *     an object nor an array
   */
  @Override
  default CompletionStage<JsonNode> request(String method, JsonNode params) {
    return request(method, params, RequestOptions.defaults());
  }

  /**
   * Sends a request.
   *
   * <p>The returned stage is the request's own (no copy per call), and only the connection settles
   * it: through {@code toCompletableFuture()}, {@code complete}, {@code completeExceptionally},
   * {@code obtrude*}, {@code completeAsync}, {@code orTimeout} and {@code completeOnTimeout} throw
   * {@link UnsupportedOperationException}, and {@code cancel} returns false and changes nothing.
   * Derive a stage ({@code copy()}, {@code thenApply}) to complete or time out your own view, or
   * set {@link RequestOptions#timeout}. See the class documentation for the thread that runs
   * dependent stages.
   *
   * @return the result, or fails with an {@link RpcException}
   * @throws IllegalArgumentException if {@code method} is empty or {@code params} is neither null,
   *     an object nor an array
   */
  CompletionStage<JsonNode> request(String method, JsonNode params, RequestOptions options);

  /** Listens to {@code stream} with {@link Delivery#direct()}. */
  default StreamSubscription listen(String stream, StreamHandler handler) {
    return listen(stream, handler, Delivery.direct());
  }

  /**
   * Listens to {@code stream}: the first listener of a stream subscribes it on the server, the last
   * one to cancel unsubscribes it.
   *
   * @throws IllegalArgumentException if {@code stream} is empty
   */
  StreamSubscription listen(String stream, StreamHandler handler, Delivery delivery);

  /** Subscribes to the connection's lifecycle events; see {@link Connection#subscribe}. */
  Subscription subscribe(LifecycleListener listener);

  /**
   * Observes every request as it settles (see {@link RequestListener}), for metrics. Any thread;
   * the listener runs on the connection's context.
   *
   * @return a handle that removes the listener
   */
  Subscription observeRequests(RequestListener listener);

  /** A cheap snapshot of the counters. */
  ConnectionStats stats();

  /** The underlying connection. */
  Connection connection();

  /** Closes the connection; pending requests fail with {@link RpcException.ConnectionLost}. */
  void close(String reason);

  /** Closes with the reason {@code "closed by user"}. */
  @Override
  default void close() {
    close("closed by user");
  }

  /** Retry now; see {@link Connection#reconnectNow()}. */
  default void reconnectNow() {
    connection().reconnectNow();
  }

  /** Completes with the terminal state once the connection has terminated. */
  CompletionStage<ConnectionState> terminated();
}
