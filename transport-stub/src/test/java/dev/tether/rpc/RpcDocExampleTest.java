package dev.tether.rpc;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.tether.machine.LifecycleEvent;
import dev.tether.runtime.spi.Scheduler;
import dev.tether.runtime.spi.Transport;
import dev.tether.stub.StubNetwork;
import dev.tether.stub.VirtualScheduler;
import dev.tether.stub.rpc.ScriptedRpcPeer;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import org.junit.jupiter.api.Test;

/**
 * Keeps docs/rpc.md's JSON-RPC examples honest: the same code compiles and runs here; model-tests'
 * DocExamplesTest checks that the guide shows exactly the code between the markers.
 */
class RpcDocExampleTest {
  static final List<String> printed = new ArrayList<>();

  // example:rpc:begin
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

  // example:rpc:end

  // example:envelope:begin
  static RpcConnection connectBare(Transport transport, Scheduler scheduler) {
    RpcConnection rpc =
        RpcConnection.builder()
            .transport(transport)
            .endpoint(URI.create("ws://127.0.0.1:9000/"))
            .scheduler(scheduler)
            .envelope(Envelope.BARE) // requests carry no "jsonrpc" member
            .onIdlessError(e -> printed.add("refused " + e.code() + " " + e.remoteMessage()))
            .build();
    rpc.start();
    return rpc;
  }

  static CompletionStage<JsonNode> inSession(RpcConnection rpc, String sessionId) {
    // {"id":1,"method":"echo","params":["hi"],"sessionId":"S1"}
    return rpc.request(
        "echo",
        JsonNodeFactory.instance.arrayNode().add("hi"),
        RequestOptions.defaults().member("sessionId", TextNode.valueOf(sessionId)));
  }

  // example:envelope:end

  // example:serve:begin
  static RpcConnection connectServing(Transport transport, Scheduler scheduler, Executor work) {
    RpcConnection rpc =
        RpcConnection.builder()
            .transport(transport)
            .endpoint(URI.create("ws://127.0.0.1:7000/"))
            .scheduler(scheduler)
            .serveExecutor(work) // handlers run here, off the connection's context
            .serve(
                "roots/list",
                ServedMethod.sync(
                    params ->
                        JsonNodeFactory.instance
                            .arrayNode()
                            .add(JsonNodeFactory.instance.objectNode().put("uri", "file:///w"))))
            .serve(
                "sampling/createMessage",
                Duration.ofMinutes(2), // this method's deadline; the default is 30 s
                params -> CompletableFuture.supplyAsync(() -> TextNode.valueOf("hi"), work))
            .serve(
                "workspace/configuration",
                ServedMethod.sync(
                    params -> {
                      throw new ServedError(-32602, "no configuration here", null);
                    }))
            .onNotification(
                "notifications/message", params -> printed.add("log " + params.path("data")))
            .build();
    rpc.start();
    return rpc;
  }

  // example:serve:end

  // example:dialect:begin
  static RpcConnection newHeads(Transport transport, Scheduler scheduler) {
    RpcConnection rpc =
        RpcConnection.builder()
            .transport(transport)
            .endpoint(URI.create("ws://127.0.0.1:8546/"))
            .scheduler(scheduler)
            .dialect(Dialect.pubsub()) // eth_subscribe(["newHeads"]) -> "0x…"; events by that id
            .build();
    rpc.listen("newHeads", head -> printed.add("head " + head.path("number").asText()));
    rpc.start();
    return rpc;
  }

  static Dialect mcpResources() {
    JsonNodeFactory json = JsonNodeFactory.instance;
    return Dialect.builder("mcp-resources")
        .subscribe("resources/subscribe", uri -> json.objectNode().put("uri", uri))
        .unsubscribe("resources/unsubscribe", uri -> json.objectNode().put("uri", uri))
        .event("notifications/resources/updated", params -> params.path("uri").asText(null), p -> p)
        .build();
  }

  // example:dialect:end

