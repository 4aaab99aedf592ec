package dev.tether.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tether.machine.BackoffPolicy;
import dev.tether.machine.LifecycleEvent;
import dev.tether.rpc.RpcConnection;
import dev.tether.runtime.spi.Channel;
import dev.tether.runtime.spi.ChannelListener;
import dev.tether.runtime.spi.Transport;
import dev.tether.vertx.VertxTransport;
import io.vertx.core.Vertx;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.regex.Pattern;

/**
 * B7: a reconnect storm. {@code sessions} WebSocket sessions are connected to one {@link
 * StormServer} in a child JVM ({@link StormHost}); the server process is killed, and {@link
 * #OUTAGE} later a second one (started beforehand, so no JVM start is timed) listens on the same
 * port. Measured per side: the time from the server's return until each session is back (p50, p99,
 * max), the server's peak of new connections within any 100 ms, attempts that failed after the
 * return, and sessions lost (not back within {@link #GIVE_UP}, or ended for good).
 *
 * <p>Three sides in one run, one after the other, each with a standby server of its own, after a
 * warm-up storm that is not measured (the first storm in a fresh JVM meets the return with the
 * clients' reconnect path still interpreted or being compiled; without it the side that ran first
 * took about twice as long to be back as the same side run later): Tether ({@link RpcConnection}s
 * on one {@link VertxTransport}, one context each) with its default policy; the same with jitter 0;
 * and the naive loop users write on raw Vert.x ({@link NaiveFleet}): on close, retry every {@link
 * #NAIVE_INTERVAL} (Tether's initial delay) until connected.
 */
final class ReconnectStorm {
  /** How long the server stays down: the 2 s. */
  static final Duration OUTAGE = Duration.ofSeconds(2);

  /** The goal's allowance, after the policy's pending delay, for connecting: "plus 2 s". */
  static final Duration CONNECT_ALLOWANCE = Duration.ofSeconds(2);

  /** The naive loop's fixed interval: Tether's initial delay, as the issue asks. */
  static final Duration NAIVE_INTERVAL = BackoffPolicy.DEFAULT_INITIAL_DELAY;

  /** Sessions connected at a time during set-up, so that set-up is not a storm of its own. */
  static final int CONNECT_BATCH = 500;

  /** A session not back this long after the server's return counts as lost. */
  static final Duration GIVE_UP = Duration.ofSeconds(30);

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Pattern SPACES = Pattern.compile("\\s+");

  /**
   * One side's storm.
   *
   * @param p50Millis median time, after the server's return, until a session was back
   * @param p99Millis its 99th percentile (nearest rank)
   * @param maxMillis until the last session was back
   * @param dropped sessions that saw their connection go (all of them, unless the stop missed one)
   * @param lost sessions not back within {@link #GIVE_UP} or ended for good
   * @param failedAfterReturn connect attempts that failed after the server's return
   * @param attemptsDown connect attempts made while the server was down (refused)
   * @param downMillis from the stop being asked to the server's return
   * @param boundMillis the goal: the policy's pending delay (its cap) plus {@link
   *     #CONNECT_ALLOWANCE}
   * @param boundNote how {@code boundMillis} was reached, with the figures ({@link #goal})
   * @param offeredPeak the most connect attempts the clients started within any 100 ms after the
   *     return: the load offered, which the server's peak shows only up to what it can accept
   * @param offeredPerWindow the connect attempts the clients started per fixed 100 ms window from
   *     the return
   * @param listenOverflows the kernel's count of connections dropped for a full accept queue
   *     ({@code TcpExtListenOverflows}, system-wide) during the storm; -1 where unreadable
   * @param failureKinds the failures after the return by kind
   * @param server the server's counts ({@link StormServer#stats})
   */
  record Side(
      String name,
      int sessions,
      double p50Millis,
      double p99Millis,
      double maxMillis,
      int dropped,
      int lost,
      long failedAfterReturn,
      long attemptsDown,
      double downMillis,
      double boundMillis,
      String boundNote,
      int offeredPeak,
      JsonNode offeredPerWindow,
      long listenOverflows,
      Map<String, Integer> failureKinds,
      JsonNode server) {

    /** The server's peak of new connections within any 100 ms after its return. */
    int peakAccepted() {
      return server.path("peakAccepted").asInt();
    }

    /** Connections the server accepted that never became a WebSocket (failed handshakes). */
    int unupgraded() {
      return server.path("accepted").asInt() - server.path("upgraded").asInt();
    }
  }

