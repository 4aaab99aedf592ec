package dev.tether.cli;

import dev.tether.machine.BackoffPolicy;
import dev.tether.machine.LifecycleEvent;
import dev.tether.rpc.Dialect;
import dev.tether.rpc.RpcConnection;
import dev.tether.vertx.VertxTransportOptions;
import dev.tether.vertx.testserver.VmServiceServer;
import io.vertx.core.Vertx;
import java.io.PrintWriter;
import java.net.URI;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * {@code tether demo} on real sockets: an in-process {@link VmServiceServer} on 127.0.0.1 (a free
 * port), a JSON-RPC connection with two streams, two outages (server stopped, then restarted on the
 * same port: Reconnecting … Reconnected, streams resubscribed, events again), and a final stop
 * (PermanentlyDisconnected). Every wait is for a real condition and bounded.
 */
final class SocketDemo {
  /** The streams the demo subscribes. */
  static final List<String> STREAMS = List.of("Isolate", "Debug");

  /** How often the server sends an event on each subscribed stream. */
  static final Duration EVENT_INTERVAL = Duration.ofMillis(200);

  /** Events per stream the demo waits for after each (re)connect, to show them flowing. */
  static final int EVENTS_PER_PHASE = 2;

  /** Outages that heal before the final one. */
  static final int OUTAGES = 2;

  /**
   * The retry attempt during which the server comes back: attempt 1 fails (server down), so each
   * outage shows a failed attempt before the Reconnected.
   */
  static final int RESTART_AT_ATTEMPT = 2;

  /**
   * Fast retries, five per outage: the final outage ends in PermanentlyDisconnected after about 0.1
   * + 0.2 + 0.4 + 0.8 + 1 s (±20 % jitter), keeping the demo well under 20 s.
   */
  static final BackoffPolicy POLICY =
      BackoffPolicy.builder()
          .exponential(Duration.ofMillis(100), 2.0, Duration.ofSeconds(1))
          .maxAttempts(5)
          .connectTimeout(Duration.ofSeconds(2))
          .build();

  /**
   * Bound on each wait of the script (server start/stop, a lifecycle step, events): each normally
   * takes well under a second on loopback; the final outage takes about 3 s.
   */
  static final Duration STEP_TIMEOUT = Duration.ofSeconds(8);

  /** Exit status when a step did not happen in time. */
  static final int EXIT_STUCK = 1;

  private final EventPrinter printer;
  private final PrintWriter err;
  private final long seed;
  private final Progress progress = new Progress();
  private final Consumer<RpcConnection> onConnection; // demo --metrics binds its registry here

  SocketDemo(EventPrinter printer, PrintWriter err, long seed) {
    this(printer, err, seed, rpc -> {});
  }

  SocketDemo(
      EventPrinter printer, PrintWriter err, long seed, Consumer<RpcConnection> onConnection) {
    this.printer = printer;
    this.err = err;
    this.seed = seed;
    this.onConnection = onConnection;
  }

  int run() {
    Vertx vertx = Vertx.vertx();
    try {
      VmServiceServer server =
          VmServiceServer.builder(vertx).webSocket("/ws").eventInterval(EVENT_INTERVAL).build();
      URI endpoint = await(server.start(), "the server to start");
      printer.text(
          "Tether demo: in-process vm-service server at "
              + endpoint
              + ", real sockets, streams "
              + String.join(", ", STREAMS)
              + ", seed "
              + seed);
      printer.text("policy: " + LifecycleJson.policy(POLICY));
      SocketRpc connection =
          SocketRpc.using(
              vertx,
              endpoint,
              VertxTransportOptions.defaults(),
              b ->
                  b.dialect(Dialect.vmService())
                      .policy(POLICY)
                      .random(new SplittableRandom(seed))
                      .name("demo"));
      onConnection.accept(connection.rpc());
      try {
        script(server, connection.rpc());
      } finally {
        connection.close("demo done");
      }
      printer.text(
          "done in "
              + printer.elapsedMillis()
              + " ms: "
              + progress.reconnects()
              + " reconnects, "
              + progress.totalEvents()
              + " events");
      return 0;
    } catch (StuckException e) {
      printer.flush();
      err.println("tether demo: " + e.getMessage());
      return EXIT_STUCK;
    } finally {
      SocketRpc.await(vertx.close().toCompletionStage(), "Vert.x to close");
      printer.flush();
    }
  }

