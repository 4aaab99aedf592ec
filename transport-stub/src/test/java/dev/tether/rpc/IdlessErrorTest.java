package dev.tether.rpc;

import static dev.tether.rpc.RpcFixture.JSON;
import static dev.tether.rpc.RpcFixture.f;
import static dev.tether.rpc.RpcFixture.result;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tether.machine.ConnectionState;
import dev.tether.stub.rpc.ScriptedRpcPeer.PeerDialect;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/**
 * An error response with a null or missing id (a server refusing a frame it cannot tie to a
 * request) is counted, logged and offered to the listener; the envelope and extra members shape
 * what is sent.
 */
class IdlessErrorTest {
  static final String REFUSAL =
      "{\"error\":{\"code\":-32600,\"message\":\"Message has property other than 'id', 'method',"
          + " 'sessionId', 'params'\"}}";

  final RpcFixture vm = new RpcFixture(PeerDialect.PLAIN);
  final List<RpcException.RemoteError> heard = new ArrayList<>();

  @Test
  void anIdlessErrorIsCountedLoggedAndOfferedWhileTheRequestStaysPending() {
    RpcConnection c = vm.start(vm.builder(Dialect.plain()).onIdlessError(heard::add));
    vm.peer.silent(true);
    CompletableFuture<JsonNode> r = f(c.request("echo", JSON.arrayNode().add(1)));
    vm.clock.runUntilIdle();
    String log =
        RpcFixture.stderrOf(
            () -> {
              vm.peer.pushRaw(REFUSAL.getBytes(StandardCharsets.UTF_8));
              vm.clock.runUntilIdle();
            });
    assertThat(c.stats().idlessErrors()).isEqualTo(1);
    assertThat(c.stats().unmatchedResponses()).isZero();
    assertThat(heard).singleElement().satisfies(e -> assertThat(e.code()).isEqualTo(-32600));
    assertThat(heard.get(0).remoteMessage()).startsWith("Message has property other than 'id'");
    assertThat(log).contains("WARN").contains("-32600 Message has property other than 'id'");
    assertThat(r).as("an id-less error settles no request").isNotDone();
    assertThat(c.state()).isEqualTo(new ConnectionState.Connected(1));
  }

  @Test
  void aLongServerMessageIsAbbreviatedInTheLogButWholeForTheListener() {
    RpcConnection c = vm.start(vm.builder(Dialect.plain()).onIdlessError(heard::add));
    String longMessage = "x".repeat(10_000);
    String log =
        RpcFixture.stderrOf(
            () -> {
              vm.peer.pushRaw(
                  ("{\"id\":null,\"error\":{\"code\":-1,\"message\":\"" + longMessage + "\"}}")
                      .getBytes(StandardCharsets.UTF_8));
              vm.clock.runUntilIdle();
            });
    assertThat(heard.get(0).remoteMessage()).isEqualTo(longMessage);
    assertThat(log).contains("WARN").doesNotContain(longMessage);
    assertThat(c.stats().idlessErrors()).isEqualTo(1);
  }

  @Test
  void aThrowingListenerIsCountedAndTheConnectionCarriesOn() {
    RpcConnection c =
        vm.start(
            vm.builder(Dialect.plain())
                .onIdlessError(
                    e -> {
                      throw new IllegalStateException("listener bug");
                    }));
    String log =
        RpcFixture.stderrOf(
            () -> {
              vm.peer.pushRaw(REFUSAL.getBytes(StandardCharsets.UTF_8));
              vm.clock.runUntilIdle();
            });
    assertThat(log).contains("listener threw").contains("listener bug");
    assertThat(c.stats().handlerErrors()).isEqualTo(1);
    assertThat(c.stats().idlessErrors()).isEqualTo(1);
    CompletableFuture<JsonNode> r = f(c.request("echo", JSON.arrayNode().add("ok")));
    vm.clock.runUntilIdle();
    assertThat(result(r).get(0).asText()).isEqualTo("ok");
  }

  @Test
  void theBareEnvelopeAndExtraMembersShapeTheFramesSent() {
    RpcConnection c = vm.start(vm.builder(Dialect.plain()).envelope(Envelope.BARE));
    CompletableFuture<JsonNode> r =
        f(
            c.request(
                "echo",
                JSON.arrayNode().add(1),
                RequestOptions.defaults().member("sessionId", JSON.textNode("S1"))));
    vm.clock.runUntilIdle();
    assertThat(result(r).get(0).asInt()).isEqualTo(1);
    assertThat(vm.sent)
        .last()
        .matches(
            s ->
                s.matches(
                    "\\{\"id\":\\d+,\"method\":\"echo\",\"params\":\\[1],\"sessionId\":\"S1\"}"),
            "bare frame");
  }

  @Test
  void theDefaultEnvelopeIsJsonRpc2() {
    RpcConnection c = vm.start(vm.builder(Dialect.plain()));
    CompletableFuture<JsonNode> r = f(c.request("echo", null));
    vm.clock.runUntilIdle();
    assertThat(r).isCompleted();
    assertThat(vm.sent).last().asString().startsWith("{\"jsonrpc\":\"2.0\",\"id\":");
  }
}