  /**
   * The three sides of one run, and the warm-up storm before them (Tether, default policy; not a
   * side: it is there so that no measured side meets the return with this JVM's reconnect path
   * still being compiled).
   */
  record Result(Side warmUp, Side tether, Side tetherNoJitter, Side naive) {}

  private ReconnectStorm() {}

  /**
   * B7 alone: {@code java -cp benchmarks/target/benchmarks.jar dev.tether.bench.ReconnectStorm
   * [sessions [outageMillis]] [--json]} (10,000 sessions and the 2 s by default).
   */
  public static void main(String[] args) {
    List<String> rest = new ArrayList<>(List.of(args));
    boolean json = rest.remove("--json");
    int sessions = rest.isEmpty() ? 10_000 : Integer.parseInt(rest.get(0));
    Duration outage = rest.size() < 2 ? OUTAGE : Duration.ofMillis(Long.parseLong(rest.get(1)));
    report(
        measure(sessions, outage),
        json,
        new PrintStream(System.out, true, java.nio.charset.StandardCharsets.UTF_8));
  }

  /**
   * Prints the result: with {@code json} two rows (the peak rate, Tether's default policy against
   * the naive loop, goal ratio naive ÷ Tether >= 2; the time until all are back, goal Tether's max
   * <= its bound), each with every side's figures; otherwise one line per side and the ratio.
   */
  static void report(Result r, boolean json, PrintStream out) {
    String n = String.format(Locale.ROOT, "%,d sessions", r.tether().sessions());
    if (json) {
      ObjectNode peak = JSON.createObjectNode();
      peak.put("name", "B7 reconnect storm, peak new connections per 100 ms (" + n + ")");
      peak.put("tether", r.tether().peakAccepted());
      peak.put("baseline", r.naive().peakAccepted());
      peak.put("ratio", r.naive().peakAccepted() / (double) r.tether().peakAccepted());
      peak.put("unit", "connections/100ms");
      peak.put("goal", 2.0);
      peak.put("goal_note", "Tether's peak <= 0.5x the naive loop's: ratio = naive / Tether >= 2");
      peak.put(
          "ratio_jitter0", r.naive().peakAccepted() / (double) r.tetherNoJitter().peakAccepted());
      // The server's accept rate caps what it counts; the attempts offered are not capped.
      peak.put("ratio_offered", r.naive().offeredPeak() / (double) r.tether().offeredPeak());
      peak.put(
          "server_note",
          "each server warmed up with "
              + r.tether().server().path("warmUpConnections").asInt()
              + " connections before the storm; listen backlog "
              + r.tether().server().path("backlog").asInt()
              + "; heap "
              + String.join(" ", StormServer.JVM)
              + " (no collection during a storm); a connection is counted when accepted (HTTP/1.1"
              + " only: not when its first bytes arrive), upgraded when its handshake completes");
      sides(peak, r);
      out.println(BenchJson.line(peak));
      ObjectNode back = JSON.createObjectNode();
      back.put("name", "B7 reconnect storm, all back after the server's return (" + n + ")");
      back.put("tether", r.tether().maxMillis());
      back.put("baseline", r.naive().maxMillis());
      back.put("ratio", r.naive().maxMillis() / r.tether().maxMillis());
      back.put("unit", "ms");
      back.put("goal", r.tether().boundMillis());
      back.put("goal_note", r.tether().boundNote());
      back.put("lost", r.tether().lost());
      sides(back, r);
      out.println(BenchJson.line(back));
    } else {
      for (Side s : List.of(r.warmUp(), r.tether(), r.tetherNoJitter(), r.naive())) {
        out.printf(
            Locale.ROOT,
            "%-18s %-22s back p50/p99/max %,.0f/%,.0f/%,.0f ms (goal max <= %,.0f), peak %,d new"
                + " connections/100 ms (%,d attempts offered), lost %d, failed after return %d"
                + " (server: first accept after %,.0f ms, %d not upgraded; listen overflows %d)%n",
            "B7 storm (" + s.sessions() + ")",
            s.name(),
            s.p50Millis(),
            s.p99Millis(),
            s.maxMillis(),
            s.boundMillis(),
            s.peakAccepted(),
            s.offeredPeak(),
            s.lost(),
            s.failedAfterReturn(),
            s.server().path("firstAcceptedMillis").asDouble(),
            s.unupgraded(),
            s.listenOverflows());
      }
      out.printf(
          Locale.ROOT,
          "%-18s peak Tether / naive: default %.2fx, jitter 0 %.2fx (goal <= 0.5x)%n",
          "  B7 ratio",
          r.tether().peakAccepted() / (double) r.naive().peakAccepted(),
          r.tetherNoJitter().peakAccepted() / (double) r.naive().peakAccepted());
    }
  }

