package dev.tether.bench;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tether.machine.BackoffPolicy;
import dev.tether.machine.Cause;
import dev.tether.machine.LifecycleEvent;
import dev.tether.runtime.Connection;
import dev.tether.runtime.spi.Channel;
import dev.tether.runtime.spi.ChannelListener;
import dev.tether.runtime.spi.Transport;
import dev.tether.stub.StubEndpoint;
import dev.tether.stub.StubNetwork;
import dev.tether.stub.VirtualScheduler;
import java.io.PrintStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.CompletionStage;

/**
 * B7 on the virtual clock: the reconnect storm of {@link ReconnectStorm} over the whole Tether
 * stack (real {@link Connection}s, their drivers and machines) on one {@link VirtualScheduler} and
 * {@link StubNetwork}, so the load each reconnect rule <em>offers</em> is measured with no server
 * or client capacity in the way, and one seed gives the same figures every time. On this 2-core
 * machine the real B7 measures what the server can accept (≈ 1,200-1,700 WebSockets per 100 ms) and
 * what one client JVM can offer (≈ 2,000 per 100 ms), not the rule.
 *
 * <p>{@code sessions} sessions, all to one {@link StubEndpoint} that answers every open after
 * {@link #CONNECT_LATENCY}, are connected; then the endpoint goes down (every channel dropped, new
 * opens refused) for the outage, and comes back up. Counted: every open attempt at its virtual time
 * (per fixed 100 ms window from the return, and the peak within any 100 ms, by the real B7's {@link
 * StormServer#perWindow} and {@link StormServer#peak}), each session's time from the return until
 * it is back, sessions lost, and attempts refused while down. Sides: Tether with its default
 * policy, Tether with jitter 0, and the naive loop ({@link NaiveLoop}: on close, open again every
 * {@link ReconnectStorm#NAIVE_INTERVAL} until open, as {@code ReconnectStorm.NaiveFleet} does on
 * Vert.x; its own loop, not a Tether policy).
 *
 * <p>Deterministic: no wall clock or thread is involved but the wall time reported. Confined to the
 * calling thread.
 */
final class StormModel {
  /** The seed when {@code -Dtether.seed} is not given. */
  static final long DEFAULT_SEED = 1;

  /** The system property that overrides the seed, as the simulator's property tests read it. */
  static final String SEED_PROPERTY = "tether.seed";

  /**
   * Time from an open to the endpoint's answer (accept or refuse): a round trip on a LAN or within
   * a region. Small beside the 100 ms windows, so it moves a retry's start by a millisecond per
   * earlier attempt and does not spread the storm; not zero, so an attempt is an event in time, as
   * on a network.
   */
  static final Duration CONNECT_LATENCY = Duration.ofMillis(1);

  /**
   * Virtual time allowed for the initial connects: every open is answered after {@link
   * #CONNECT_LATENCY}, so this is reached only if something is broken.
   */
  private static final Duration SET_UP_LIMIT = Duration.ofSeconds(10);

  /**
   * Bound on the attempts kept per session: the naive loop makes one per {@link
   * ReconnectStorm#NAIVE_INTERVAL} plus latency, ≈ 10 a second, so ≈ 320 over a 2 s outage and
   * {@link ReconnectStorm#GIVE_UP}; Tether's policy makes at most its 10.
   */
  private static final int MAX_ATTEMPTS_PER_SESSION = 1_000;

  private static final URI ENDPOINT = URI.create("stub://storm");
  private static final JsonNodeFactory JSON = JsonNodeFactory.instance;

  /**
   * One side's storm.
   *
   * @param offeredPeak the most open attempts started within any 100 ms after the return
   * @param offeredPerWindow the open attempts started per fixed 100 ms window from the return
   * @param p50Millis median time, after the return, until a session was back
   * @param p99Millis its 99th percentile (nearest rank)
   * @param maxMillis until the last session was back
   * @param dropped sessions that saw their connection go
   * @param lost sessions not back within {@link ReconnectStorm#GIVE_UP}, or ended for good
   * @param attemptsDown open attempts started while the endpoint was down (all refused)
   * @param failedAfterReturn open attempts refused although started after the return (none, unless
   *     the model is broken)
   * @param bound the goal for {@code maxMillis}, as the real B7 sets it ({@link
   *     ReconnectStorm#goal})
   */
  record Side(
      String name,
      int sessions,
      int offeredPeak,
      ArrayNode offeredPerWindow,
      double p50Millis,
      double p99Millis,
      double maxMillis,
      int dropped,
      int lost,
      long attemptsDown,
      long failedAfterReturn,
      ReconnectStorm.Goal bound) {}

