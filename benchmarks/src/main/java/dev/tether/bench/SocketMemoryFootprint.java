package dev.tether.bench;

import dev.tether.rpc.RpcConnection;
import dev.tether.vertx.VertxTransport;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * B5 on real WebSockets: retained heap per connected Tether session beyond the transport's own.
 *
 * <p>{@code sessions} vm-service {@link RpcConnection}s connect to one {@link BenchServer} in a
 * child JVM ({@link BenchServerProcess}); the heap they add to this JVM (after full GC) is measured
 * as in {@link MemoryFootprint}. They are closed, and the same number of {@link RawRpcClient}
 * WebSockets are connected and measured the same way. Both include Vert.x's per-socket client state
 * and buffers, so the difference is what Tether itself keeps per session.
 *
 * <p>Each side uses one client for all its sessions, as an application would: Tether one {@link
 * VertxTransport} (as {@code TetherVertx} does), the raw side one {@link WebSocketClient} whose
 * {@code maxConnections} is raised the same way (Vert.x otherwise queues WebSocket connects past 50
 * per host and port).
 */
final class SocketMemoryFootprint {
  /** The raw client's {@code maxConnections}: no practical cap, like {@link VertxTransport}'s. */
  static final int RAW_MAX_CONNECTIONS = 1_000_000;

  /** Per-session bytes of Tether, of the raw client, and their difference. */
  record Result(int sessions, double tetherBytes, double rawBytes) {
    double overRaw() {
      return tetherBytes - rawBytes;
    }
  }

  private SocketMemoryFootprint() {}

  /**
   * {@code sessions} of each kind, connected in batches ({@link #CONNECT_BATCH}); each heap reading
   * the least of {@code gcs} full GCs.
   */
  static Result measure(int sessions, int gcs) {
    return measure(sessions, gcs, BenchServerProcess.start());
  }

  /**
   * As {@link #measure(int, int)} against {@code server}, already started (the smoke pass starts
   * its JVM early, beside other steps); {@code server} is closed at the end.
   */
  static Result measure(int sessions, int gcs, BenchServerProcess server) {
    Vertx vertx = Vertx.vertx();
    // One endpoint object for all sessions, as a caller connecting many sessions to one server
    // would pass: each session keeps a reference to it, not a copy.
    java.net.URI endpoint = server.endpoint();
    VertxTransport transport = VertxTransport.create(vertx);
    WebSocketClient client =
        vertx.createWebSocketClient(
            new WebSocketClientOptions().setMaxConnections(RAW_MAX_CONNECTIONS));
    try {
      // One session of each kind first, open throughout: what is built once on first use
      // (Jackson's and Vert.x's shared caches, the classes' static state) is then not counted
      // against the first half measured.
      RpcConnection warmTether = Rigs.tether(vertx, transport, endpoint);
      CompletableFuture<Void> warmUp = Rigs.connected(warmTether);
      warmTether.start();
      Rigs.await(warmUp);
      RawRpcClient warmRaw = Rigs.await(RawRpcClient.connect(client, endpoint));

      long fdsBefore = openFds();
      long before = MemoryFootprint.usedAfterGc(gcs);
      List<RpcConnection> live = new ArrayList<>(sessions);
      Rigs.inBatches(
          sessions,
          CONNECT_BATCH,
          () -> {
            RpcConnection rpc = Rigs.tether(vertx, transport, endpoint);
            CompletableFuture<Void> up = Rigs.connected(rpc);
            rpc.start();
            live.add(rpc);
            return up;
          },
          Rigs::await);
      long after = MemoryFootprint.usedAfterGc(gcs);
      double tether = (after - before) / (double) sessions;
      for (RpcConnection rpc : live) {
        rpc.close();
      }
      for (RpcConnection rpc : live) {
        Rigs.await(rpc.terminated());
      }
      live.clear();
      // Closed sockets release their descriptors a little after terminated() completes: wait for
      // that, or the raw half could run out of them near the limit (see socketSessions).
      awaitFds(fdsBefore + FD_SLACK);

      long rawBefore = MemoryFootprint.usedAfterGc(gcs);
      List<Future<RawRpcClient>> raws = new ArrayList<>(sessions);
      Rigs.inBatches(
          sessions,
          CONNECT_BATCH,
          () -> {
            Future<RawRpcClient> connecting = RawRpcClient.connect(client, endpoint);
            raws.add(connecting);
            return connecting.toCompletionStage();
          },
          Rigs::await);
      long rawAfter = MemoryFootprint.usedAfterGc(gcs);
      double raw = (rawAfter - rawBefore) / (double) sessions;
      for (Future<RawRpcClient> f : raws) {
        Rigs.await(f.result().close());
      }
      warmTether.close();
      Rigs.await(warmTether.terminated());
      Rigs.await(warmRaw.close());
      return new Result(sessions, tether, raw);
    } finally {
      client.close();
      transport.close();
      server.close();
      Rigs.await(vertx.close());
    }
  }

  /**
   * Connects in flight at once, at most. All at once, 10,000 connects on a loaded machine outran
   * {@link Rigs#SETUP_TIMEOUT_SECONDS} (100 took 2–6 s at load 13–16); a batch of 200 takes 12 s at
   * that worst rate, and on a quiet machine the wait between batches costs little.
   */
  static final int CONNECT_BATCH = 200;

  /** Descriptors the JVM may open besides the sockets (jars, selectors, pipes) meanwhile. */
  static final long FD_SLACK = 200;

  /** Open file descriptors of this process, or 0 where {@code /proc/self/fd} is unavailable. */
  static long openFds() {
    String[] fds = new java.io.File("/proc/self/fd").list();
    return fds == null ? 0 : fds.length;
  }

  /** Waits (bounded) until this process has at most {@code atMost} descriptors open. */
  static void awaitFds(long atMost) {
    long deadline = System.nanoTime() + Rigs.SETUP_TIMEOUT_SECONDS * 1_000_000_000L;
    while (openFds() > atMost && System.nanoTime() < deadline) {
      try {
        Thread.sleep(10);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }
}