  private static void sides(ObjectNode row, Result r) {
    side(row.putObject("warm_up_not_measured"), r.warmUp());
    side(row.putObject("tether_default"), r.tether());
    side(row.putObject("tether_jitter0"), r.tetherNoJitter());
    side(row.putObject("naive_loop"), r.naive());
  }

  private static void side(ObjectNode n, Side s) {
    n.put("back_p50_ms", s.p50Millis());
    n.put("back_p99_ms", s.p99Millis());
    n.put("back_max_ms", s.maxMillis());
    n.put("bound_ms", s.boundMillis());
    n.put("bound_note", s.boundNote());
    n.put("peak_new_connections_100ms", s.peakAccepted());
    n.put("lost", s.lost());
    n.put("dropped", s.dropped());
    n.put("failed_after_return", s.failedAfterReturn());
    n.put("server_not_upgraded", s.unupgraded());
    n.put("attempts_refused_while_down", s.attemptsDown());
    n.put("down_ms", s.downMillis());
    n.put("offered_peak_attempts_100ms", s.offeredPeak());
    n.put("listen_overflows", s.listenOverflows());
    n.putPOJO("failures_after_return_by_kind", s.failureKinds());
    n.set("offered_attempts_per_100ms", s.offeredPerWindow());
    n.set("server_accepted_per_100ms", s.server().path("acceptedPerWindow"));
    n.set("server_upgraded_per_100ms", s.server().path("upgradedPerWindow"));
    n.put("server_backlog", s.server().path("backlog").asInt());
    n.put("server_first_accepted_ms", s.server().path("firstAcceptedMillis").asDouble());
    n.put("server_first_upgraded_ms", s.server().path("firstUpgradedMillis").asDouble());
  }

  /** Where the storm's servers run. */
  enum Hosting {
    /** Each server in a child JVM of its own, killed with SIGKILL: the quick and full profiles. */
    CHILD_JVM,
    /**
     * Each server on a Vert.x of its own in this JVM, closed at once: the smoke pass, which only
     * proves that B7 runs (no JVM to start).
     */
    IN_PROCESS
  }

  /** The three sides with each server in a child JVM ({@link Hosting#CHILD_JVM}). */
  static Result measure(int sessions, Duration outage) {
    return measure(sessions, outage, Hosting.CHILD_JVM);
  }

