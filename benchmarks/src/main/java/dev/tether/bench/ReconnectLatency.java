package dev.tether.bench;

import dev.tether.machine.BackoffPolicy;
import dev.tether.machine.LifecycleEvent;
import dev.tether.rpc.RpcConnection;
import dev.tether.vertx.VertxTransport;
import dev.tether.vertx.testserver.VmServiceServer;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;

/**
 * B4: reconnect latency with {@link #STREAMS} streams to resubscribe, over a WebSocket on 127.0.0.1
 * against {@link VmServiceServer}.
 *
 * <p>One round: the server is stopped (it closes the client's socket) and started again on the same
 * port at once. The client reports {@code Reconnecting} with a fixed, jitter-free backoff of {@link
 * #BACKOFF}; the sample is the time from that event's delivery plus the scheduled delay (the moment
 * the reconnect attempt is due, by which the server is listening again) to the delivery of {@code
 * Reconnected}, which comes only after all streams were resubscribed (I7). So it covers the timer
 * firing late, the TCP connect and WebSocket upgrade, 100 {@code streamListen} round trips and the
 * event's delivery. Rounds where the server was not yet listening when the attempt was due are
 * counted and left out.
 */
final class ReconnectLatency {
  static final int STREAMS = 100;

  /** Long enough for the server to be listening again before the attempt is due. */
  static final Duration BACKOFF = Duration.ofMillis(50);

  /** p50, p99 and max in microseconds, over {@code samples} rounds; {@code late} left out. */
  record Result(double p50Micros, double p99Micros, double maxMicros, int samples, int late) {}

  private ReconnectLatency() {}

  static Result measure(int rounds, int warmupRounds) {
    Vertx vertx = Rigs.singleLoop();
    Vertx serverVertx = Rigs.singleLoop();
    VmServiceServer server =
        VmServiceServer.builder(serverVertx).eventInterval(Duration.ofHours(1)).build();
    VertxTransport transport = VertxTransport.create(vertx);
    try {
      Rigs.await(server.start());
      BackoffPolicy policy =
          BackoffPolicy.builder()
              .delays(java.util.List.of(BACKOFF))
              .jitter(0)
              .unlimitedAttempts()
              .build();
      RpcConnection rpc = Rigs.tether(vertx, transport, server.endpoint(), policy);
      CompletableFuture<Void> up = Rigs.connected(rpc);
      AtomicReference<CompletableFuture<Long>> dueAt = new AtomicReference<>();
      AtomicReference<CompletableFuture<Long>> reconnectedAt = new AtomicReference<>();
      rpc.subscribe(
          e -> {
            long now = System.nanoTime();
            if (e instanceof LifecycleEvent.Reconnecting r) {
              dueAt.get().complete(now + r.delay().toNanos());
            } else if (e instanceof LifecycleEvent.Reconnected) {
              reconnectedAt.get().complete(now);
            }
          });
      for (int i = 0; i < STREAMS; i++) {
        rpc.listen("S" + i, ev -> {});
      }
      rpc.start();
      Rigs.await(up);
      Rigs.await(rpc.request("getVersion", null));
      long[] samples = new long[rounds];
      int n = 0;
      int late = 0;
      for (int round = 0; round < warmupRounds + rounds; round++) {
        CompletableFuture<Long> due = new CompletableFuture<>();
        CompletableFuture<Long> back = new CompletableFuture<>();
        dueAt.set(due);
        reconnectedAt.set(back);
        Rigs.await(server.stop());
        restart(server);
        long listening = System.nanoTime();
        long attempt = Rigs.await(due);
        long latency = Rigs.await(back) - attempt;
        if (listening > attempt) {
          late++;
        } else if (round >= warmupRounds) {
          samples[n++] = latency;
        }
      }
      rpc.close();
      Rigs.await(rpc.terminated());
      long[] got = Arrays.copyOf(samples, n);
      Arrays.sort(got);
      if (n == 0) {
        throw new IllegalStateException("every round was late; raise BACKOFF");
      }
      return new Result(pct(got, 0.50) / 1e3, pct(got, 0.99) / 1e3, got[n - 1] / 1e3, n, late);
    } finally {
      server.close();
      transport.close();
      Rigs.await(vertx.close());
      Rigs.await(serverVertx.close());
    }
  }

  /** Bound on re-binding the port: the old listener's close is sometimes not yet complete. */
  private static final int BIND_TRIES = 100;

  private static final long BIND_RETRY_MILLIS = 5;

  private static void restart(VmServiceServer server) {
    for (int i = 1; ; i++) {
      try {
        Rigs.await(server.start());
        return;
      } catch (IllegalStateException e) {
        if (i >= BIND_TRIES) {
          throw e;
        }
        try {
          Thread.sleep(BIND_RETRY_MILLIS);
        } catch (InterruptedException ie) {
          Thread.currentThread().interrupt();
          throw e;
        }
      }
    }
  }

  private static long pct(long[] sorted, double p) {
    int i = (int) Math.ceil(p * sorted.length) - 1;
    return sorted[Math.max(0, Math.min(sorted.length - 1, i))];
  }
}