  // example:failfast:begin
  static CompletionStage<JsonNode> firstCall(Transport transport, Scheduler scheduler) {
    RpcConnection rpc =
        RpcConnection.builder()
            .transport(transport)
            .endpoint(URI.create("ws://127.0.0.1:8181/ws"))
            .scheduler(scheduler)
            .build();
    rpc.start();
    return rpc.request("getVersion", null); // waits for attempt 1; sent once connected
  }

  static RpcConnection strict(Transport transport, Scheduler scheduler) {
    return RpcConnection.builder()
        .transport(transport)
        .endpoint(URI.create("ws://127.0.0.1:8181/ws"))
        .scheduler(scheduler)
        .failFast(FailFast.WHEN_NOT_CONNECTED) // NotConnected whenever no channel is up
        .build();
  }

  // example:failfast:end

  // example:written:begin
  static String afterFailure(Throwable failure) {
    if (failure instanceof RpcException.ConnectionLost lost) {
      return lost.written() ? "may have run: ask the server before repeating" : "send it again";
    }
    if (failure instanceof RpcException.NotConnected) {
      return "send it again"; // never written either
    }
    return "give up: " + failure.getMessage();
  }

  // example:written:end

  // example:executor:begin
  /** The answer is handled on {@code mine}, not on the connection's context. */
  static CompletionStage<Void> showVm(RpcConnection rpc, Executor mine) {
    return rpc.request("getVM", null, RequestOptions.defaults().executor(mine))
        .thenAccept(vm -> printed.add("vm " + vm.path("name").asText())); // runs on mine
  }

  // example:executor:end

  @Test
  void executorExampleCompletesOnTheGivenExecutor() {
    VirtualScheduler clock = new VirtualScheduler();
    StubNetwork network = new StubNetwork(clock);
    ScriptedRpcPeer peer =
        ScriptedRpcPeer.attach(
            network.endpoint("ws://127.0.0.1:8181/ws"), clock, ScriptedRpcPeer.PeerDialect.PLAIN);
    peer.handle("getVM", p -> JsonNodeFactory.instance.objectNode().put("name", "vm"));
    RpcConnection rpc = strict(network.transport(), clock);
    rpc.start();
    clock.runUntilIdle();
    List<Runnable> ran = new ArrayList<>();
    var shown = showVm(rpc, ran::add).toCompletableFuture();
    clock.runUntilIdle();
    assertThat(shown).isNotDone();
    ran.forEach(Runnable::run);
    assertThat(shown).isCompleted();
    assertThat(printed).contains("vm vm");
    rpc.close("bye");
    clock.runUntilIdle();
  }

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

  @Test
  void envelopeExampleRunsAgainstTheScriptedPeer() {
    VirtualScheduler clock = new VirtualScheduler();
    StubNetwork network = new StubNetwork(clock);
    ScriptedRpcPeer peer =
        ScriptedRpcPeer.attach(
            network.endpoint("ws://127.0.0.1:9000/"), clock, ScriptedRpcPeer.PeerDialect.PLAIN);
    peer.handle("echo", p -> p);
    RpcConnection rpc = connectBare(network.transport(), clock);
    clock.runUntilIdle();
    var echoed = inSession(rpc, "S1").toCompletableFuture();
    peer.pushRaw(
        "{\"error\":{\"code\":-32600,\"message\":\"no\"}}".getBytes(StandardCharsets.UTF_8));
    clock.runUntilIdle();
    assertThat(echoed.join().get(0).asText()).isEqualTo("hi");
    assertThat(printed).contains("refused -32600 no");
  }

  @Test
  void servingExampleRunsAgainstTheScriptedPeer() {
    VirtualScheduler clock = new VirtualScheduler();
    StubNetwork network = new StubNetwork(clock);
    ScriptedRpcPeer peer =
        ScriptedRpcPeer.attach(
            network.endpoint("ws://127.0.0.1:7000/"), clock, ScriptedRpcPeer.PeerDialect.PLAIN);
    connectServing(network.transport(), clock, Runnable::run);
    clock.runUntilIdle();
    JsonNodeFactory json = JsonNodeFactory.instance;
    peer.sendRequest("roots/list", null, json.numberNode(1));
    peer.sendRequest("sampling/createMessage", json.objectNode(), json.numberNode(2));
    peer.sendRequest("workspace/configuration", json.objectNode(), json.numberNode(3));
    peer.sendRequest("unknown", null, json.numberNode(4));
    peer.emit("notifications/message", json.objectNode().put("data", "ready"));
    clock.runUntilIdle();
    List<ScriptedRpcPeer.ClientAnswer> answers = peer.answers();
    assertThat(answers).hasSize(4);
    assertThat(answers.get(0).frame().path("result").get(0).path("uri").asText())
        .isEqualTo("file:///w");
    assertThat(answers.get(1).frame().path("result").asText()).isEqualTo("hi");
    assertThat(answers.get(2).errorCode()).isEqualTo(-32602);
    assertThat(answers.get(3).errorCode()).isEqualTo(ServedError.METHOD_NOT_FOUND);
    assertThat(printed).contains("log \"ready\"");
  }

