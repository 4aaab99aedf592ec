package dev.tether.rpc;

import static dev.tether.rpc.RpcFixture.JSON;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tether.machine.ConnectionState;
import dev.tether.machine.LifecycleEvent;
import dev.tether.stub.rpc.ScriptedRpcPeer.PeerDialect;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Subscriptions the server names (issue 14, part 3) on the stub transport: the {@code pubsub}
 * dialect against the scripted peer's {@code eth_subscribe} convention, and a builder dialect for
 * MCP resource subscriptions.
 */
class ServerNamedSubscriptionTest {
  static final Duration LONG = Duration.ofHours(1);

  final RpcFixture fx = new RpcFixture(PeerDialect.PUBSUB);
  final List<String> heads = new ArrayList<>();
  final List<String> logs = new ArrayList<>();
  final Map<String, List<StreamSubscription>> listening = new HashMap<>();

  RpcConnection connect() {
    RpcConnection c = fx.start(fx.builder(Dialect.pubsub()));
    listen(c, "newHeads", heads); // 0x1
    listen(c, "logs", logs); // 0x2
    fx.clock.runUntilIdle();
    return c;
  }

  StreamSubscription listen(RpcConnection c, String stream, List<String> into) {
    return listen(c, stream, into, Delivery.direct());
  }

  StreamSubscription listen(RpcConnection c, String stream, List<String> into, Delivery d) {
    StreamSubscription s = c.listen(stream, e -> into.add(e.asText()), d);
    listening.computeIfAbsent(stream, k -> new ArrayList<>()).add(s);
    return s;
  }

  /** Cancels every handler of {@code stream}: the connection cancels it on the server. */
  void cancelAll(String stream) {
    listening.getOrDefault(stream, List.of()).forEach(StreamSubscription::cancel);
    listening.remove(stream);
    fx.clock.runUntilIdle();
  }

  String tokenOf(String stream) {
    return fx.peer.tokens().entrySet().stream()
        .filter(e -> e.getValue().equals(stream))
        .map(Map.Entry::getKey)
        .findFirst()
        .orElseThrow();
  }

  void restartAndReconnect(RpcConnection c) {
    long before = c.stats().reconnects();
    fx.peer.restart();
    fx.clock.runUntil(() -> c.stats().reconnects() == before + 1, LONG);
  }

  @Test
  void eventsAreRoutedByTheTokenTheServerHandedOut() {
    RpcConnection c = connect();
    assertThat(fx.peer.tokens()).containsOnlyKeys("0x1", "0x2").containsValues("newHeads", "logs");
    fx.peer.emit("newHeads", JSON.textNode("h1"));
    fx.peer.emit("logs", JSON.textNode("l1"));
    fx.clock.runUntilIdle();
    assertThat(heads).containsExactly("h1");
    assertThat(logs).containsExactly("l1");
    assertThat(c.stats().eventsReceived()).isEqualTo(2);
    assertThat(c.stats().unknownTokenEvents()).isZero();
  }

  @Test
  void reconnectMapsTheNewTokensBeforeReconnected() {
    RpcConnection c = connect();
    // newHeads again, as 0x3: after the restart logs is 0x1 and newHeads 0x2, so the value 0x2
    // moves from logs to newHeads.
    cancelAll("newHeads");
    listen(c, "newHeads", heads);
    fx.clock.runUntilIdle();
    assertThat(fx.peer.tokens()).containsEntry("0x2", "logs").containsEntry("0x3", "newHeads");

    RpcClient client = (RpcClient) c;
    List<Map<String, String>> atReconnected = new ArrayList<>();
    c.subscribe(
        e -> {
          if (e instanceof LifecycleEvent.Reconnected r) {
            // At the moment Reconnected is delivered, an event tagged with a new token is routed.
            atReconnected.add(fx.peer.tokens());
            client.onFrame(r.epoch(), tagged(tokenOf("newHeads"), "at-reconnected"));
          }
        });
    restartAndReconnect(c);
    assertThat(atReconnected)
        .containsExactly(Map.of("0x1", "logs", "0x2", "newHeads")); // I7: the desired set
    assertThat(heads).containsExactly("at-reconnected");

    fx.peer.emit("newHeads", JSON.textNode("h2"));
    fx.peer.emit("logs", JSON.textNode("l2"));
    fx.clock.runUntilIdle();
    assertThat(heads).containsExactly("at-reconnected", "h2");
    assertThat(logs).containsExactly("l2");
    assertThat(c.stats().unknownTokenEvents()).isZero();
  }