  /**
   * Runs the three sides, each with {@code sessions} sessions and an outage of {@code outage}, one
   * after the other (see {@link Servers}), with the servers hosted as {@code hosting} says.
   */
  static Result measure(int sessions, Duration outage, Hosting hosting) {
    Vertx vertx = Vertx.vertx();
    try (Servers servers = new Servers(SIDES + 1, hosting)) {
      long fdsBefore = SocketMemoryFootprint.openFds();
      BackoffPolicy defaults = BackoffPolicy.defaults();
      BackoffPolicy flat = BackoffPolicy.builder().jitter(0).build();
      List<Side> sides = new ArrayList<>();
      // The warm-up storm first: it is the one to meet the return with this JVM's reconnect path
      // still being compiled.
      for (Map.Entry<String, BackoffPolicy> storm :
          List.of(
              Map.entry("warm-up (Tether, default policy; not measured)", defaults),
              Map.entry("Tether, default policy", defaults),
              Map.entry("Tether, jitter 0", flat))) {
        BackoffPolicy policy = storm.getValue();
        sides.add(
            side(
                storm.getKey(),
                outage,
                servers,
                at -> new TetherFleet(vertx, at, policy, sessions),
                down -> goal(policy, down)));
        SocketMemoryFootprint.awaitFds(fdsBefore + SocketMemoryFootprint.FD_SLACK);
      }
      Side naive =
          side(
              "naive loop",
              outage,
              servers,
              at -> new NaiveFleet(vertx, at, sessions),
              down -> naiveGoal());
      return new Result(sides.get(0), sides.get(1), sides.get(2), naive);
    } finally {
      Rigs.await(vertx.close());
    }
  }

  /** The measured sides of a run: Tether default, Tether jitter 0, the naive loop. */
  private static final int SIDES = 3;

  /**
   * The servers of one run, all started at once at the beginning (child JVMs start in parallel, and
   * no side waits for one): the one serving now, on the run's one port, and one standby per side. A
   * side's storm kills the serving server and its standby takes the port over; that one then serves
   * the next side. All are ended on close, whatever happened.
   */
  private static final class Servers implements AutoCloseable {
    private final ExecutorService starting;
    private final List<CompletableFuture<StormHost>> standbys = new ArrayList<>();
    private final List<StormHost> started = new ArrayList<>();
    private int next;
    StormHost serving;
    final URI endpoint;

    Servers(int sides, Hosting hosting) {
      starting = Executors.newFixedThreadPool(sides + 1);
      for (int i = 0; i <= sides; i++) {
        // The first serves the first side's set-up only: no storm meets it cold.
        boolean warm = i > 0;
        Supplier<StormHost> host =
            hosting == Hosting.CHILD_JVM ? () -> StormHost.child(warm) : StormHost::inProcess;
        standbys.add(CompletableFuture.supplyAsync(host, starting));
      }
      try {
        serving = standby();
        serving.listen(0);
      } catch (RuntimeException e) {
        close();
        throw e;
      }
      endpoint = serving.endpoint();
    }

    /** The next standby, waiting (bounded) for it to have started. */
    StormHost standby() {
      StormHost s = Rigs.await(standbys.get(next++));
      started.add(s);
      return s;
    }

    /** Ends every server: those handed out, and the standbys not handed out once started. */
    @Override
    public void close() {
      started.forEach(StormHost::close);
      for (CompletableFuture<StormHost> s : standbys.subList(next, standbys.size())) {
        // A standby that failed to start has no server; that failure went to standby()'s caller,
        // or is secondary to whatever ended the run, which goes on.
        s.handle(
                (host, failure) -> {
                  if (host != null) {
                    host.close();
                  }
                  return null;
                })
            .join();
      }
      starting.shutdown();
    }
  }

  /**
   * One side: its fleet connected to the serving process, then the storm, after which the side's
   * standby serves.
   */
  private static Side side(
      String name, Duration outage, Servers servers, Function<URI, Fleet> fleetAt, Bound bound) {
    try (Fleet fleet = fleetAt.apply(servers.endpoint)) {
      StormHost second = servers.standby();
      Side side = storm(name, servers.serving, second, servers.endpoint, fleet, outage, bound);
      servers.serving = second;
      return side;
    }
  }

