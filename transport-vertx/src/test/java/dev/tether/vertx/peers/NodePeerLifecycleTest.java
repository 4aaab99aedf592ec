package dev.tether.vertx.peers;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tether.machine.BackoffPolicy;
import dev.tether.machine.LifecycleEvent;
import dev.tether.vertx.Loopback;
import dev.tether.vertx.Rig;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.IntFunction;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
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

  private final Rig rig = new Rig();
  private NodePeer peer;

  @AfterEach
  void tearDown() throws Exception {
    if (peer != null) {
      peer.close();
    }
    rig.close();
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"rpc-websockets", "net-tcp", "net-unix"})
  void survivesSigkillAndRestartThenEndsQuietly(String kind) throws Exception {
    Dialect dialect = kind.equals("rpc-websockets") ? Dialect.RPC_WEBSOCKETS : Dialect.VM_SERVICE;
    peer = NodePeer.of(kind, tmp.resolve("peer.sock"), TICK);
    peer.start();
    BackoffPolicy policy = NodePeer.restartPolicy();
    Rig.Client client = rig.connect(peer.endpoint(), policy);
    client.await(LifecycleEvent.Connected.class);

    // Before the kill: subscribe, receive events, call a method.
    request(client, dialect.subscribe.apply(1), 1, dialect.subscribed);
    client.frames().awaitContaining(dialect.event);
    request(client, dialect.call.apply(2), 2, dialect.callResult);

    // SIGKILL while a request is in flight and events flow.
    client.send(dialect.slow.apply(3));
    long oldPid = peer.pid();
    peer.kill();
    client.await(LifecycleEvent.Reconnecting.class);

    // Restart on the same address: Reconnected, resubscribe, events from the new process.
    peer.start();
    assertThat(peer.pid()).isNotEqualTo(oldPid);
    client.await(LifecycleEvent.Reconnected.class);
    request(client, dialect.subscribe.apply(4), 4, dialect.subscribed);
    client.frames().awaitContaining("\"pid\":" + peer.pid());
    assertNoDuplicateEvents(client.frames(), dialect);
    request(client, dialect.call.apply(5), 5, dialect.callResult);
    assertThat(client.frames().history()).noneMatch(f -> f.matches(".*\"id\":3[,}].*"));

    // Kill for good: PermanentlyDisconnected within the policy's bound, then nothing.
    peer.kill();
    client.assertEndsQuietly(policy);
  }

  private static void request(Rig.Client client, String request, int id, String expected)
      throws Exception {
    client.send(request);
    String reply =
        client.frames().await(f -> f.matches(".*\"id\":" + id + "[,}].*"), "reply " + id);
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
