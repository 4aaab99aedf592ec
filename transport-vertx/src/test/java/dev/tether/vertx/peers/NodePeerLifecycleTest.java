package dev.tether.vertx.peers;

import static dev.tether.vertx.Loopback.WAIT;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tether.machine.BackoffPolicy;
import dev.tether.machine.ConnectionState;
import dev.tether.machine.LifecycleEvent;
import dev.tether.runtime.Connection;
import dev.tether.runtime.LifecycleQueue;
import dev.tether.vertx.Loopback;
import dev.tether.vertx.VertxScheduler;
import dev.tether.vertx.VertxTransport;
import io.vertx.core.Vertx;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.IntFunction;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The connection lifecycle against real third-party peers in separate Node processes: the npm
 * package {@code rpc-websockets} over {@code ws://}, and a peer on Node's {@code net} module over
 * {@code tcp://} and {@code unix://}. The peer is SIGKILLed while a request is in flight and events
 * flow, restarted on the same address, and finally killed for good.
 *
 * <p>Transport-level checks: frames flow before and after the restart, events come from the new
 * process after resubscribing, no event is delivered twice, the in-flight request's reply never
 * arrives, and after PermanentlyDisconnected nothing happens (I4).
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class NodePeerLifecycleTest {
  /** Events fire this often: many per reconnect, as the issue asks. */
  private static final Duration TICK = Duration.ofMillis(5);

  /** Events inspected for duplicates after the restart. */
  private static final int EVENTS_CHECKED = 20;

  private static final Pattern SEQ = Pattern.compile("\"seq\":(\\d+)");

  @TempDir Path tmp;

  private Vertx vertx;
  private NodePeer peer;
  private VertxTransport transport;

  @BeforeEach
  void setUp() {
    vertx = Vertx.vertx();
  }

  @AfterEach
  void tearDown() throws Exception {
    if (peer != null) {
      peer.close();
    }
    if (transport != null) {
      transport.close();
    }
    Loopback.close(vertx);
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"rpc-websockets", "net-tcp", "net-unix"})
  void survivesSigkillAndRestartThenEndsQuietly(String kind) throws Exception {
    Dialect dialect = kind.equals("rpc-websockets") ? Dialect.RPC_WEBSOCKETS : Dialect.VM_SERVICE;
    peer =
        switch (kind) {
          case "rpc-websockets" -> NodePeer.rpcWebSockets(TICK);
          case "net-tcp" -> NodePeer.netTcp(TICK);
          default -> NodePeer.netUnix(tmp.resolve("peer.sock"), TICK);
        };
    peer.start();
    transport = VertxTransport.create(vertx);
    VertxScheduler scheduler = VertxScheduler.create(vertx);
    BackoffPolicy policy =
        BackoffPolicy.builder()
            .exponential(Duration.ofMillis(50), 2.0, Duration.ofMillis(500))
            .maxAttempts(12)
            .connectTimeout(Duration.ofSeconds(5))
            .build();
    Loopback.Frames frames = new Loopback.Frames();
    LifecycleQueue events = LifecycleQueue.bounded();
    Connection c =
        Connection.builder()
            .transport(transport)
            .scheduler(scheduler)
            .endpoint(peer.endpoint())
            .policy(policy)
            .frameListener(frames)
            .build();
    c.subscribe(events);
    c.start();
    Loopback.await(events, LifecycleEvent.Connected.class, WAIT);

    // Before the kill: subscribe, receive events, call a method.
    request(c, scheduler, frames, dialect.subscribe.apply(1), 1, dialect.subscribed);
    frames.awaitContaining(dialect.event);
    request(c, scheduler, frames, dialect.call.apply(2), 2, dialect.callResult);

    // SIGKILL while a request is in flight and events flow.
    Loopback.send(c, scheduler, dialect.slow.apply(3)).get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
    long oldPid = peer.pid();
    peer.kill();
    Loopback.await(events, LifecycleEvent.Reconnecting.class, WAIT);

    // Restart on the same address: Reconnected, resubscribe, events from the new process.
    peer.start();
    assertThat(peer.pid()).isNotEqualTo(oldPid);
    Loopback.await(events, LifecycleEvent.Reconnected.class, WAIT);
    request(c, scheduler, frames, dialect.subscribe.apply(4), 4, dialect.subscribed);
    frames.awaitContaining("\"pid\":" + peer.pid());
    assertNoDuplicateEvents(frames, dialect);
    request(c, scheduler, frames, dialect.call.apply(5), 5, dialect.callResult);
    assertThat(frames.history()).noneMatch(f -> f.matches(".*\"id\":3[,}].*"));

    // Kill for good: PermanentlyDisconnected within the policy's bound, then nothing.
    peer.kill();
    long killedAt = System.nanoTime();
    Duration bound = Loopback.terminalBound(policy);
    Loopback.await(events, LifecycleEvent.PermanentlyDisconnected.class, bound);
    assertThat(Duration.ofNanos(System.nanoTime() - killedAt)).isLessThan(bound);
    assertThat(c.terminated().toCompletableFuture().get(WAIT.toMillis(), TimeUnit.MILLISECONDS))
        .isInstanceOf(ConnectionState.PermanentlyDisconnected.class);
    assertThat(events.poll(Loopback.QUIET)).isNull();
    assertThat(transport.openChannels()).isZero();
    assertThat(scheduler.pendingTimers()).isZero();
  }

  private static void request(
      Connection c,
      VertxScheduler scheduler,
      Loopback.Frames frames,
      String request,
      int id,
      String expected)
      throws Exception {
    Loopback.send(c, scheduler, request).get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
    String reply = frames.await(f -> f.matches(".*\"id\":" + id + "[,}].*"), "reply " + id);
    assertThat(reply).contains(expected);
  }

  /** The next events carry strictly increasing sequence numbers: no event arrives twice. */
  private static void assertNoDuplicateEvents(Loopback.Frames frames, Dialect dialect)
      throws InterruptedException {
    List<Long> seqs = new ArrayList<>();
    while (seqs.size() < EVENTS_CHECKED) {
      Matcher m = SEQ.matcher(frames.awaitContaining(dialect.event));
      assertThat(m.find()).isTrue();
      seqs.add(Long.parseLong(m.group(1)));
    }
    assertThat(seqs).isSorted().doesNotHaveDuplicates();
  }

  /** How to speak to each peer at the frame level. */
  private record Dialect(
      IntFunction<String> subscribe,
      String subscribed,
      String event,
      IntFunction<String> call,
      String callResult,
      IntFunction<String> slow) {

    static final Dialect RPC_WEBSOCKETS =
        new Dialect(
            id ->
                "{\"jsonrpc\":\"2.0\",\"method\":\"rpc.on\",\"params\":[\"tick\"],\"id\":"
                    + id
                    + "}",
            "\"tick\":\"ok\"",
            "\"notification\":\"tick\"",
            id -> "{\"jsonrpc\":\"2.0\",\"method\":\"sum\",\"params\":[2,3],\"id\":" + id + "}",
            "\"result\":5",
            id ->
                "{\"jsonrpc\":\"2.0\",\"method\":\"slow\",\"params\":[60000,\"late\"],\"id\":"
                    + id
                    + "}");

    static final Dialect VM_SERVICE =
        new Dialect(
            id ->
                "{\"jsonrpc\":\"2.0\",\"method\":\"streamListen\",\"params\":{\"streamId\":\"Tick\"},\"id\":"
                    + id
                    + "}",
            "Success",
            "streamNotify",
            id -> "{\"jsonrpc\":\"2.0\",\"method\":\"getVersion\",\"id\":" + id + "}",
            "\"type\":\"Version\"",
            id ->
                "{\"jsonrpc\":\"2.0\",\"method\":\"slow\",\"params\":{\"millis\":60000,\"value\":\"late\"},\"id\":"
                    + id
                    + "}");
  }
}
