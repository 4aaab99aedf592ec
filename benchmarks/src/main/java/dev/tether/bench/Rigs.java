package dev.tether.bench;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tether.machine.BackoffPolicy;
import dev.tether.machine.LifecycleEvent;
import dev.tether.rpc.Dialect;
import dev.tether.rpc.RpcConnection;
import dev.tether.runtime.spi.Transport;
import dev.tether.vertx.VertxScheduler;
import dev.tether.vertx.VertxTransport;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.io.OutputStream;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import java.util.function.Supplier;

/** Shared set-up of the real-socket benchmarks. */
final class Rigs {
  /** Bound on any set-up wait: loopback connects take milliseconds. */
  static final long SETUP_TIMEOUT_SECONDS = 60;

  private Rigs() {}

  /** A Vert.x with one event-loop thread. */
  static Vertx singleLoop() {
    return Vertx.vertx(new io.vertx.core.VertxOptions().setEventLoopPoolSize(1));
  }

  /**
   * A started vm-service {@link RpcConnection} on its own event-loop context, not yet connected.
   */
  static RpcConnection tether(Vertx vertx, VertxTransport transport, URI endpoint) {
    return tether(vertx, transport, endpoint, BackoffPolicy.defaults());
  }

  static RpcConnection tether(
      Vertx vertx, Transport transport, URI endpoint, BackoffPolicy policy) {
    return RpcConnection.builder()
        .transport(transport)
        .endpoint(endpoint)
        .scheduler(VertxScheduler.create(vertx))
        .dialect(Dialect.vmService())
        .policy(policy)
        .build();
  }

  /** Completes when {@code rpc} first reports {@code Connected}. Call before {@code start()}. */
  static CompletableFuture<Void> connected(RpcConnection rpc) {
    CompletableFuture<Void> up = new CompletableFuture<>();
    rpc.subscribe(
        e -> {
          if (e instanceof LifecycleEvent.Connected) {
            up.complete(null);
          } else if (e instanceof LifecycleEvent.PermanentlyDisconnected p) {
            up.completeExceptionally(new IllegalStateException("could not connect: " + p));
          }
        });
    return up;
  }

  /**
   * Starts {@code rpc} and waits until it is connected; closes {@code owner} (which ends {@code
   * rpc} and its child) if it never is.
   */
  static void startConnected(RpcConnection rpc, AutoCloseable owner) {
    CompletableFuture<Void> up = connected(rpc);
    rpc.start();
    try {
      await(up);
    } catch (RuntimeException e) {
      closeBoth(owner, null);
      throw e;
    }
  }

  /**
   * The second side of a comparison, started after the first: if it cannot start, the first is
   * closed (its child stopped) before the failure goes on.
   */
  static <T> T startSecond(AutoCloseable first, java.util.function.Supplier<T> second) {
    try {
      return second.get();
    } catch (RuntimeException e) {
      closeBoth(first, null);
      throw e;
    }
  }

  /** Closes both (either may be null), the second even if the first fails. */
  static void closeBoth(AutoCloseable first, AutoCloseable second) {
    Exception failure = null;
    for (AutoCloseable c : new AutoCloseable[] {first, second}) {
      try {
        if (c != null) {
          c.close();
        }
      } catch (Exception e) {
        if (failure == null) {
          failure = e;
        } else {
          failure.addSuppressed(e);
        }
      }
    }
    if (failure != null) {
      throw new IllegalStateException("could not stop a benchmark side", failure);
    }
  }

  /**
   * Starts {@code n} operations (connects, typically) with at most {@code batchSize} in flight:
   * after each batch of {@code start} calls, {@code awaitBatch} waits for all of the batch (as
   * {@link #await(CompletionStage)} does, within {@link #SETUP_TIMEOUT_SECONDS}) before the next
   * batch starts. Thousands started at once on a loaded machine can outrun one set-up bound; in
   * batches the set-up is slow there, but completes.
   */
  static void inBatches(
      int n,
      int batchSize,
      Supplier<? extends CompletionStage<?>> start,
      Consumer<CompletableFuture<Void>> awaitBatch) {
    if (batchSize < 1) {
      throw new IllegalArgumentException("batchSize must be at least 1: " + batchSize);
    }
    List<CompletableFuture<?>> batch = new ArrayList<>(Math.min(n, batchSize));
    for (int i = 0; i < n; i++) {
      batch.add(start.get().toCompletableFuture());
      if (batch.size() == batchSize || i == n - 1) {
        awaitBatch.accept(CompletableFuture.allOf(batch.toArray(CompletableFuture[]::new)));
        batch.clear();
      }
    }
  }

  static <T> T await(CompletionStage<T> stage) {
    try {
      return stage.toCompletableFuture().get(SETUP_TIMEOUT_SECONDS, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    } catch (ExecutionException | TimeoutException e) {
      throw new IllegalStateException("benchmark set-up failed", e);
    }
  }

  /**
   * Sends {@code n} requests at once and waits up to {@code waitSeconds} for every answer: the "64
   * in flight" batches of B2 and of the stdio round trips.
   */
  static Object batch(RpcConnection rpc, String method, JsonNode params, int n, long waitSeconds)
      throws Exception {
    CompletableFuture<?>[] all = new CompletableFuture<?>[n];
    for (int i = 0; i < n; i++) {
      all[i] = rpc.request(method, params).toCompletableFuture();
    }
    return CompletableFuture.allOf(all).get(waitSeconds, TimeUnit.SECONDS);
  }

  /**
   * Ends a child that stops at the end of its input: closes {@code stdin}, waits up to {@code
   * waitSeconds} for the exit, and kills the child if it hangs.
   */
  static void stopChild(Process process, OutputStream stdin, long waitSeconds) {
    try {
      stdin.close();
      if (!process.waitFor(waitSeconds, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor(waitSeconds, TimeUnit.SECONDS);
      }
    } catch (IOException e) {
      process.destroyForcibly();
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
  }

  static <T> T await(io.vertx.core.Future<T> future) {
    return await(future.toCompletionStage());
  }
}
