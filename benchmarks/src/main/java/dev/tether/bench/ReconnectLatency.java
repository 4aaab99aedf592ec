package dev.tether.bench;

import dev.tether.machine.BackoffPolicy;
import dev.tether.machine.LifecycleEvent;
import dev.tether.rpc.RpcConnection;
import dev.tether.runtime.spi.Channel;
import dev.tether.runtime.spi.ChannelListener;
import dev.tether.runtime.spi.Transport;
import dev.tether.vertx.VertxTransport;
import dev.tether.vertx.testserver.VmServiceServer;
import io.vertx.core.Vertx;
import io.vertx.core.http.WebSocketClient;
import java.net.URI;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
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

  /**
   * p50, p99 and max in microseconds, over {@code samples} rounds; {@code late} left out. The
   * phases split each sample: the timer firing late (attempt due to {@code open} called), TCP
   * connect and WebSocket upgrade ({@code open} called to channel open), and the handshake (channel
   * open to {@code Reconnected} delivered: the resubscriptions and the event's delivery).
   */
  record Result(
      double p50Micros,
      double p99Micros,
      double maxMicros,
      int samples,
      int late,
      Phase timer,
      Phase connect,
      Phase handshake,
      Phase raw,
      Phase rawConnect) {

    /** Tether's whole sample as a phase. */
    Phase total() {
      return new Phase(p50Micros, p99Micros);
    }
  }

  /** One phase of the samples: p50 and p99 in microseconds. */
  record Phase(double p50Micros, double p99Micros) {
    static Phase of(long[] nanos, int n) {
      long[] got = Arrays.copyOf(nanos, n);
      Arrays.sort(got);
      return new Phase(pct(got, 0.50) / 1e3, pct(got, 0.99) / 1e3);
    }
  }

  /** Timestamps the last {@code open} call and its channel, around the real transport. */
  private static final class TimedTransport implements Transport {
    private final Transport inner;
    volatile long openCalled;
    volatile long opened;

    TimedTransport(Transport inner) {
      this.inner = inner;
    }

    @Override
    public CompletionStage<Channel> open(URI endpoint, ChannelListener listener) {
      openCalled = System.nanoTime();
      return inner
          .open(endpoint, listener)
          .whenComplete(
              (ch, err) -> {
                if (err == null) {
                  opened = System.nanoTime();
                }
              });
    }
  }

  private ReconnectLatency() {}

  /**
   * Tether's rounds and the baseline's, interleaved (a Tether round, then a raw round, and so on)
   * so that both see the same machine: each has its own server and client {@code Vertx}, idle while
   * the other runs.
   */
  static Result measure(int rounds, int warmupRounds) {
    try (TetherRig tether = new TetherRig();
        RawRig raw = new RawRig()) {
      Samples t = new Samples(rounds);
      Samples r = new Samples(rounds);
      for (int round = 0; round < warmupRounds + rounds; round++) {
        boolean measured = round >= warmupRounds;
        tether.round(measured ? t : null);
        raw.round(measured ? r : null);
      }
      if (t.n == 0 || r.n == 0) {
        throw new IllegalStateException("every round was late; raise BACKOFF");
      }
      long[] got = Arrays.copyOf(t.total, t.n);
      Arrays.sort(got);
      return new Result(
          pct(got, 0.50) / 1e3,
          pct(got, 0.99) / 1e3,
          got[t.n - 1] / 1e3,
          t.n,
          t.late + r.late,
          Phase.of(t.first, t.n),
          Phase.of(t.second, t.n),
          Phase.of(t.third, t.n),
          Phase.of(r.total, r.n),
          Phase.of(r.first, r.n));
    }
  }

  /** One side's samples in nanoseconds: the total and up to three phases. */
  private static final class Samples {
    final long[] total;
    final long[] first;
    final long[] second;
    final long[] third;
    int n;
    int late;

    Samples(int rounds) {
      total = new long[rounds];
      first = new long[rounds];
      second = new long[rounds];
      third = new long[rounds];
    }

    void add(long total, long first, long second, long third) {
      this.total[n] = total;
      this.first[n] = first;
      this.second[n] = second;
      this.third[n] = third;
      n++;
    }
  }

  /**
   * What both sides share: a server and a client on one-thread {@code Vertx}es of their own, and
   * the outage round. The client completes {@link #dueAt} with the moment its reconnect attempt is
   * due and {@link #doneAt} with the moment it is back with every stream subscribed.
   */
  private abstract static class Rig implements AutoCloseable {
    final Vertx vertx = Rigs.singleLoop();
    final Vertx serverVertx = Rigs.singleLoop();
    final VmServiceServer server =
        VmServiceServer.builder(serverVertx).eventInterval(Duration.ofHours(1)).build();
    final AtomicReference<CompletableFuture<Long>> dueAt =
        new AtomicReference<>(new CompletableFuture<>());
    final AtomicReference<CompletableFuture<Long>> doneAt =
        new AtomicReference<>(new CompletableFuture<>());

    /**
     * One outage: the server stops (closing the client's socket) and starts again at once; waits
     * until the client is back. Adds the sample to {@code into} (null during warm-up) unless the
     * server was not listening yet when the attempt was due.
     */
    final void round(Samples into) {
      CompletableFuture<Long> due = new CompletableFuture<>();
      CompletableFuture<Long> back = new CompletableFuture<>();
      dueAt.set(due);
      doneAt.set(back);
      Rigs.await(server.stop());
      restart(server);
      long listening = System.nanoTime();
      long attempt = Rigs.await(due);
      long done = Rigs.await(back);
      if (into == null) {
        return;
      }
      if (listening > attempt) {
        into.late++;
        return;
      }
      record(into, attempt, done);
    }

    /**
     * Adds one sample: the attempt was due at {@code attempt}; the client was back at {@code done}.
     */
    abstract void record(Samples into, long attempt, long done);

    /** Closes the client. */
    abstract void closeClient();

    @Override
    public final void close() {
      closeClient();
      server.close();
      Rigs.await(vertx.close());
      Rigs.await(serverVertx.close());
    }
  }

  /** Tether: one {@code RpcConnection} with {@link #STREAMS} streams and a fixed backoff. */
  private static final class TetherRig extends Rig {
    private final VertxTransport transport = VertxTransport.create(vertx);
    private final TimedTransport timed = new TimedTransport(transport);
    private final RpcConnection rpc;

    TetherRig() {
      Rigs.await(server.start());
      BackoffPolicy policy =
          BackoffPolicy.builder()
              .delays(java.util.List.of(BACKOFF))
              .jitter(0)
              .unlimitedAttempts()
              .noFlapGuard() // hundreds of forced outages a minute; the raw baseline has no guard
              .build();
      rpc = Rigs.tether(vertx, timed, server.endpoint(), policy);
      CompletableFuture<Void> up = Rigs.connected(rpc);
      rpc.subscribe(
          e -> {
            long now = System.nanoTime();
            if (e instanceof LifecycleEvent.Reconnecting r) {
              dueAt.get().complete(now + r.delay().toNanos());
            } else if (e instanceof LifecycleEvent.Reconnected) {
              doneAt.get().complete(now);
            }
          });
      for (int i = 0; i < STREAMS; i++) {
        rpc.listen("S" + i, ev -> {});
      }
      rpc.start();
      Rigs.await(up);
      Rigs.await(rpc.request("getVersion", null));
    }

    /** Phases: timer late, connect + upgrade, handshake (resubscribe + deliver). */
    @Override
    void record(Samples into, long attempt, long done) {
      into.add(
          done - attempt,
          timed.openCalled - attempt,
          timed.opened - timed.openCalled,
          done - timed.opened);
    }

    @Override
    void closeClient() {
      rpc.close();
      Rigs.await(rpc.terminated());
      transport.close();
    }
  }

  /**
   * The baseline: a hand-written reconnect on a raw Vert.x WebSocket ({@link RawRpcClient}). When
   * the socket closes it waits the same {@link #BACKOFF} on a Vert.x timer, connects again and
   * sends the same {@link #STREAMS} {@code streamListen} requests at once; it is back when all
   * their answers are in. No backoff policy, state machine, handshake bookkeeping or lifecycle
   * events: the floor of a reconnect on this transport. Its callbacks run on the client's event
   * loop.
   */
  private static final class RawRig extends Rig {
    private final WebSocketClient client = vertx.createWebSocketClient();
    private final URI endpoint;
    private volatile boolean stopped;
    private volatile RawRpcClient current;
    private volatile long connectedAt; // when the last connect completed

    RawRig() {
      Rigs.await(server.start());
      endpoint = server.endpoint();
      vertx.runOnContext(v -> connect());
      Rigs.await(doneAt.get());
    }

    /** Phase: attempt due to connected. */
    @Override
    void record(Samples into, long attempt, long done) {
      into.add(done - attempt, connectedAt - attempt, 0, 0);
    }

    @Override
    void closeClient() {
      stopped = true;
      Rigs.await(current.close());
      client.close();
    }

    private void connect() {
      RawRpcClient.connect(client, endpoint)
          .onComplete(
              (rpc, err) -> {
                if (err != null) {
                  retry(); // not listening yet: try again after the same delay
                  return;
                }
                connectedAt = System.nanoTime();
                current = rpc;
                rpc.onClose(this::retry);
                CompletableFuture<?>[] all = new CompletableFuture<?>[STREAMS];
                for (int i = 0; i < STREAMS; i++) {
                  all[i] = rpc.listen("S" + i, ev -> {});
                }
                CompletableFuture<Long> done = doneAt.get();
                CompletableFuture<Void> unused =
                    CompletableFuture.allOf(all)
                        .whenComplete(
                            (ok, failed) -> {
                              if (failed == null) {
                                done.complete(System.nanoTime());
                              } else {
                                done.completeExceptionally(failed);
                              }
                            });
              });
    }

    private void retry() {
      if (stopped) {
        return;
      }
      dueAt.get().complete(System.nanoTime() + BACKOFF.toNanos());
      vertx.setTimer(BACKOFF.toMillis(), id -> connect());
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