  @Test
  void unsubscribeSendsTheCurrentToken() {
    RpcConnection c = fx.start(fx.builder(Dialect.pubsub()));
    listen(c, "logs", logs); // 0x1, taken so that newHeads' token changes after the restart
    StreamSubscription s = listen(c, "newHeads", heads);
    fx.clock.runUntilIdle();
    assertThat(tokenOf("newHeads")).isEqualTo("0x2");
    cancelAll("logs");
    restartAndReconnect(c);
    assertThat(tokenOf("newHeads")).isEqualTo("0x1");
    s.cancel();
    fx.clock.runUntilIdle();
    assertThat(fx.peer.unsubscribeTokens()).containsExactly("0x1", "0x1"); // logs', newHeads'

    assertThat(fx.peer.tokens()).isEmpty();
    assertThat(fx.peer.subscriptions()).isEmpty();
  }

  @Test
  void unknownAndStaleTokensAreCountedNotDelivered() {
    RpcConnection c = connect(); // newHeads 0x1, logs 0x2
    fx.peer.emitToken("0xdead", JSON.textNode("nobody's"));
    fx.clock.runUntilIdle();
    assertThat(c.stats().unknownTokenEvents()).isEqualTo(1);
    cancelAll("logs");
    fx.peer.emitToken("0x2", JSON.textNode("cancelled")); // logs' token, now cancelled
    fx.clock.runUntilIdle();
    restartAndReconnect(c); // newHeads 0x1 again
    fx.peer.emitToken("0x2", JSON.textNode("stale")); // the previous server's token
    fx.clock.runUntilIdle();
    assertThat(heads).isEmpty();
    assertThat(logs).isEmpty();
    assertThat(c.stats().unknownTokenEvents()).isEqualTo(3);
    assertThat(c.stats().eventsReceived()).isZero();
  }

  /** A stream cancelled while its eth_subscribe is in flight: the token is cancelled on arrival. */
  @Test
  void cancelWhileSubscribingCancelsTheTokenWhenItArrives() {
    RpcConnection c = fx.start(fx.builder(Dialect.pubsub()));
    fx.peer.delay("eth_subscribe", Duration.ofMillis(50));
    StreamSubscription s = c.listen("newHeads", e -> heads.add(e.asText()));
    fx.clock.advance(Duration.ofMillis(10));
    s.cancel();
    fx.clock.advance(Duration.ofMillis(100));
    assertThat(fx.peer.unsubscribeTokens()).containsExactly("0x1");
    assertThat(fx.peer.tokens()).isEmpty();
  }

  /** Cancelled and listened again while the first subscribe is in flight: one token stays. */
  @Test
  void relistenWhileSubscribingKeepsOneServerSubscription() {
    RpcConnection c = fx.start(fx.builder(Dialect.pubsub()));
    fx.peer.delay("eth_subscribe", Duration.ofMillis(50));
    StreamSubscription first = c.listen("newHeads", e -> heads.add("first " + e.asText()));
    fx.clock.advance(Duration.ofMillis(10)); // its eth_subscribe is in flight
    first.cancel();
    c.listen("newHeads", e -> heads.add(e.asText())); // a second eth_subscribe
    fx.clock.advance(Duration.ofMillis(100));
    assertThat(fx.peer.received("eth_subscribe")).isEqualTo(2);
    assertThat(fx.peer.unsubscribeTokens()).containsExactly("0x2"); // the second, surplus token
    assertThat(fx.peer.tokens()).hasSize(1).containsValue("newHeads");
    fx.peer.emit("newHeads", JSON.textNode("h"));
    fx.clock.runUntilIdle();
    assertThat(heads).containsExactly("h");
    assertThat(c.stats().inFlight()).isZero();
  }

  /**
   * Events parked behind a full PAUSE lane outlive their channel; their tokens are the lost
   * channel's. The restarted server hands out the same values for other streams, and a parked event
   * must not reach the stream that now holds its old token's value.
   */
  @Test
  void parkedEventsOfALostChannelNeverFollowTheNewServersTokens() {
    List<Runnable> laneTasks = new ArrayList<>();
    RpcConnection c = fx.start(fx.builder(Dialect.pubsub()).maxBacklogFrames(16));
    listen(c, "logs", logs); // 0x1
    listen(c, "newHeads", heads, Delivery.queued(laneTasks::add, 1, Delivery.Overflow.PAUSE));
    fx.clock.runUntilIdle(); // newHeads 0x2
    cancelAll("logs");
    listen(c, "logs", logs); // 0x3; after a restart: newHeads 0x1, logs 0x2
    fx.clock.runUntilIdle();
    for (int i = 0; i < 5; i++) {
      fx.peer.emit("newHeads", JSON.textNode("h" + i)); // tagged 0x2: one queued, the rest parked
    }
    fx.clock.runUntilIdle();
    assertThat(((RpcClient) c).parkedForTest()).isPositive();
    fx.peer.restart();
    fx.clock.runUntil(() -> c.state() instanceof ConnectionState.Connected, LONG);
    while (!laneTasks.isEmpty() && c.stats().reconnects() == 0) {
      laneTasks.remove(0).run();
      fx.clock.runUntilIdle();
    }
    fx.clock.runUntil(() -> c.stats().reconnects() == 1, LONG);
    while (!laneTasks.isEmpty()) {
      laneTasks.remove(0).run();
      fx.clock.runUntilIdle();
    }
    assertThat(fx.peer.tokens()).containsEntry("0x2", "logs");
    assertThat(logs).isEmpty();
    assertThat(heads).containsExactly("h0");
    assertThat(c.stats().unknownTokenEvents()).isEqualTo(4);
  }

