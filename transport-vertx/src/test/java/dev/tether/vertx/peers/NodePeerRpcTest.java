package dev.tether.vertx.peers;

import static dev.tether.vertx.Loopback.QUIET;
import static dev.tether.vertx.Loopback.WAIT;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.tether.machine.BackoffPolicy;
import dev.tether.machine.ConnectionState;
import dev.tether.machine.LifecycleEvent;
import dev.tether.rpc.Dialect;
import dev.tether.rpc.RpcConnection;
import dev.tether.rpc.RpcException;
import dev.tether.runtime.LifecycleQueue;
import dev.tether.vertx.Loopback;
import dev.tether.vertx.Rig;
import dev.tether.vertx.VertxScheduler;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The JSON-RPC layer ({@link RpcConnection}) on the Vert.x transport against real third-party peers
 * in separate Node processes: {@code rpc-websockets} over {@code ws://}, and the Node {@code net}
 * peer over {@code tcp://} and {@code unix://}.
 *
 * <p>What a user of the RPC layer is promised when the server process dies: the request in flight
 * fails with {@link RpcException.ConnectionLost} as soon as the channel is lost (I6), long before
 * its own deadline; the stream is resubscribed on the restarted process without the user doing
 * anything (I7) and its handler never sees an event twice; after PermanentlyDisconnected nothing
 * happens any more (I4).
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class NodePeerRpcTest {
  /** Events fire this often: many arrive while the peer is killed and restarted. */
  private static final Duration TICK = Duration.ofMillis(5);

  /** Events from the restarted process that must arrive before the duplicate check. */
  private static final int EVENTS_AFTER_RESTART = 20;

  /**
   * The request deadline: far longer than the test's waits, so a request that settles within {@link
   * Loopback#WAIT} of the kill settled because the channel was lost, not by its timeout.
   */
  private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(60);

  @TempDir Path tmp;

  private final Rig rig = new Rig();
  private NodePeer peer;
  private RpcConnection rpc;

  @AfterEach
  void tearDown() {
    if (rpc != null) {
      rpc.close();
    }
    if (peer != null) {
      peer.close();
    }
    rig.close();
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"rpc-websockets", "net-tcp", "net-unix"})
  void inFlightRequestFailsAtOnceAndStreamResumesWithoutDuplicates(String kind) throws Exception {
    boolean rpcWebSockets = kind.equals("rpc-websockets");
    peer = NodePeer.of(kind, tmp.resolve("peer.sock"), TICK);
    peer.start();
    BackoffPolicy policy = NodePeer.restartPolicy();
    VertxScheduler scheduler = VertxScheduler.create(rig.vertx());
    rpc =
        RpcConnection.builder()
            .transport(rig.transport())
            .scheduler(scheduler)
            .endpoint(peer.endpoint())
            .policy(policy)
            .dialect(rpcWebSockets ? Dialect.rpcWebsockets() : Dialect.vmService())
            .requestTimeout(REQUEST_TIMEOUT)
            .build();
    LifecycleQueue lifecycle = LifecycleQueue.bounded();
    rpc.subscribe(lifecycle);
    Ticks ticks = new Ticks();
    rpc.listen(rpcWebSockets ? "tick" : "Tick", ticks::add);
    rpc.start();
    Loopback.await(lifecycle, LifecycleEvent.Connected.class, WAIT);

    // Before the kill: events flow and a call answers.
    long firstPid = peer.pid();
    ticks.awaitFrom(firstPid, 1);
    assertThat(call(rpcWebSockets).get(WAIT.toMillis(), TimeUnit.MILLISECONDS).asText())
        .isEqualTo(rpcWebSockets ? "5" : "4");

    // SIGKILL with a request in flight: it fails with ConnectionLost at once, not at its deadline.
    CompletableFuture<JsonNode> inFlight = slow(rpcWebSockets);
    awaitCondition(() -> rpc.stats().inFlight() == 1, "the slow request in flight");
    peer.kill();
    assertThat(failureOf(inFlight))
        .isInstanceOf(RpcException.ConnectionLost.class)
        .hasMessageContaining("channel lost");
    // Settled by the loss itself, while the connection is still retrying, not by the terminal end.
    assertThat(rpc.state()).isNotInstanceOf(ConnectionState.PermanentlyDisconnected.class);
    assertThat(rpc.stats().connectionLost()).isEqualTo(1);
    assertThat(rpc.stats().inFlight()).isZero();
    Loopback.await(lifecycle, LifecycleEvent.Reconnecting.class, WAIT);

    // Restart on the same address: Reconnected, and the stream resumes from the new process
    // without the test subscribing again; no handler call repeats an event.
    peer.start();
    long secondPid = peer.pid();
    assertThat(secondPid).isNotEqualTo(firstPid);
    Loopback.await(lifecycle, LifecycleEvent.Reconnected.class, WAIT);
    ticks.awaitFrom(secondPid, EVENTS_AFTER_RESTART);
    ticks.assertNoDuplicates();
    assertThat(rpc.stats().resubscribeFailures()).isZero();
    assertThat(call(rpcWebSockets).get(WAIT.toMillis(), TimeUnit.MILLISECONDS).asText())
        .isEqualTo(rpcWebSockets ? "5" : "4");

    // Kill for good: PermanentlyDisconnected within the policy's bound, then nothing at all.
    peer.kill();
    Duration bound = Loopback.terminalBound(policy);
    Loopback.await(lifecycle, LifecycleEvent.PermanentlyDisconnected.class, bound);
    assertThat(rpc.terminated().toCompletableFuture().get(WAIT.toMillis(), TimeUnit.MILLISECONDS))
        .isInstanceOf(ConnectionState.PermanentlyDisconnected.class);
    int eventsAtEnd = ticks.size();
    assertThat(lifecycle.poll(QUIET)).isNull();
    assertThat(ticks.size()).isEqualTo(eventsAtEnd);
    assertThat(failureOf(call(rpcWebSockets)))
        .isInstanceOf(RpcException.ConnectionLost.class)
        .hasMessageContaining("ended");
    assertThat(rig.transport().openChannels()).isZero();
    assertThat(scheduler.pendingTimers()).isZero();
    ticks.assertNoDuplicates();
  }

  private CompletableFuture<JsonNode> call(boolean rpcWebSockets) {
    JsonNodeFactory json = JsonNodeFactory.instance;
    return (rpcWebSockets
            ? rpc.request("sum", json.arrayNode().add(2).add(3))
            : rpc.request("getVersion", null).thenApply(v -> v.path("major")))
        .toCompletableFuture();
  }

  /** A request the peer answers only after a minute: reliably in flight when it is killed. */
  private CompletableFuture<JsonNode> slow(boolean rpcWebSockets) {
    JsonNodeFactory json = JsonNodeFactory.instance;
    JsonNode params =
        rpcWebSockets
            ? json.arrayNode().add(60_000).add("late")
            : json.objectNode().put("millis", 60_000).put("value", "late");
    return rpc.request("slow", params).toCompletableFuture();
  }

  /** Waits (bounded by {@link Loopback#WAIT}) for a condition another thread makes true. */
  static void awaitCondition(java.util.function.BooleanSupplier condition, String what) {
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (!condition.getAsBoolean()) {
      assertThat(System.nanoTime()).as("%s within %s", what, WAIT).isLessThan(deadline);
      java.util.concurrent.locks.LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
    }
  }

  private static Throwable failureOf(CompletableFuture<JsonNode> future) throws Exception {
    try {
      JsonNode value = future.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
      throw new AssertionError("expected a failure, got " + value);
    } catch (ExecutionException | CompletionException e) {
      return e.getCause();
    }
  }

  /** Every event the stream handler received, as (pid, seq), in arrival order. */
  private static final class Ticks {
    private final List<String> seen = new ArrayList<>();

    synchronized void add(JsonNode event) {
      // rpc-websockets delivers the emitted arguments as an array; vm-service the event object.
      JsonNode tick = event.isArray() ? event.path(0) : event;
      seen.add(tick.path("pid").asLong() + ":" + tick.path("seq").asLong());
      notifyAll();
    }

    synchronized int size() {
      return seen.size();
    }

    synchronized void awaitFrom(long pid, int count) throws InterruptedException {
      long deadline = System.nanoTime() + WAIT.toNanos();
      while (fromPid(pid) < count) {
        long left = deadline - System.nanoTime();
        assertThat(left).as("%d events from pid %d within %s", count, pid, WAIT).isPositive();
        TimeUnit.NANOSECONDS.timedWait(this, left);
      }
    }

    private long fromPid(long pid) {
      return seen.stream().filter(s -> s.startsWith(pid + ":")).count();
    }

    /** No (pid, seq) twice, and each process's sequence numbers strictly increase. */
    synchronized void assertNoDuplicates() {
      Set<String> unique = new HashSet<>(seen);
      assertThat(unique).as("distinct events").hasSameSizeAs(seen);
      java.util.Map<String, Long> last = new java.util.HashMap<>();
      for (String s : seen) {
        String[] parts = s.split(":", 2);
        long seq = Long.parseLong(parts[1]);
        Long previous = last.put(parts[0], seq);
        assertThat(previous == null || previous < seq)
            .as("seq %d after %s from pid %s", seq, previous, parts[0])
            .isTrue();
      }
    }
  }
}