  /**
   * A side's goal for the time until all are back, in milliseconds after the server's return, and
   * how it was reached (the row's {@code goal_note}).
   */
  record Goal(double millis, String note) {}

  /** The naive loop's bound, for comparison only: its interval + 2 s to connect. */
  static Goal naiveGoal() {
    return new Goal(
        NAIVE_INTERVAL.plus(CONNECT_ALLOWANCE).toMillis(),
        "its interval + 2 s to connect (for comparison; the goal is Tether's)");
  }

  /**
   * The goal for a policy: a session can be waiting, when the server returns after {@code
   * downNanos}, on at most the delay of the last retry that the shortest delays can reach by then;
   * that delay at its cap, plus {@link #CONNECT_ALLOWANCE}. The "the policy's first delays
   * plus 2 s of the server's return".
   */
  static Goal goal(BackoffPolicy policy, long downNanos) {
    long elapsed = 0;
    int retry = 1;
    while (policy.allowsAttempt(retry + 1) && retry < MAX_RETRIES_SCANNED) {
      elapsed += policy.minDelay(retry).toNanos();
      if (elapsed > downNanos) {
        break;
      }
      retry++;
    }
    long pending = policy.maxDelay(retry).toMillis();
    long allowance = CONNECT_ALLOWANCE.toMillis();
    return new Goal(
        pending + allowance,
        String.format(
            Locale.ROOT,
            "Tether's max <= %,d ms: the delay before retry %d at its cap (%,d ms), the last retry"
                + " the policy's shortest delays reach in the %,.0f ms the server was down, so the"
                + " longest a session can be waiting when the server returns; + %,d ms to connect;"
                + " and 0 sessions lost",
            pending + allowance,
            retry,
            pending,
            downNanos / 1e6,
            allowance));
  }

  /**
   * Bound on the attempt start times a fleet keeps: the naive loop makes about 10 a second per
   * session while the server is down, so 10,000 sessions make ≈ 200,000 in a 2 s outage.
   */
  private static final int MAX_ATTEMPTS_KEPT = 4_000_000;

  /** Bound on the kinds of failure a fleet tells apart (messages differ by address only). */
  private static final int MAX_FAILURE_KINDS = 16;

  /** Bound on the retries {@link #goal} looks at (an unlimited policy with tiny delays). */
  private static final int MAX_RETRIES_SCANNED = 10_000;

  /** The goal of a side, from the server's measured down time. */
  private interface Bound {
    Goal at(long downNanos);
  }