  /** The three sides of one run, its seed and outage, and the run's wall time. */
  record Result(
      long seed,
      Duration outage,
      Side tether,
      Side tetherNoJitter,
      Side naive,
      double wallMillis) {}

  private StormModel() {}

  /**
   * B7 on the virtual clock alone: {@code java -cp benchmarks/target/benchmarks.jar
   * dev.tether.bench.StormModel [sessions [outageMillis]] [--json]} (10,000 sessions and the
   * issue's 2 s by default; {@code -Dtether.seed=N} for another seed).
   */
  public static void main(String[] args) {
    List<String> rest = new ArrayList<>(List.of(args));
    boolean json = rest.remove("--json");
    int sessions = rest.isEmpty() ? 10_000 : Integer.parseInt(rest.get(0));
    Duration outage =
        rest.size() < 2 ? ReconnectStorm.OUTAGE : Duration.ofMillis(Long.parseLong(rest.get(1)));
    report(
        measure(sessions, outage, seed()),
        json,
        new PrintStream(System.out, true, StandardCharsets.UTF_8));
  }

  /** The seed: {@code -Dtether.seed} if given, else {@link #DEFAULT_SEED}. */
  static long seed() {
    return Long.getLong(SEED_PROPERTY, DEFAULT_SEED);
  }

  /** Runs the three sides, each with {@code sessions} sessions and an outage of {@code outage}. */
  static Result measure(int sessions, Duration outage, long seed) {
    if (sessions < 1) {
      throw new IllegalArgumentException("sessions must be at least 1, was " + sessions);
    }
    long started = System.nanoTime();
    BackoffPolicy defaults = BackoffPolicy.defaults();
    BackoffPolicy flat = BackoffPolicy.builder().jitter(0).build();
    Side tether = tetherSide("Tether, default policy", defaults, sessions, outage, seed);
    Side noJitter = tetherSide("Tether, jitter 0", flat, sessions, outage, seed);
    Storm naive = new Storm(sessions);
    NaiveLoop[] loops = new NaiveLoop[sessions];
    for (int i = 0; i < sessions; i++) {
      loops[i] = new NaiveLoop(naive, i);
      loops[i].open();
    }
    Side naiveSide = naive.run("naive loop", outage, ReconnectStorm.naiveGoal(), () -> stop(loops));
    return new Result(
        seed, outage, tether, noJitter, naiveSide, (System.nanoTime() - started) / 1e6);
  }

  /**
   * Prints the result: with {@code json} one row (the peak of attempts offered per 100 ms, Tether's
   * default policy against the naive loop, goal ratio naive ÷ Tether >= 2) with every side's
   * figures; otherwise one line per side and the ratios.
   */
  static void report(Result r, boolean json, PrintStream out) {
    Side t = r.tether();
    Side naive = r.naive();
    double ratio = naive.offeredPeak() / (double) t.offeredPeak();
    if (json) {
      ObjectNode row =
          BenchJson.row(
              String.format(
                  Locale.ROOT,
                  "B7 reconnect storm on the virtual clock, peak connection attempts per 100 ms"
                      + " (%,d sessions)",
                  t.sessions()),
              t.offeredPeak(),
              naive.offeredPeak(),
              ratio,
              "attempts/100ms",
              2.0);
      row.put(
          "goal_note",
          "the load each reconnect rule offers, with no server or client capacity limit: Tether's"
              + " peak <= 0.5x the naive loop's (ratio = naive / Tether >= 2), and Tether's max"
              + " back <= its bound with 0 lost; the real-socket B7 rows measure what this"
              + " machine's server accepts");
      row.put("ratio_jitter0", naive.offeredPeak() / (double) r.tetherNoJitter().offeredPeak());
      row.put("back_goal_met", t.maxMillis() <= t.bound().millis() && t.lost() == 0);
      row.put("seed", r.seed());
      row.put("outage_ms", r.outage().toMillis());
      row.put("connect_latency_ms", CONNECT_LATENCY.toMillis());
      row.put("wall_ms", r.wallMillis());
      side(row.putObject("tether_default"), t);
      side(row.putObject("tether_jitter0"), r.tetherNoJitter());
      side(row.putObject("naive_loop"), naive);
      out.println(BenchJson.line(row));
      return;
    }
    for (Side s : List.of(t, r.tetherNoJitter(), naive)) {
      out.printf(
          Locale.ROOT,
          "%-18s %-22s back p50/p99/max %,.0f/%,.0f/%,.0f ms (goal max <= %,.0f), peak %,d"
              + " attempts offered/100 ms, lost %d, refused while down %,d%n",
          "B7 model (" + s.sessions() + ")",
          s.name(),
          s.p50Millis(),
          s.p99Millis(),
          s.maxMillis(),
          s.bound().millis(),
          s.offeredPeak(),
          s.lost(),
          s.attemptsDown());
    }
    out.printf(
        Locale.ROOT,
        "%-18s peak offered Tether / naive: default %.2fx, jitter 0 %.2fx (goal <= 0.5x); virtual"
            + " clock, no capacity limit, seed %d, %d ms connect latency, %.0f ms wall%n",
        "  B7 model ratio",
        t.offeredPeak() / (double) naive.offeredPeak(),
        r.tetherNoJitter().offeredPeak() / (double) naive.offeredPeak(),
        r.seed(),
        CONNECT_LATENCY.toMillis(),
        r.wallMillis());
  }

