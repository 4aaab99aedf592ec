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
 * <p>{@code sessions} vm-service {@link RpcConnection}s connect to one {@link BenchServer} in this
 * JVM; the heap they add (after full GC) is measured as in {@link MemoryFootprint}. They are
 * closed, and the same number of {@link RawRpcClient} WebSockets are connected and measured the
 * same way. Both include the server's side of each socket and Vert.x's per-socket buffers, so the
 * difference is what Tether itself keeps per session.
 *
 * <p>A Vert.x WebSocket client keeps at most {@link #PER_CLIENT} WebSockets to one endpoint open
 * (its {@code maxConnections}, default 50; more wait in its queue), so both sides use one client
 * (one {@link VertxTransport} for Tether) per {@link #PER_CLIENT} sessions.
 */
final class SocketMemoryFootprint {
  /** Vert.x's {@code WebSocketClientOptions.DEFAULT_MAX_CONNECTIONS}. */
  static final int PER_CLIENT = WebSocketClientOptions.DEFAULT_MAX_CONNECTIONS;

  /** Per-session bytes of Tether, of the raw client, and their difference. */
  record Result(int sessions, double tetherBytes, double rawBytes) {
    double overRaw() {
      return tetherBytes - rawBytes;
    }
  }

  private SocketMemoryFootprint() {}

  static Result measure(int sessions) {
    Vertx vertx = Vertx.vertx();
    BenchServer server = new BenchServer(vertx);
    try {
      long fdsBefore = openFds();
      long before = MemoryFootprint.usedAfterGc();
      List<VertxTransport> transports = new ArrayList<>();
      List<RpcConnection> live = new ArrayList<>(sessions);
      List<CompletableFuture<Void>> ups = new ArrayList<>(sessions);
      for (int i = 0; i < sessions; i++) {
        if (i % PER_CLIENT == 0) {
          transports.add(VertxTransport.create(vertx));
        }
        RpcConnection rpc =
            Rigs.tether(vertx, transports.get(transports.size() - 1), server.endpoint());
        ups.add(Rigs.connected(rpc));
        rpc.start();
        live.add(rpc);
      }
      Rigs.await(CompletableFuture.allOf(ups.toArray(CompletableFuture[]::new)));
      ups.clear();
      long after = MemoryFootprint.usedAfterGc();
      double tether = (after - before) / (double) sessions;
      for (RpcConnection rpc : live) {
        rpc.close();
      }
      for (RpcConnection rpc : live) {
        Rigs.await(rpc.terminated());
      }
      live.clear();
      transports.forEach(VertxTransport::close);
      transports.clear();
      awaitServerConnections(server, 0);
      // The client ends close a little after the server's: wait for their descriptors to be
      // released, or the raw half runs out of them near the limit (see socketSessions).
      awaitFds(fdsBefore + FD_SLACK);

      long rawBefore = MemoryFootprint.usedAfterGc();
      List<WebSocketClient> clients = new ArrayList<>();
      List<Future<RawRpcClient>> raws = new ArrayList<>(sessions);
      for (int i = 0; i < sessions; i++) {
        if (i % PER_CLIENT == 0) {
          clients.add(vertx.createWebSocketClient());
        }
        raws.add(RawRpcClient.connect(clients.get(clients.size() - 1), server.endpoint()));
      }
      Rigs.await(Future.all(raws));
      long rawAfter = MemoryFootprint.usedAfterGc();
      double raw = (rawAfter - rawBefore) / (double) sessions;
      for (Future<RawRpcClient> f : raws) {
        Rigs.await(f.result().close());
      }
      clients.forEach(WebSocketClient::close);
      return new Result(sessions, tether, raw);
    } finally {
      server.close();
      Rigs.await(vertx.close());
    }
  }

  /** Descriptors the JVM may open besides the sockets (jars, selectors, pipes) meanwhile. */
  private static final long FD_SLACK = 200;

  /** Open file descriptors of this process, or 0 where {@code /proc/self/fd} is unavailable. */
  static long openFds() {
    String[] fds = new java.io.File("/proc/self/fd").list();
    return fds == null ? 0 : fds.length;
  }

  private static void awaitFds(long atMost) {
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

  private static void awaitServerConnections(BenchServer server, int n) {
    long deadline = System.nanoTime() + Rigs.SETUP_TIMEOUT_SECONDS * 1_000_000_000L;
    while (server.connections() > n) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("server still has " + server.connections() + " sockets");
      }
      Thread.onSpinWait();
    }
  }
}
