package dev.tether.vertx.peers;

import static dev.tether.vertx.Loopback.WAIT;
import static dev.tether.vertx.peers.NodePeerRpcTest.awaitCondition;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tether.machine.LifecycleEvent;
import dev.tether.rpc.Dialect;
import dev.tether.rpc.RpcConnection;
import dev.tether.rpc.StreamSubscription;
import dev.tether.runtime.LifecycleQueue;
import dev.tether.vertx.Loopback;
import dev.tether.vertx.Rig;
import dev.tether.vertx.VertxScheduler;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Server-named subscriptions ({@link Dialect#pubsub()}) against a real pub/sub server in a separate
 * Node process, built on the npm {@code json-rpc-2.0} library ({@link NodePeer#pubsub}): it hands
 * out random subscription ids, different in every process. Events flow before and after a SIGKILL
 * and restart on the same port, each reaching the stream whose current id tagged it, none twice;
 * unsubscribing sends the restarted server's id.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class NodePeerPubSubTest {
  private static final Duration TICK = Duration.ofMillis(10);

  private static final int EVENTS = 10;

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

  @Test
  void newIdsAreMappedAfterARestartAndUnsubscribeSendsTheCurrentId() throws Exception {
    peer = NodePeer.pubsub(TICK);
    peer.start();
    rpc =
        RpcConnection.builder()
            .transport(rig.transport())
            .scheduler(VertxScheduler.create(rig.vertx()))
            .endpoint(peer.endpoint())
            .policy(NodePeer.restartPolicy())
            .dialect(Dialect.pubsub())
            .build();
    LifecycleQueue lifecycle = LifecycleQueue.bounded();
    rpc.subscribe(lifecycle);
    Events events = new Events();
    StreamSubscription heads = rpc.listen("newHeads", e -> events.add("newHeads", e));
    rpc.listen("logs", e -> events.add("logs", e));
    rpc.start();
    Loopback.await(lifecycle, LifecycleEvent.Connected.class, WAIT);

    long firstPid = peer.pid();
    awaitCondition(
        () -> events.count(firstPid, "newHeads") >= EVENTS, "newHeads events from the first");
    awaitCondition(
        () -> events.count(firstPid, "logs") >= EVENTS, "logs events from the first process");
    String firstId = subscribedId("newHeads", 0);

    int outputBefore = peer.output().size();
    peer.kill();
    Loopback.await(lifecycle, LifecycleEvent.Reconnecting.class, WAIT);
    peer.start();
    long secondPid = peer.pid();
    Loopback.await(lifecycle, LifecycleEvent.Reconnected.class, WAIT);
    awaitCondition(
        () -> events.count(secondPid, "newHeads") >= EVENTS, "newHeads events after restart");
    awaitCondition(
        () -> events.count(secondPid, "logs") >= EVENTS, "logs events after the restart");
    String secondId = subscribedId("newHeads", outputBefore);
    assertThat(secondId).isNotEqualTo(firstId);

    events.assertEachReachedItsStreamOnce();
    assertThat(events.ids(secondPid, "newHeads")).containsExactly(secondId);
    assertThat(rpc.stats().unknownTokenEvents()).isZero();
    assertThat(rpc.stats().resubscribeFailures()).isZero();

    heads.cancel();
    awaitCondition(
        () -> peer.output().contains("UNSUB " + secondId + " true"),
        "the server got eth_unsubscribe with its own id; output: " + peer.output());
    assertThat(peer.output()).noneMatch(l -> l.startsWith("UNSUB " + firstId));
    events.assertEachReachedItsStreamOnce();
  }

  /** The id the server printed for {@code name}, at or after output line {@code from}. */
  private String subscribedId(String name, int from) {
    List<String> out = peer.output();
    for (String line : out.subList(from, out.size())) {
      if (line.startsWith("SUB " + name + " ")) {
        return line.substring(("SUB " + name + " ").length());
      }
    }
    throw new AssertionError("no SUB line for " + name + " in " + out);
  }

  /** Every event a handler got: the stream it listened to, and the payload. */
  private static final class Events {
    private final List<String> listened = new ArrayList<>();
    private final List<JsonNode> payloads = new ArrayList<>();

    synchronized void add(String stream, JsonNode payload) {
      listened.add(stream);
      payloads.add(payload);
    }

    synchronized long count(long pid, String stream) {
      long n = 0;
      for (int i = 0; i < payloads.size(); i++) {
        n += payloads.get(i).path("pid").asLong() == pid && listened.get(i).equals(stream) ? 1 : 0;
      }
      return n;
    }

    synchronized Set<String> ids(long pid, String stream) {
      Set<String> ids = new HashSet<>();
      for (int i = 0; i < payloads.size(); i++) {
        if (payloads.get(i).path("pid").asLong() == pid && listened.get(i).equals(stream)) {
          ids.add(payloads.get(i).path("id").asText());
        }
      }
      return ids;
    }

    /** Each event reached the stream the server's id named, and no (id, seq) came twice. */
    synchronized void assertEachReachedItsStreamOnce() {
      Set<String> seen = new HashSet<>();
      for (int i = 0; i < payloads.size(); i++) {
        JsonNode p = payloads.get(i);
        assertThat(p.path("stream").asText()).as("event %s", p).isEqualTo(listened.get(i));
        assertThat(seen.add(p.path("id").asText() + ":" + p.path("seq").asLong()))
            .as("event %s delivered once", p)
            .isTrue();
      }
    }
  }
}
