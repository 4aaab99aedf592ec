package dev.tether.vertx.impl;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.time.Duration;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;
import org.slf4j.Logger;

/** The start/stop plumbing the module's servers share: work on their context, bounded waits. */
public final class OnContext {
  private OnContext() {}

  /** Runs {@code task} on {@code context}; the stage completes as the task's future does. */
  public static <T> CompletionStage<T> run(Context context, Supplier<Future<T>> task) {
    Promise<T> done = Promise.promise();
    context.runOnContext(v -> task.get().onComplete(done));
    return done.future().toCompletionStage();
  }

  /**
   * Waits up to {@code limit} for {@code stage}, for a blocking {@code close()}: a failure or a
   * timeout is logged at {@code warn} naming {@code what}; an interrupt is kept on the thread.
   */
  public static void awaitQuietly(
      CompletionStage<?> stage, Duration limit, Logger log, Object what) {
    try {
      stage.toCompletableFuture().get(limit.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (ExecutionException | TimeoutException e) {
      log.warn("stopping {} failed", what, e);
    }
  }
}