  /**
   * Kills {@code first} (the kernel closes every connection at once), waits {@code outage}, has
   * {@code second} listen on the same port, waits for every session, asks it what it saw.
   */
  private static Side storm(
      String name,
      StormHost first,
      StormHost second,
      URI endpoint,
      Fleet fleet,
      Duration outage,
      Bound bound) {
    long overflowsBefore = listenOverflows();
    fleet.armed = true;
    long killed = System.nanoTime();
    first.kill();
    sleepUntil(killed + outage.toNanos());
    long returned = second.listen(endpoint.getPort());
    if (returned > System.nanoTime() || returned < killed) {
      throw new IllegalStateException(
          "the server's clock is not this JVM's: bound at " + returned + ", killed at " + killed);
    }
    fleet.returned = returned;
    try {
      fleet.settled.await(returned + GIVE_UP.toNanos() - System.nanoTime(), TimeUnit.NANOSECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
    // A client may see its upgrade answered before the server's handler has counted it: ask again,
    // briefly, until the server has counted at least the sessions that are back.
    long back = fleet.sessions - fleet.settled.getCount();
    JsonNode stats = second.stats();
    for (int i = 0; i < STATS_RETRIES && stats.path("upgraded").asLong() < back; i++) {
      sleepUntil(System.nanoTime() + STATS_RETRY_PAUSE.toNanos());
      stats = second.stats();
    }
    long overflowsAfter = listenOverflows();
    return fleet.side(
        name,
        stats,
        returned - killed,
        bound.at(returned - killed),
        overflowsBefore < 0 || overflowsAfter < 0 ? -1 : overflowsAfter - overflowsBefore);
  }

  /** How often, and how far apart, the server's count is asked again for the last upgrades. */
  private static final int STATS_RETRIES = 20;

  private static final Duration STATS_RETRY_PAUSE = Duration.ofMillis(50);

  /** The kernel's {@code TcpExt: ListenOverflows} (system-wide), or -1 where unreadable. */
  static long listenOverflows() {
    try {
      List<String> lines = Files.readAllLines(Path.of("/proc/net/netstat"));
      for (int i = 0; i + 1 < lines.size(); i++) {
        if (lines.get(i).startsWith("TcpExt:") && lines.get(i + 1).startsWith("TcpExt:")) {
          List<String> names = List.of(SPACES.split(lines.get(i).trim(), -1));
          String[] values = SPACES.split(lines.get(i + 1).trim(), -1);
          int at = names.indexOf("ListenOverflows");
          return at < 0 ? -1 : Long.parseLong(values[at]);
        }
      }
    } catch (IOException | RuntimeException e) {
      return -1; // not Linux, or a format this does not know: reported as unknown
    }
    return -1;
  }

  /** Nearest rank; NaN when no session came back. */
  static double pct(double[] sorted, double p) {
    if (sorted.length == 0) {
      return Double.NaN;
    }
    int i = (int) Math.ceil(p * sorted.length) - 1;
    return sorted[Math.max(0, Math.min(sorted.length - 1, i))];
  }

  private static void sleepUntil(long nanoTime) {
    for (long left; (left = nanoTime - System.nanoTime()) > 0; ) {
      try {
        TimeUnit.NANOSECONDS.sleep(left);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted", e);
      }
    }
  }

  /**
   * What both kinds of session share: when each was back, how many saw the loss, gave up or failed
   * an attempt. Sessions record from event-loop threads; the runner reads after {@link #settled}.
   */
  private abstract static class Fleet implements AutoCloseable {
    final int sessions;
    final AtomicLongArray backAt;
    final CountDownLatch settled;
    final AtomicInteger dropped = new AtomicInteger();
    final AtomicInteger ended = new AtomicInteger();
    final AtomicInteger attemptsDown = new AtomicInteger();
    final AtomicInteger failedAfterReturn = new AtomicInteger();
    volatile boolean armed;
    volatile long returned = Long.MAX_VALUE;

    Fleet(int sessions) {
      this.sessions = sessions;
      this.backAt = new AtomicLongArray(sessions);
      this.settled = new CountDownLatch(sessions);
    }

    /** Session {@code i} is connected again (counted once). */
    final void back(int i) {
      if (armed && backAt.compareAndSet(i, 0, System.nanoTime())) {
        settled.countDown();
      }
    }

    /** A session ended for good: lost. */
    final void ended() {
      if (armed) {
        ended.incrementAndGet();
        settled.countDown();
      }
    }

    /** When connect attempts started, while armed (bounded by {@link #MAX_ATTEMPTS_KEPT}). */
    private final long[] attempts = new long[MAX_ATTEMPTS_KEPT];

    private int attemptCount;

    /** A connect attempt starts now; returns now. */
    final synchronized long attemptStarted() {
      long now = System.nanoTime();
      if (armed && attemptCount < MAX_ATTEMPTS_KEPT) {
        attempts[attemptCount++] = now;
      }
      return now;
    }

    /** When the attempts started after the server's return began, in order. */
    final synchronized long[] attemptsAfterReturn() {
      return Arrays.stream(attempts, 0, attemptCount).filter(t -> t >= returned).sorted().toArray();
    }

    /** Failures after the return by kind (exception class and message without numbers). */
    final Map<String, AtomicInteger> failureKinds = new ConcurrentHashMap<>();

    /**
     * A connect attempt that started at {@code startedAt} failed: refused while the server was
     * down, or a failed handshake if it started after the return (by its start, not its end: under
     * load a refusal can be handled long after the server is back).
     */
    final void attemptFailed(long startedAt, Throwable failure) {
      if (!armed) {
        return;
      }
      if (startedAt >= returned) {
        failedAfterReturn.incrementAndGet();
        Throwable cause = failure instanceof CompletionException c ? c.getCause() : failure;
        String kind =
            cause.getClass().getSimpleName()
                + ": "
                + String.valueOf(cause.getMessage()).replaceAll("[0-9]+", "N");
        if (failureKinds.size() < MAX_FAILURE_KINDS || failureKinds.containsKey(kind)) {
          failureKinds.computeIfAbsent(kind, k -> new AtomicInteger()).incrementAndGet();
        }
      } else {
        attemptsDown.incrementAndGet();
      }
    }

    final Side side(String name, JsonNode stats, long downNanos, Goal goal, long listenOverflows) {
      List<Double> back = new ArrayList<>(sessions);
      for (int i = 0; i < sessions; i++) {
        long t = backAt.get(i);
        if (t != 0) {
          back.add((t - returned) / 1e6);
        }
      }
      double[] sorted = back.stream().mapToDouble(Double::doubleValue).toArray();
      Arrays.sort(sorted);
      long[] offered = attemptsAfterReturn();
      ArrayNode offeredPerWindow = JSON.createArrayNode();
      StormServer.perWindow(offeredPerWindow, offered, returned);
      return new Side(
          name,
          sessions,
          pct(sorted, 0.50),
          pct(sorted, 0.99),
          sorted.length == 0 ? Double.NaN : sorted[sorted.length - 1],
          dropped.get(),
          sessions - sorted.length,
          failedAfterReturn.get(),
          attemptsDown.get(),
          downNanos / 1e6,
          goal.millis(),
          goal.note(),
          StormServer.peak(offered),
          offeredPerWindow,
          listenOverflows,
          kinds(),
          stats);
    }

    private Map<String, Integer> kinds() {
      Map<String, Integer> kinds = new TreeMap<>();
      failureKinds.forEach((k, v) -> kinds.put(k, v.get()));
      return kinds;
    }

    @Override
    public abstract void close();
  }

  /** Tether's sessions: {@link RpcConnection}s with one policy, one context each. */
  private static final class TetherFleet extends Fleet {
    private final VertxTransport transport;
    private final List<RpcConnection> live = new ArrayList<>();

    TetherFleet(Vertx vertx, URI endpoint, BackoffPolicy policy, int sessions) {
      super(sessions);
      transport = VertxTransport.create(vertx);
      Transport counted = new CountingTransport(transport, this);
      try {
        for (int from = 0; from < sessions; from += CONNECT_BATCH) {
          List<CompletableFuture<Void>> ups = new ArrayList<>(CONNECT_BATCH);
          for (int i = from; i < Math.min(sessions, from + CONNECT_BATCH); i++) {
            RpcConnection rpc = Rigs.tether(vertx, counted, endpoint, policy);
            int session = i;
            rpc.subscribe(e -> event(session, e));
            ups.add(Rigs.connected(rpc));
            live.add(rpc);
            rpc.start();
          }
          Rigs.await(CompletableFuture.allOf(ups.toArray(CompletableFuture[]::new)));
        }
      } catch (RuntimeException e) {
        close();
        throw e;
      }
    }

    private void event(int session, LifecycleEvent e) {
      if (e instanceof LifecycleEvent.Reconnecting r && r.attempt() == 1 && armed) {
        dropped.incrementAndGet();
      } else if (e instanceof LifecycleEvent.Reconnected) {
        back(session);
      } else if (e instanceof LifecycleEvent.PermanentlyDisconnected) {
        ended();
      }
    }

    @Override
    public void close() {
      for (RpcConnection rpc : live) {
        rpc.close();
      }
      for (RpcConnection rpc : live) {
        Rigs.await(rpc.terminated());
      }
      transport.close();
    }
  }

  /** Counts Tether's failed connect attempts for its fleet. */
  private static final class CountingTransport implements Transport {
    private final Transport inner;
    private final Fleet fleet;

    CountingTransport(Transport inner, Fleet fleet) {
      this.inner = inner;
      this.fleet = fleet;
    }

    /**
     * The transport's own stage, observed on the side with {@code handle}: {@code whenComplete}'s
     * stage, returned to the driver, wrapped each refusal in a {@code CompletionException} whose
     * stack trace the driver itself avoids (≈ 10 % of a failed attempt, ConnectionDriver#open): a
     * cost of this counter, not of Tether, on the client's busiest moment.
     */
    @Override
    public CompletionStage<Channel> open(URI endpoint, ChannelListener listener) {
      long startedAt = fleet.attemptStarted();
      CompletionStage<Channel> opening = inner.open(endpoint, listener);
      opening.handle(
          (ch, err) -> {
            if (err != null) {
              fleet.attemptFailed(startedAt, err);
            }
            return null;
          });
      return opening;
    }
  }

  /**
   * The loop users write by hand on raw Vert.x: one {@link WebSocketClient} for all sessions; when
   * a session's socket closes, or a connect fails, it connects again after {@link #NAIVE_INTERVAL},
   * for ever. Its callbacks run on the client's event loops.
   */
  private static final class NaiveFleet extends Fleet {
    private final Vertx vertx;
    private final WebSocketClient client;
    private final WebSocketConnectOptions options;
    private final AtomicReferenceArray<WebSocket> sockets;
    private final AtomicReferenceArray<CompletableFuture<Void>> initial;
    private volatile boolean closing;

    NaiveFleet(Vertx vertx, URI endpoint, int sessions) {
      super(sessions);
      this.vertx = vertx;
      client =
          vertx.createWebSocketClient(
              new WebSocketClientOptions()
                  .setMaxConnections(SocketMemoryFootprint.RAW_MAX_CONNECTIONS));
      options =
          new WebSocketConnectOptions()
              .setHost(endpoint.getHost())
              .setPort(endpoint.getPort())
              .setURI(endpoint.getPath());
      sockets = new AtomicReferenceArray<>(sessions);
      initial = new AtomicReferenceArray<>(sessions);
      try {
        for (int from = 0; from < sessions; from += CONNECT_BATCH) {
          int to = Math.min(sessions, from + CONNECT_BATCH);
          CompletableFuture<?>[] ups = new CompletableFuture<?>[to - from];
          for (int i = from; i < to; i++) {
            CompletableFuture<Void> up = new CompletableFuture<>();
            initial.set(i, up);
            ups[i - from] = up;
            connect(i);
          }
          Rigs.await(CompletableFuture.allOf(ups));
        }
      } catch (RuntimeException e) {
        close();
        throw e;
      }
    }

    private void connect(int i) {
      long startedAt = attemptStarted();
      client
          .connect(options)
          .onComplete(
              (ws, err) -> {
                if (err != null) {
                  attemptFailed(startedAt, err);
                  retry(i);
                  return;
                }
                sockets.set(i, ws);
                ws.closeHandler(
                    v -> {
                      if (armed) {
                        dropped.incrementAndGet();
                      }
                      retry(i);
                    });
                initial.get(i).complete(null);
                back(i);
              });
    }

    private void retry(int i) {
      if (!closing) {
        vertx.setTimer(NAIVE_INTERVAL.toMillis(), id -> connect(i));
      }
    }

    @Override
    public void close() {
      closing = true;
      List<io.vertx.core.Future<Void>> closed = new ArrayList<>();
      for (int i = 0; i < sessions; i++) {
        WebSocket ws = sockets.get(i);
        if (ws != null && !ws.isClosed()) {
          closed.add(ws.close());
        }
      }
      Rigs.await(io.vertx.core.Future.join(closed));
      Rigs.await(client.close());
    }
  }
}
