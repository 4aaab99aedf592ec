package dev.tether.stub.rpc;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.tether.rpc.Dialect;
import dev.tether.rpc.RpcConnection;
import dev.tether.rpc.RpcException;
import dev.tether.stub.StubEndpoint;
import dev.tether.stub.StubNetwork;
import dev.tether.stub.VirtualScheduler;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/** The scripted peer's own contract: unknown methods, schedules on virtual time, restart. */
class ScriptedRpcPeerTest {
  static final URI SERVER = URI.create("stub://peer");
  final VirtualScheduler clock = new VirtualScheduler();
  final StubNetwork network = new StubNetwork(clock);
  final StubEndpoint endpoint = network.endpoint(SERVER);
  final ScriptedRpcPeer peer =
      ScriptedRpcPeer.attach(endpoint, clock, ScriptedRpcPeer.PeerDialect.VM_SERVICE);

  RpcConnection client() {
    RpcConnection c =
        RpcConnection.builder()
            .transport(network.transport())
            .endpoint(SERVER)
            .scheduler(clock)
            .dialect(Dialect.vmService())
            .build();
    c.start();
    clock.runUntilIdle();
    return c;
  }

  @Test
  void unknownMethodIsAnsweredWithMethodNotFound() {
    RpcConnection c = client();
    CompletableFuture<JsonNode> r = c.request("nope", null).toCompletableFuture();
    clock.runUntilIdle();
    assertThat(r).isCompletedExceptionally();
    assertThat(r.handle((v, e) -> e).join())
        .isInstanceOfSatisfying(
            RpcException.RemoteError.class,
            e -> assertThat(e.code()).isEqualTo(ScriptedRpcPeer.METHOD_NOT_FOUND));
    assertThat(peer.received("nope")).isEqualTo(1);
  }

  @Test
  void emitEveryFollowsVirtualTimeAndOnlyReachesSubscribers() {
    RpcConnection c = client();
    List<String> at = new ArrayList<>();
    peer.emitEvery(
        "Isolate", Duration.ofSeconds(1), 3, n -> JsonNodeFactory.instance.numberNode(n));
    clock.advance(Duration.ofMillis(1500)); // the first event finds no subscriber
    c.listen("Isolate", e -> at.add(e.asInt() + "@" + clock.now().toMillis()));
    clock.advance(Duration.ofSeconds(5));
    assertThat(at).containsExactly("1@2000", "2@3000");
  }

  @Test
  void restartDropsConnectionsAndLosesSubscriptions() {
    RpcConnection c = client();
    c.listen("Debug", e -> {});
    clock.runUntilIdle();
    assertThat(peer.subscriptions()).containsExactly("Debug");
    peer.restart();
    assertThat(endpoint.openCount()).isZero();
    assertThat(peer.subscriptions()).isEmpty();
    assertThat(peer.restarts()).isEqualTo(1);
    clock.runUntil(
        () -> endpoint.openCount() == 1 && !peer.subscriptions().isEmpty(), Duration.ofMinutes(1));
    assertThat(peer.subscriptions()).containsExactly("Debug");
  }
}