  private static void side(ObjectNode n, Side s) {
    n.put("offered_peak_attempts_100ms", s.offeredPeak());
    n.set("offered_attempts_per_100ms", s.offeredPerWindow());
    n.put("back_p50_ms", s.p50Millis());
    n.put("back_p99_ms", s.p99Millis());
    n.put("back_max_ms", s.maxMillis());
    n.put("bound_ms", s.bound().millis());
    n.put("bound_note", s.bound().note());
    n.put("lost", s.lost());
    n.put("dropped", s.dropped());
    n.put("attempts_refused_while_down", s.attemptsDown());
    n.put("failed_after_return", s.failedAfterReturn());
  }

  private static Side tetherSide(
      String name, BackoffPolicy policy, int sessions, Duration outage, long seed) {
    Storm storm = new Storm(sessions);
    SplittableRandom random = new SplittableRandom(seed);
    Connection[] connections = new Connection[sessions];
    for (int i = 0; i < sessions; i++) {
      Connection c =
          Connection.builder()
              .transport(storm.counted)
              .endpoint(ENDPOINT)
              .scheduler(storm.clock)
              .policy(policy)
              .random(random.split())
              .name("s" + i)
              .build();
      int session = i;
      c.subscribe(e -> storm.event(session, e));
      connections[i] = c;
      c.start();
    }
    return storm.run(
        name,
        outage,
        ReconnectStorm.goal(policy, outage.toNanos()),
        () -> Arrays.stream(connections).forEach(c -> c.close("storm over")));
  }

  private static void stop(NaiveLoop[] loops) {
    for (NaiveLoop loop : loops) {
      loop.stop();
    }
  }

  /**
   * One side's network, clock and counts: the sessions (made by the caller, on {@link #clock} and
   * {@link #counted}) report to it; {@link #run} stages the storm.
   */
  private static final class Storm {
    final VirtualScheduler clock = new VirtualScheduler();
    final StubNetwork network = new StubNetwork(clock);
    final StubEndpoint endpoint = network.endpoint(ENDPOINT).latency(CONNECT_LATENCY);
    final int sessions;
    final long[] backAt;
    private final int maxAttempts;
    private long[] attempts = new long[1024];
    private int attemptCount;
    private long attemptsNotKept;
    private int connected;
    private int back;
    private int ended;
    private int dropped;
    private boolean armed;
    private long returnedAt = Long.MAX_VALUE;

    /** The network's transport, each open stamped with its virtual time once the storm is armed. */
    final Transport counted = this::open;

    Storm(int sessions) {
      this.sessions = sessions;
      this.backAt = new long[sessions];
      this.maxAttempts = Math.multiplyExact(sessions, MAX_ATTEMPTS_PER_SESSION);
      Arrays.fill(backAt, -1);
    }

    private CompletionStage<Channel> open(URI uri, ChannelListener listener) {
      // Not thrown here: a Tether driver would take it for a failed open. run() fails instead.
      if (armed && attemptCount == maxAttempts) {
        attemptsNotKept++;
      } else if (armed) {
        if (attemptCount == attempts.length) {
          attempts = Arrays.copyOf(attempts, Math.min(maxAttempts, 2 * attempts.length));
        }
        attempts[attemptCount++] = clock.nanoTime();
      }
      return network.transport().open(uri, listener);
    }