  // ------------------------------------------------------------------ the dialect builder

  @Test
  void builderExpressesMcpResourceSubscriptions() {
    RpcFixture plain = new RpcFixture(PeerDialect.PLAIN);
    List<JsonNode> subscribed = new ArrayList<>();
    plain.peer.handle(
        "resources/subscribe",
        p -> {
          subscribed.add(p);
          return JSON.objectNode();
        });
    plain.peer.handle("resources/unsubscribe", p -> JSON.objectNode());
    RpcConnection c = plain.start(plain.builder(RpcDocExampleTest.mcpResources()));
    List<String> updates = new ArrayList<>();
    StreamSubscription s = c.listen("file:///a.txt", e -> updates.add(e.path("uri").asText()));
    plain.clock.runUntilIdle();
    assertThat(subscribed).hasSize(1);
    assertThat(subscribed.get(0).path("uri").asText()).isEqualTo("file:///a.txt");
    plain.peer.pushRaw(updated("file:///a.txt"));
    plain.peer.pushRaw(updated("file:///b.txt"));
    plain.clock.runUntilIdle();
    assertThat(updates).containsExactly("file:///a.txt");
    assertThat(c.stats().unroutedNotifications()).isEqualTo(1);
    s.cancel();
    plain.clock.runUntilIdle();
    assertThat(plain.peer.received("resources/unsubscribe")).isEqualTo(1);
  }

  @Test
  void builderRejectsIncompleteConventionsAtBuild() {
    assertThatThrownBy(() -> Dialect.builder("x").build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("no event rule");
    assertThatThrownBy(
            () ->
                Dialect.builder("x").subscribe("s", n -> null).event("e", p -> "a", p -> p).build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("subscribe and unsubscribe");
    assertThatThrownBy(
            () ->
                Dialect.builder("x")
                    .subscribe("s", n -> null)
                    .unsubscribe("u", n -> null)
                    .tokenEvent("e", p -> "t", p -> p)
                    .build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("tokenFromResult");
    assertThatThrownBy(
            () -> Dialect.builder("x").event("e", p -> "a", p -> p).event("e", p -> "b", p -> p))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("already has an event rule");
    assertThatThrownBy(() -> Dialect.builder("")).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void pubsubRefusesAResultThatIsNoToken() {
    Dialect d = Dialect.pubsub();
    assertThat(d.subscribeRefusal("newHeads", JSON.objectNode())).isPresent();
    assertThat(d.subscribeRefusal("newHeads", JSON.textNode("0x1"))).isEmpty();
    assertThat(d.subscriptionToken("newHeads", JSON.numberNode(7))).contains("7");
    assertThat(d.unsubscribe("newHeads")).isEmpty();
    assertThat(d.unsubscribe("newHeads", "0x1").orElseThrow().params().get(0).asText())
        .isEqualTo("0x1");
  }

  @Test
  void streamEventStaysSourceCompatibleAndSaysWhichKindItIs() {
    Dialect.StreamEvent named = new Dialect.StreamEvent("s", JSON.nullNode());
    Dialect.StreamEvent tagged = Dialect.StreamEvent.tagged("0x1", JSON.nullNode());
    assertThat(named.isTagged()).isFalse();
    assertThat(tagged.isTagged()).isTrue();
    assertThat(tagged.stream()).isNull();
    assertThatThrownBy(() -> new Dialect.StreamEvent("s", JSON.nullNode(), "0x1"))
        .isInstanceOf(IllegalArgumentException.class);
  }

  // ------------------------------------------------------------------ helpers

  static byte[] tagged(String token, String payload) {
    return ("{\"jsonrpc\":\"2.0\",\"method\":\"eth_subscription\",\"params\":{\"subscription\":\""
            + token
            + "\",\"result\":\""
            + payload
            + "\"}}")
        .getBytes(StandardCharsets.UTF_8);
  }

  static byte[] updated(String uri) {
    return ("{\"jsonrpc\":\"2.0\",\"method\":\"notifications/resources/updated\",\"params\":{\"uri\":\""
            + uri
            + "\"}}")
        .getBytes(StandardCharsets.UTF_8);
  }
}
