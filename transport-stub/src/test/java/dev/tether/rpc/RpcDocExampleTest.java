package dev.tether.rpc;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.tether.machine.LifecycleEvent;
import dev.tether.runtime.spi.Scheduler;
import dev.tether.runtime.spi.Transport;
import dev.tether.stub.StubNetwork;
import dev.tether.stub.VirtualScheduler;
import dev.tether.stub.rpc.ScriptedRpcPeer;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionStage;
import org.junit.jupiter.api.Test;

/** Keeps docs/rpc.md's example honest: the same code compiles and runs here. */
class RpcDocExampleTest {
  static final List<String> printed = new ArrayList<>();

  // docs/rpc.md:example:begin
  static RpcConnection connect(Transport transport, Scheduler scheduler) {
    RpcConnection rpc =
        RpcConnection.builder()
            .transport(transport) // the Vert.x transport, or StubNetwork.transport() in tests
            .endpoint(URI.create("ws://127.0.0.1:8181/ws"))
            .scheduler(scheduler) // optional: defaults to a thread of its own
            .dialect(Dialect.vmService())
            .requestTimeout(Duration.ofSeconds(10))
            .waitForReady(true, 64) // queue up to 64 requests while reconnecting
            .heartbeat(Heartbeat.defaults()) // getVersion every 30 s; 3 misses => reconnect
            .build();
    rpc.subscribe(event -> printed.add("lifecycle " + event.name()));
    rpc.listen("Isolate", event -> printed.add("isolate " + event.path("kind").asText()));
    rpc.start();
    return rpc;
  }

  static CompletionStage<String> version(RpcConnection rpc) {
    return rpc.request("getVersion", null)
        .thenApply(v -> v.path("major").asInt() + "." + v.path("minor").asInt())
        .exceptionally(
            failure -> {
              // RemoteError, Timeout, ConnectionLost, SendFailed, NotConnected or Rejected
              return "unknown (" + failure.getMessage() + ")";
            });
  }

  // docs/rpc.md:example:end

  @Test
  void exampleRunsAgainstTheScriptedPeer() {
    VirtualScheduler clock = new VirtualScheduler();
    StubNetwork network = new StubNetwork(clock);
    ScriptedRpcPeer peer =
        ScriptedRpcPeer.attach(
            network.endpoint("ws://127.0.0.1:8181/ws"),
            clock,
            ScriptedRpcPeer.PeerDialect.VM_SERVICE);
    JsonNodeFactory json = JsonNodeFactory.instance;
    peer.handle("getVersion", p -> json.objectNode().put("major", 4).put("minor", 16));
    RpcConnection rpc = connect(network.transport(), clock);
    clock.runUntilIdle();
    JsonNode start = json.objectNode().put("kind", "IsolateStart");
    peer.emit("Isolate", start);
    var v = version(rpc).toCompletableFuture();
    clock.runUntilIdle();
    peer.restart();
    clock.runUntil(() -> rpc.stats().reconnects() == 1, Duration.ofMinutes(1));
    assertThat(v.join()).isEqualTo("4.16");
    assertThat(printed)
        .containsSubsequence(
            "lifecycle " + LifecycleEvent.Connected.class.getSimpleName(),
            "isolate IsolateStart",
            "lifecycle Reconnecting",
            "lifecycle Reconnected");
    assertThat(peer.subscriptions()).containsExactly("Isolate");
  }
}