    /** A Tether session's lifecycle event. */
    void event(int session, LifecycleEvent e) {
      if (e instanceof LifecycleEvent.Connected) {
        connected++;
      } else if (e instanceof LifecycleEvent.Reconnecting r && r.attempt() == 1 && armed) {
        dropped++;
      } else if (e instanceof LifecycleEvent.Reconnected) {
        back(session);
      } else if (e instanceof LifecycleEvent.PermanentlyDisconnected && armed) {
        ended++;
      }
    }

    /** Session {@code i} has a channel: its first, or again after the loss. */
    void opened(int i) {
      if (armed) {
        back(i);
      } else {
        connected++;
      }
    }

    void lostChannel() {
      if (armed) {
        dropped++;
      }
    }

    private void back(int i) {
      if (armed && backAt[i] < 0) {
        backAt[i] = clock.nanoTime();
        back++;
      }
    }

    /**
     * Connects every session, takes the endpoint down for {@code outage}, brings it up, runs until
     * every session is back or ended or {@link ReconnectStorm#GIVE_UP} has passed; then {@code
     * close} ends the sessions.
     */
    Side run(String name, Duration outage, ReconnectStorm.Goal bound, Runnable close) {
      if (!clock.runUntil(() -> connected == sessions, SET_UP_LIMIT)) {
        throw new IllegalStateException(
            name + ": " + connected + " of " + sessions + " sessions connected before the storm");
      }
      armed = true;
      endpoint.down();
      clock.advance(outage);
      returnedAt = clock.nanoTime();
      endpoint.up();
      clock.runUntil(() -> back + ended == sessions, ReconnectStorm.GIVE_UP);
      if (attemptsNotKept > 0) {
        throw new IllegalStateException(
            name + ": " + attemptsNotKept + " attempts beyond the " + maxAttempts + " kept");
      }
      long attemptsDown =
          Arrays.stream(attempts, 0, attemptCount).filter(t -> t < returnedAt).count();
      // Every open started while down is refused (some just after the return): by their start.
      Side side = side(name, attemptsDown, endpoint.refused() - attemptsDown, bound);
      close.run();
      clock.runUntilIdle();
      return side;
    }

    private Side side(
        String name, long attemptsDown, long failedAfterReturn, ReconnectStorm.Goal bound) {
      double[] backMillis =
          Arrays.stream(backAt)
              .filter(t -> t >= 0)
              .mapToDouble(t -> (t - returnedAt) / 1e6)
              .sorted()
              .toArray();
      long[] offered =
          Arrays.stream(attempts, 0, attemptCount).filter(t -> t >= returnedAt).sorted().toArray();
      ArrayNode perWindow = JSON.arrayNode();
      StormServer.perWindow(perWindow, offered, returnedAt);
      return new Side(
          name,
          sessions,
          StormServer.peak(offered),
          perWindow,
          ReconnectStorm.pct(backMillis, 0.50),
          ReconnectStorm.pct(backMillis, 0.99),
          ReconnectStorm.pct(backMillis, 1.0),
          dropped,
          sessions - backMillis.length,
          attemptsDown,
          failedAfterReturn,
          bound);
    }
  }

  /**
   * The naive loop on the virtual clock, as {@code ReconnectStorm.NaiveFleet} on Vert.x: when the
   * channel closes, or an open fails, open again after {@link ReconnectStorm#NAIVE_INTERVAL}, for
   * ever; no backoff, no jitter.
   */
  private static final class NaiveLoop implements ChannelListener {
    private final Storm storm;
    private final int index;
    private Channel channel;
    private boolean stopped;

    NaiveLoop(Storm storm, int index) {
      this.storm = storm;
      this.index = index;
    }

    void open() {
      storm.counted.open(ENDPOINT, this).handle(this::answered);
    }

    private Void answered(Channel ch, Throwable failure) {
      if (failure != null) {
        retry();
      } else if (stopped) {
        ch.close();
      } else {
        channel = ch;
        storm.opened(index);
      }
      return null;
    }

    private void retry() {
      if (!stopped) {
        storm.clock.schedule(ReconnectStorm.NAIVE_INTERVAL, this::open);
      }
    }

    void stop() {
      stopped = true;
      if (channel != null) {
        channel.close();
      }
    }

    @Override
    public void onFrame(byte[] frame) {
      // The storm's server sends nothing.
    }

    @Override
    public void onClosed(Cause cause) {
      channel = null;
      storm.lostChannel();
      retry();
    }
  }
}
