package dev.tether.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The server of B7 (the reconnect storm), run in a child JVM by {@link BenchServerProcess}: a
 * WebSocket endpoint on 127.0.0.1 that counts the connections it accepts and the WebSocket upgrades
 * it completes, with the time of each.
 *
 * <p>Started with the argument {@code 0} it listens on a free port at once and prints its endpoint;
 * started with {@code standby} it prints {@code standby} and listens only when told {@code listen
 * <port>} on standard input (answering {@code started <nanoTime>}, the moment it was bound, on the
 * same monotonic clock as the parent's {@code System.nanoTime()} on Linux). So the storm's outage
 * is a server process killed and a new one, its JVM already started, taking over the port: as a
 * restarted server would. {@code stats} answers a JSON object ({@link #stats}). The child ends at
 * the end of its standard input.
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

  StormServer(Vertx vertx) {
    this.vertx = vertx;
  }

  /** Listens on {@code port} (0: any free port); returns the moment it was bound. */
  long listen(int port) {
    HttpServer s = vertx.createHttpServer();
    s.connectionHandler(c -> accepted.add(System.nanoTime()));
    s.webSocketHandler(ws -> upgraded.add(System.nanoTime()));
    this.port = Rigs.await(s.listen(port, "127.0.0.1")).actualPort();
    server = s;
    startedAt = System.nanoTime();
    return startedAt;
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
    n.put("accepted", a.length);
    n.put("upgraded", u.length);
    n.put("peakAccepted", peak(a));
    n.put("peakUpgraded", peak(u));
    n.put("lastAcceptedMillis", a.length == 0 ? 0 : (a[a.length - 1] - startedAt) / 1e6);
    ArrayNode windows = n.putArray("acceptedPerWindow");
    int[] counts = new int[WINDOWS_REPORTED];
    for (long t : a) {
      long w = (t - startedAt) / WINDOW_NANOS;
      if (w >= 0 && w < WINDOWS_REPORTED) {
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
    return n;
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
    if (args.length == 1 && args[0].equals("standby")) {
      System.out.println("standby");
    } else {
      server.listen(Integer.parseInt(args[0]));
      System.out.println(server.endpoint());
    }
    System.out.flush();
    BufferedReader in =
        new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
    for (String line; (line = in.readLine()) != null; ) {
      String command = line.trim();
      String reply;
      if (command.startsWith("listen ")) {
        reply = "started " + server.listen(Integer.parseInt(command.substring("listen ".length())));
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