  @Test
  void pubsubExampleRunsAgainstTheScriptedPeer() {
    VirtualScheduler clock = new VirtualScheduler();
    StubNetwork network = new StubNetwork(clock);
    ScriptedRpcPeer peer =
        ScriptedRpcPeer.attach(
            network.endpoint("ws://127.0.0.1:8546/"), clock, ScriptedRpcPeer.PeerDialect.PUBSUB);
    RpcConnection rpc = newHeads(network.transport(), clock);
    clock.runUntilIdle();
    peer.emit("newHeads", JsonNodeFactory.instance.objectNode().put("number", "0x10"));
    clock.runUntilIdle();
    peer.restart();
    clock.runUntil(() -> rpc.stats().reconnects() == 1, Duration.ofMinutes(1));
    peer.emit("newHeads", JsonNodeFactory.instance.objectNode().put("number", "0x11"));
    clock.runUntilIdle();
    assertThat(printed).containsSubsequence("head 0x10", "head 0x11");
  }

  @Test
  void failFastExamplesRunAgainstAServerThatAcceptsAfterADelay() {
    VirtualScheduler clock = new VirtualScheduler();
    StubNetwork network = new StubNetwork(clock);
    ScriptedRpcPeer peer =
        ScriptedRpcPeer.attach(
            network.endpoint("ws://127.0.0.1:8181/ws").latency(Duration.ofMillis(500)),
            clock,
            ScriptedRpcPeer.PeerDialect.VM_SERVICE);
    peer.handle("getVersion", p -> JsonNodeFactory.instance.objectNode().put("major", 4));
    var version = firstCall(network.transport(), clock).toCompletableFuture();
    clock.runUntil(version::isDone, Duration.ofMinutes(1));
    assertThat(version.join().path("major").asInt()).isEqualTo(4);

    RpcConnection rpc = strict(network.transport(), clock);
    rpc.start();
    var refused = rpc.request("getVersion", null).toCompletableFuture();
    clock.runUntilIdle();
    assertThat(refused).isCompletedExceptionally();
    assertThat(afterFailure(refused.handle((v, e) -> e).join())).isEqualTo("send it again");
  }

  @Test
  void writtenExampleTellsWhatMayHaveRunFromWhatNeverLeft() {
    VirtualScheduler clock = new VirtualScheduler();
    StubNetwork network = new StubNetwork(clock);
    ScriptedRpcPeer peer =
        ScriptedRpcPeer.attach(
            network.endpoint("ws://127.0.0.1:8181/ws"), clock, ScriptedRpcPeer.PeerDialect.PLAIN);
    peer.silent(true);
    RpcConnection notStarted = strict(network.transport(), clock);
    var waiting =
        notStarted
            .request("transfer", null, RequestOptions.defaults().waitForReady(true))
            .toCompletableFuture();
    RpcConnection rpc = strict(network.transport(), clock);
    rpc.start();
    clock.runUntilIdle();
    var inFlight = rpc.request("transfer", null).toCompletableFuture();
    clock.runUntilIdle();
    notStarted.close("bye");
    rpc.close("bye");
    clock.runUntilIdle();
    assertThat(afterFailure(inFlight.handle((v, e) -> e).join()))
        .isEqualTo("may have run: ask the server before repeating");
    assertThat(afterFailure(waiting.handle((v, e) -> e).join())).isEqualTo("send it again");
  }
}
