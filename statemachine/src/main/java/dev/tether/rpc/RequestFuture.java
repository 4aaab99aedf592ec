package dev.tether.rpc;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The future of one request, as {@link RpcConnection#request} returns it: callers read it and
 * attach stages to it; only the connection settles it.
 *
 * <p>A subclass rather than a read-only wrapper, so a request still costs one future (the
 * allocation measured as B2 in BENCHMARKS.md), and {@code toCompletableFuture()} stays free. What a
 * caller cannot do to it:
 *
 * <ul>
 *   <li>{@code complete}, {@code completeExceptionally}, {@code obtrudeValue}, {@code
 *       obtrudeException}, {@code completeAsync}, {@code orTimeout} and {@code completeOnTimeout}
 *       throw {@link UnsupportedOperationException}: each would change what every other holder of
 *       the request sees while the request itself stays in flight. Do it to a stage derived from
 *       this one ({@code copy()}, {@code thenApply}), or use {@link RequestOptions#timeout}.
 *   <li>{@code cancel} returns false and changes nothing ({@code Future.cancel} may refuse): the
 *       request settles by its answer, its deadline or the loss of its channel. Libraries that
 *       cancel a future they no longer need keep working.
 * </ul>
 *
 * <p>Stages derived from it are plain {@link CompletableFuture}s, the caller's own.
 *
 * <p>Where completions run: without an executor, the connection completes the future on its context
 * (its event loop), so dependent stages attached before settlement run there, and {@code *Async}
 * variants without an executor run on {@link CompletableFuture#defaultExecutor()}. With {@link
 * RequestOptions#executor}, the future is completed by a task on that executor, which is also its
 * {@link #defaultExecutor()}: nothing attached to it runs on the connection's context.
 */
final class RequestFuture extends CompletableFuture<JsonNode> {
  private static final Logger log = LoggerFactory.getLogger(RequestFuture.class);

  private final Executor executor; // null: complete on the connection's context

  RequestFuture(Executor executor) {
    this.executor = executor;
  }

  // ---------------------------------------------------------------- the connection's side

  /** Settles with {@code result}. Called once, by the connection. */
  void succeed(JsonNode result) {
    if (executor == null) {
      super.complete(result);
    } else {
      handOff(() -> super.complete(result));
    }
  }

  /** Settles with {@code failure}. Called once, by the connection. */
  void fail(Throwable failure) {
    if (executor == null) {
      super.completeExceptionally(failure);
    } else {
      handOff(() -> super.completeExceptionally(failure));
    }
  }

  private void handOff(Runnable completion) {
    try {
      executor.execute(completion);
    } catch (RuntimeException e) { // a rejecting executor must not leave the request unsettled
      log.warn(
          "request executor rejected the completion; completing on the connection's context", e);
      completion.run();
    }
  }

  @Override
  public Executor defaultExecutor() {
    return executor != null ? executor : super.defaultExecutor();
  }

  // ---------------------------------------------------------------- refused to callers

  @Override
  public boolean complete(JsonNode value) {
    throw refused("complete");
  }

  @Override
  public boolean completeExceptionally(Throwable ex) {
    throw refused("completeExceptionally");
  }

  @Override
  public void obtrudeValue(JsonNode value) {
    throw refused("obtrudeValue");
  }

  @Override
  public void obtrudeException(Throwable ex) {
    throw refused("obtrudeException");
  }

  @Override
  public CompletableFuture<JsonNode> completeAsync(
      Supplier<? extends JsonNode> supplier, Executor executor) {
    throw refused("completeAsync");
  }

  @Override
  public CompletableFuture<JsonNode> completeAsync(Supplier<? extends JsonNode> supplier) {
    throw refused("completeAsync");
  }

  @Override
  public CompletableFuture<JsonNode> orTimeout(long timeout, TimeUnit unit) {
    throw refused("orTimeout (use RequestOptions.timeout, or copy().orTimeout)");
  }

  @Override
  public CompletableFuture<JsonNode> completeOnTimeout(
      JsonNode value, long timeout, TimeUnit unit) {
    throw refused("completeOnTimeout (use copy().completeOnTimeout)");
  }

  /** Refused: returns false; the request settles by its answer, deadline or channel loss. */
  @Override
  public boolean cancel(boolean mayInterruptIfRunning) {
    return false;
  }

  private static UnsupportedOperationException refused(String what) {
    return new UnsupportedOperationException(
        what
            + ": a request's future is settled only by the connection; do this to a stage derived"
            + " from it");
  }
}
