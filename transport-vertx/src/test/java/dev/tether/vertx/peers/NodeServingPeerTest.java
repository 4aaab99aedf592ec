package dev.tether.vertx.peers;

import static dev.tether.vertx.Loopback.WAIT;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tether.machine.LifecycleEvent;
import dev.tether.rpc.Dialect;
import dev.tether.rpc.RpcConnection;
import dev.tether.rpc.ServedError;
import dev.tether.rpc.ServedMethod;
import dev.tether.runtime.LifecycleQueue;
import dev.tether.vertx.Loopback;
import dev.tether.vertx.Rig;
import dev.tether.vertx.VertxScheduler;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Requests from the server (I11) against a real third-party server: the npm {@code json-rpc-2.0}
 * package's bidirectional {@code JSONRPCServerAndClient} over {@code ws}, in a separate Node
 * process, asks Tether things. A served method is answered with its result, an unknown one with
 * {@code -32601}, a throwing handler with {@code -32603}; an answer finished after the server was
 * killed is never written to the restarted one, and is counted as dropped.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class NodeServingPeerTest {
  static final JsonNodeFactory JSON = JsonNodeFactory.instance;

  private final Rig rig = new Rig();
  private final CompletableFuture<Void> blockEntered = new CompletableFuture<>();
  private final CompletableFuture<JsonNode> blockResult = new CompletableFuture<>();
  private NodePeer peer;
  private RpcConnection rpc;

  @AfterEach
  void tearDown() {
    blockResult.complete(null); // never leave a handler hanging
    if (rpc != null) {
      rpc.close();
    }
    if (peer != null) {
      peer.close();
    }
    rig.close();
  }

  @Test
  void theServersRequestsAreAnsweredOnceAndALateAnswerNeverReachesTheRestartedServer()
      throws Exception {
    peer = NodePeer.serving().start();
    rpc =
        RpcConnection.builder()
            .transport(rig.transport())
            .scheduler(VertxScheduler.create(rig.vertx()))
            .endpoint(peer.endpoint())
            .policy(NodePeer.restartPolicy())
            .dialect(Dialect.plain())
            .serve(
                "roots/list",
                ServedMethod.sync(
                    p -> JSON.arrayNode().add(JSON.objectNode().put("uri", "file:///w"))))
            .serve(
                "boom",
                ServedMethod.sync(
                    p -> {
                      throw new IllegalStateException("handler bug");
                    }))
            .serve(
                "refuse",
                ServedMethod.sync(
                    p -> {
                      throw new ServedError(7, "no roots here", null);
                    }))
            .serve(
                "block",
                p -> {
                  blockEntered.complete(null);
                  return blockResult;
                })
            .build();
    LifecycleQueue lifecycle = LifecycleQueue.bounded();
    rpc.subscribe(lifecycle);
    rpc.start();
    Loopback.await(lifecycle, LifecycleEvent.Connected.class, WAIT);

    JsonNode roots = ask("ask", "roots/list");
    assertThat(roots.path("result").get(0).path("uri").asText()).isEqualTo("file:///w");
    assertThat(ask("ask", "workspace/configuration").path("error").path("code").asInt())
        .isEqualTo(-32601);
    JsonNode boom = ask("ask", "boom").path("error");
    assertThat(boom.path("code").asInt()).isEqualTo(-32603);
    assertThat(boom.path("message").asText()).isEqualTo("Internal error");
    JsonNode refused = ask("ask", "refuse").path("error");
    assertThat(refused.path("code").asInt()).isEqualTo(7);
    assertThat(refused.path("message").asText()).isEqualTo("no roots here");
    assertThat(rpc.stats().servedAnswers()).isEqualTo(4);

    // The server asks, the handler blocks, the server dies, a new one takes its port.
    assertThat(ask("askLater", "block").asText()).isEqualTo("sent");
    blockEntered.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
    long firstPid = peer.pid();
    peer.kill();
    Loopback.await(lifecycle, LifecycleEvent.Reconnecting.class, WAIT);
    NodePeerRpcTest.awaitCondition(
        () -> rpc.stats().servedDropped() == 1, "the blocked request dropped");
    peer.start();
    assertThat(peer.pid()).isNotEqualTo(firstPid);
    Loopback.await(lifecycle, LifecycleEvent.Reconnected.class, WAIT);

    // Released now: its answer belongs to the dead channel. The request below is queued behind it
    // on the connection's context, so a wrongly written answer would reach the server first.
    blockResult.complete(JSON.textNode("late"));
    assertThat(ask("received", null)).as("responses the restarted server got").isEmpty();
    assertThat(rpc.stats().servedDropped()).isEqualTo(1);
    assertThat(rpc.stats().servedAnswers()).isEqualTo(4);

    // And the restarted server is served as usual.
    assertThat(ask("ask", "roots/list").has("result")).isTrue();
    assertThat(ask("received", null)).hasSize(1);
  }

  /** Calls {@code method} on the server; for ask/askLater, {@code served} names the request. */
  private JsonNode ask(String method, String served) throws Exception {
    ObjectNode params = JSON.objectNode();
    if (served != null) {
      params.put("method", served).set("params", JSON.arrayNode());
    }
    return rpc.request(method, served == null ? null : params)
        .toCompletableFuture()
        .get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
  }
}
