package dev.tether.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The server of B7 (the reconnect storm), run in a child JVM by {@link BenchServerProcess}: a
 * WebSocket endpoint on 127.0.0.1 that counts the connections it accepts and the WebSocket upgrades
 * it completes, with the time of each.
 *
 * <p>The child prints {@code standby} and listens only when told {@code listen <port>} on standard
 * input (0: any free port), answering {@code started <nanoTime> <endpoint>}: the moment it was
 * bound, on the same monotonic clock as the parent's {@code System.nanoTime()} on Linux. So the
 * storm's outage is a server process killed and a new one, its JVM already started, taking over the
 * port: as a restarted server would. {@code stats} answers a JSON object ({@link #stats}). The
 * child ends at the end of its standard input. {@link StormHost} drives it, or runs one in process.
 *
 * <p>Started with {@code warm}, the child warms up ({@link #warmUp}) before it reports {@code
 * standby}, as every server that returns in a storm does (the first, which only serves the first
 * side's set-up, does not): the storm measures the clients' reconnects, and a cold server accepting
 * its first connections while it loads its classes and initialises Netty's allocator (1.6-2.4 s to
 * its first accept at load 14-18, against 12-21 ms warmed) would measure the server's start.
 */
final class StormServer {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** Bound on the timestamps kept: ample for three rounds of 10,000 sessions and their retries. */
  private static final int MAX_STAMPS = 1 << 20;

  /** The sliding window of the peak rate. */
  static final long WINDOW_NANOS = 100_000_000L;

  /** Fixed windows reported after the return, for the shape of the storm (10 s). */
  private static final int WINDOWS_REPORTED = 100;

  private final Vertx vertx;
  private final Stamps accepted = new Stamps();
  private final Stamps upgraded = new Stamps();
  private int port;
  private HttpServer server;
  private long startedAt;
  private int warmedUpWith;

  StormServer(Vertx vertx) {
    this.vertx = vertx;
  }

  /**
   * The listen backlog asked for: room for a whole storm's connections, as a server facing 10,000
   * clients would configure. The kernel caps it at {@code net.core.somaxconn} (see {@link
   * #effectiveBacklog}); Netty's default is that cap already where it can read it.
   */
  static final int ACCEPT_BACKLOG = 65_535;

  /**
   * Connections a standby child makes to itself before it reports ready ({@link #warmUp}): enough
   * to load the accept and upgrade path's classes and run its one-time initialisations (Netty's
   * first buffer chunk registers a JFR event type, which initialises JFR's metadata: 1-6 s on this
   * loaded machine, on the event loop), so the storm meets a server that accepts at once, as a
   * running production server would. Few, because four children warm up at once beside the clients'
   * set-up (2,000 each took over a minute at load 12).
   */
  static final int WARM_UP_CONNECTIONS = 200;

  /**
   * The child JVM's heap: a young generation that holds a whole storm's garbage, so the returning
   * server does not stop for a collection while it is measured. With the JVM's defaults G1 sized
   * the young generation of a 388 MB heap at ≈ 16 MB, and a 2,000-session storm made the returning
   * server collect six times in its first 30 s, each pause 0.2-1.2 s at load 14-18 (-Xlog:gc of the
   * standbys, 2026-11-30); allocation is ≈ 20 KB per accepted connection, so a 10,000-session storm
   * and the next side's set-up fit in 1 GB. Reserved, not touched until used.
   */
  static final List<String> JVM = List.of("-Xms2g", "-Xmx2g", "-Xmn1g");

  /** The child's argument asking it to {@link #warmUp} before it reports {@code standby}. */
  static final String WARM = "warm";

  /** Warm-up connections in flight at once. */
  private static final int WARM_UP_BATCH = 100;

  /**
   * Listens on {@code port} (0: any free port); returns the moment it was bound, taken on the event
   * loop when the bind completed (not when this thread woke up to it).
   */
  long listen(int port) {
    HttpServer s = newServer();
    s.connectionHandler(c -> accepted.add(System.nanoTime()));
    s.webSocketHandler(ws -> upgraded.add(System.nanoTime()));
    long bound =
        Rigs.await(
            s.listen(port, "127.0.0.1")
                .map(
                    listening -> {
                      this.port = listening.actualPort();
                      return System.nanoTime();
                    }));
    server = s;
    startedAt = bound;
    return bound;
  }

  /**
   * HTTP/1.1 only, as a WebSocket endpoint needs: with Vert.x's default HTTP/2 cleartext support
   * the server holds every new connection until its first bytes arrive (to tell an HTTP/2 preface
   * from an HTTP/1.1 request) and only then runs the connection handler, so {@code accepted} was
   * stamped when the client's upgrade request was read, not when the connection was accepted: a
   * client whose event loops were behind made the returning server look as if it accepted nothing
   * (B7's run E: {@code accepted} and {@code upgraded} within 1 ms of each other in every window).
   * Without it the handler runs when the accepted connection is set up, before any byte is read.
   */
  private HttpServer newServer() {
    return vertx.createHttpServer(
        new HttpServerOptions().setAcceptBacklog(ACCEPT_BACKLOG).setHttp2ClearTextEnabled(false));
  }

  /**
   * Runs {@code connections} WebSocket connects and upgrades through a server like the storm's, on
   * any free port, then closes both ends: the classes are loaded and the path compiled before the
   * storm. Nothing is counted.
   */
  void warmUp(int connections) {
    warmedUpWith = connections;
    HttpServer s = newServer();
    s.webSocketHandler(ws -> {});
    int warmPort = Rigs.await(s.listen(0, "127.0.0.1")).actualPort();
    WebSocketClient client =
        vertx.createWebSocketClient(
            new WebSocketClientOptions()
                .setMaxConnections(SocketMemoryFootprint.RAW_MAX_CONNECTIONS));
    try {
      for (int from = 0; from < connections; from += WARM_UP_BATCH) {
        List<Future<WebSocket>> batch = new ArrayList<>(WARM_UP_BATCH);
        for (int i = from; i < Math.min(connections, from + WARM_UP_BATCH); i++) {
          batch.add(client.connect(warmPort, "127.0.0.1", "/warm-up"));
        }
        Rigs.await(Future.all(batch));
        List<Future<Void>> closed = new ArrayList<>(batch.size());
        for (Future<WebSocket> ws : batch) {
          closed.add(ws.result().close());
        }
        Rigs.await(Future.all(closed));
      }
    } finally {
      Rigs.await(client.close());
      Rigs.await(s.close());
    }
  }

  /** The backlog the kernel grants: {@link #ACCEPT_BACKLOG} capped by somaxconn; -1 unknown. */
  static int effectiveBacklog() {
    try {
      // One buffered read: a sysctl file answers end-of-file to a read from any offset but 0, so
      // Files.readString (a first read of 0 bytes, then 1 byte, then EOF) would give "4" of 4096.
      String max = Files.readAllLines(Path.of("/proc/sys/net/core/somaxconn")).get(0).trim();
      return Math.min(ACCEPT_BACKLOG, Integer.parseInt(max));
    } catch (IOException | RuntimeException e) {
      return -1; // not Linux: reported as unknown
    }
  }

  String endpoint() {
    return "ws://127.0.0.1:" + port + "/ws";
  }

  /**
   * Since the last {@code start}: connections accepted and WebSocket upgrades completed, the
   * largest number of each within any {@link #WINDOW_NANOS} window, when the last one came
   * (milliseconds after the start), and the accepted connections per fixed 100 ms window from the
   * start.
   */
  ObjectNode stats() {
    long[] a = accepted.sorted();
    long[] u = upgraded.sorted();
    ObjectNode n = JSON.createObjectNode();
    n.put("backlog", effectiveBacklog());
    n.put("warmUpConnections", warmedUpWith);
    n.put("accepted", a.length);
    n.put("upgraded", u.length);
    n.put("peakAccepted", peak(a));
    n.put("peakUpgraded", peak(u));
    n.put("firstAcceptedMillis", a.length == 0 ? 0 : (a[0] - startedAt) / 1e6);
    n.put("firstUpgradedMillis", u.length == 0 ? 0 : (u[0] - startedAt) / 1e6);
    n.put("lastAcceptedMillis", a.length == 0 ? 0 : (a[a.length - 1] - startedAt) / 1e6);
    perWindow(n.putArray("acceptedPerWindow"), a, startedAt);
    perWindow(n.putArray("upgradedPerWindow"), u, startedAt);
    return n;
  }

  /**
   * Adds to {@code windows} the number of {@code stamps} in each fixed {@link #WINDOW_NANOS} window
   * from {@code from}, up to the last window with one (at most {@link #WINDOWS_REPORTED}).
   */
  static void perWindow(ArrayNode windows, long[] stamps, long from) {
    int[] counts = new int[WINDOWS_REPORTED];
    for (long t : stamps) {
      long w = (t - from) / WINDOW_NANOS;
      if (t >= from && w < WINDOWS_REPORTED) {
        counts[(int) w]++;
      }
    }
    int last = counts.length;
    while (last > 0 && counts[last - 1] == 0) {
      last--;
    }
    for (int i = 0; i < last; i++) {
      windows.add(counts[i]);
    }
  }

  /** The most timestamps of {@code sorted} within any half-open window of the window's length. */
  static int peak(long[] sorted) {
    int best = 0;
    for (int lo = 0, hi = 0; hi < sorted.length; hi++) {
      while (sorted[hi] - sorted[lo] >= WINDOW_NANOS) {
        lo++;
      }
      best = Math.max(best, hi - lo + 1);
    }
    return best;
  }

  /**
   * Timestamps appended from the server's event loop and read on the command thread (a lock held a
   * few nanoseconds per connection: negligible beside an accept).
   */
  private static final class Stamps {
    private final long[] stamps = new long[MAX_STAMPS];
    private int size;

    synchronized void add(long nanos) {
      if (size < MAX_STAMPS) {
        stamps[size++] = nanos;
      }
    }

    synchronized long[] sorted() {
      long[] got = Arrays.copyOf(stamps, size);
      Arrays.sort(got);
      return got;
    }
  }

  /** The child: see the class comment. Answers commands until standard input ends. */
  public static void main(String[] args) throws IOException {
    Vertx vertx = Vertx.vertx();
    StormServer server = new StormServer(vertx);
    if (args.length == 1 && args[0].equals(WARM)) {
      server.warmUp(WARM_UP_CONNECTIONS);
    }
    System.out.println("standby");
    System.out.flush();
    BufferedReader in =
        new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
    for (String line; (line = in.readLine()) != null; ) {
      String command = line.trim();
      String reply;
      if (command.startsWith("listen ")) {
        long bound = server.listen(Integer.parseInt(command.substring("listen ".length())));
        reply = "started " + bound + " " + server.endpoint();
      } else if (command.equals("stats")) {
        reply = server.stats().toString();
      } else {
        reply = "unknown command: " + line;
      }
      System.out.println(reply);
      System.out.flush();
    }
    if (server.server != null) {
      Rigs.await(server.server.close());
    }
    vertx.close().toCompletionStage().toCompletableFuture().join();
  }
}