  private void script(VmServiceServer server, RpcConnection rpc) {
    rpc.subscribe(
        e -> {
          printer.lifecycle(e);
          progress.lifecycle(e);
        });
    for (String stream : STREAMS) {
      rpc.listen(
          stream,
          event -> {
            printer.event(stream, event);
            progress.event(stream);
          });
    }
    rpc.start();
    progress.await(p -> p.eventsOnEveryStream(EVENTS_PER_PHASE), "events on every stream");
    for (int outage = 1; outage <= OUTAGES; outage++) {
      int reconnectsBefore = progress.reconnects();
      printer.note("server stops (outage " + outage + " of " + OUTAGES + ")");
      await(server.stop(), "the server to stop");
      progress.await(p -> p.retryAttempt() >= RESTART_AT_ATTEMPT, "a failed retry");
      printer.note("server restarts on the same port");
      await(server.start(), "the server to restart");
      progress.await(p -> p.reconnects() > reconnectsBefore, "Reconnected");
      progress.await(
          p -> p.eventsOnEveryStream(EVENTS_PER_PHASE), "events on every resubscribed stream");
      printer.note(
          "streams "
              + String.join(", ", STREAMS)
              + " were resubscribed on the new server before Reconnected; events flow again");
    }
    printer.note("server stops for good");
    await(server.stop(), "the server to stop");
    progress.await(Progress::terminated, "PermanentlyDisconnected");
  }

  static <T> T await(CompletionStage<T> stage, String what) {
    try {
      return stage.toCompletableFuture().get(STEP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new StuckException("interrupted while waiting for " + what);
    } catch (ExecutionException | TimeoutException e) {
      throw new StuckException("gave up waiting for " + what + ": " + e);
    }
  }

  /** A step of the script did not happen within {@link #STEP_TIMEOUT}. */
  static final class StuckException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    StuckException(String message) {
      super(message);
    }
  }

  /** What the connection reported so far; the script waits on it. Thread-safe. */
  static final class Progress {
    private final Map<String, Integer> eventsSinceUp = new HashMap<>();
    private int retryAttempt;
    private int reconnects;
    private int totalEvents;
    private boolean terminated;

    synchronized void lifecycle(LifecycleEvent e) {
      if (e instanceof LifecycleEvent.Reconnecting r) {
        retryAttempt = r.attempt();
      } else if (e instanceof LifecycleEvent.Connected || e instanceof LifecycleEvent.Reconnected) {
        retryAttempt = 0;
        eventsSinceUp.clear();
        reconnects += e instanceof LifecycleEvent.Reconnected ? 1 : 0;
      }
      terminated |= e.isTerminal();
      notifyAll();
    }

    synchronized void event(String stream) {
      eventsSinceUp.merge(stream, 1, Integer::sum);
      totalEvents++;
      notifyAll();
    }

    synchronized boolean eventsOnEveryStream(int atLeast) {
      return STREAMS.stream().allMatch(s -> eventsSinceUp.getOrDefault(s, 0) >= atLeast);
    }

    synchronized int retryAttempt() {
      return retryAttempt;
    }

    synchronized int reconnects() {
      return reconnects;
    }

    synchronized int totalEvents() {
      return totalEvents;
    }

    synchronized boolean terminated() {
      return terminated;
    }

    /**
     * Waits until {@code condition} holds, at most {@link #STEP_TIMEOUT}.
     *
     * @throws StuckException if it does not hold in time, or the connection ended without it
     */
    synchronized void await(Predicate<Progress> condition, String what) {
      awaitOn(this, () -> condition.test(this), () -> terminated, STEP_TIMEOUT, what);
    }
  }

  /**
   * Waits on {@code monitor}, which the caller holds and which is notified on every change, until
   * {@code condition} holds, at most {@code limit}.
   *
   * @throws StuckException if it does not hold in time, or the connection {@code ended} without it
   */
  static void awaitOn(
      Object monitor,
      BooleanSupplier condition,
      BooleanSupplier ended,
      Duration limit,
      String what) {
    long deadline = System.nanoTime() + limit.toNanos();
    while (!condition.getAsBoolean()) {
      if (ended.getAsBoolean()) {
        throw new StuckException("the connection ended before " + what);
      }
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        throw new StuckException("no " + what + " within " + limit.toMillis() + " ms");
      }
      try {
        TimeUnit.NANOSECONDS.timedWait(monitor, left);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new StuckException("interrupted while waiting for " + what);
      }
    }
  }
}
