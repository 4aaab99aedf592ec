package dev.tether.rpc;

import static dev.tether.rpc.RpcFixture.JSON;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tether.machine.ConnectionState;
import dev.tether.stub.StubConnection;
import dev.tether.stub.rpc.ScriptedRpcPeer.ClientAnswer;
import dev.tether.stub.rpc.ScriptedRpcPeer.PeerDialect;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/**
 * R1 for requests from the server (I11): ids of every JSON type, duplicate ids, huge and deeply
 * nested params, and a flood past the bound are each answered or refused, once, and never held
 * without bound.
 */
class ServedHostileInputTest {
  /** A flood far past the bound: the client must refuse, not queue, what does not fit. */
  static final int FLOOD = 20_000;

  static final int BOUND = 64;

  final RpcFixture vm = new RpcFixture(PeerDialect.PLAIN);
  final List<CompletableFuture<JsonNode>> held = new ArrayList<>();

  RpcConnection client() {
    return vm.start(
        vm.builder(Dialect.plain())
            .maxServedInProgress(BOUND)
            .serve("size", ServedMethod.sync(p -> JSON.numberNode(p.toString().length())))
            .serve(
                "hold",
                p -> {
                  CompletableFuture<JsonNode> f = new CompletableFuture<>();
                  held.add(f);
                  return f;
                }));
  }

  void push(String frame) {
    StubConnection c = vm.server.connections().get(0);
    c.push(frame.getBytes(UTF_8));
  }

  String lastSent() {
    return vm.sent.get(vm.sent.size() - 1);
  }

  @Test
  void idsOfEveryJsonTypeAreAnsweredOnceOrTreatedAsANotification() {
    RpcConnection c = client();
    // Valid ids are echoed; ids of other types get -32600 with a null id (JSON-RPC 2.0 §5).
    String[][] cases = {
      {"\"s\"", "\"s\""},
      {"42", "42"},
      {"-1", "-1"},
      {"99999999999999999999999", "99999999999999999999999"},
      {"2.5", "2.5"},
      {"1e999999", "1E+999999"},
      {"true", "null"},
      {"{}", "null"},
      {"[1]", "null"},
    };
    for (String[] k : cases) {
      push("{\"jsonrpc\":\"2.0\",\"id\":" + k[0] + ",\"method\":\"size\",\"params\":[]}");
      vm.clock.runUntilIdle();
      assertThat(lastSent()).as(k[0]).startsWith("{\"jsonrpc\":\"2.0\",\"id\":" + k[1] + ",");
    }
    assertThat(vm.peer.answers()).hasSize(cases.length);
    assertThat(vm.peer.answers().subList(6, 9))
        .allSatisfy(a -> assertThat(a.errorCode()).isEqualTo(ServedError.INVALID_REQUEST));
    // A null id makes it a notification (JSON-RPC 2.0 §4.1): nothing is answered.
    push("{\"jsonrpc\":\"2.0\",\"id\":null,\"method\":\"size\",\"params\":[]}");
    vm.clock.runUntilIdle();
    assertThat(vm.peer.answers()).hasSize(cases.length);
    assertThat(c.stats().unroutedNotifications()).isEqualTo(1);
    assertThat(c.stats().serverRequests()).isEqualTo(cases.length);
  }

  @Test
  void duplicateIdsAreTwoRequestsAnsweredOnceEach() {
    client();
    push("{\"jsonrpc\":\"2.0\",\"id\":5,\"method\":\"hold\"}");
    push("{\"jsonrpc\":\"2.0\",\"id\":5,\"method\":\"hold\"}");
    vm.clock.runUntilIdle();
    held.get(1).complete(JSON.textNode("second"));
    held.get(0).complete(JSON.textNode("first"));
    vm.clock.runUntilIdle();
    assertThat(vm.peer.answers())
        .extracting(a -> a.frame().path("result").asText())
        .containsExactly("second", "first");
    assertThat(vm.peer.answers()).allSatisfy(a -> assertThat(a.id().asInt()).isEqualTo(5));
  }

  @Test
  void hugeAndNestedParamsAreAnsweredOrCountedAsMalformed() {
    RpcConnection c = client();
    String huge = "\"" + "x".repeat(4 * 1024 * 1024) + "\"";
    push("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"size\",\"params\":[" + huge + "]}");
    String nested = "[".repeat(200) + "]".repeat(200);
    push("{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"size\",\"params\":" + nested + "}");
    String tooDeep = "[".repeat(100_000) + "]".repeat(100_000);
    push("{\"jsonrpc\":\"2.0\",\"id\":3,\"method\":\"size\",\"params\":" + tooDeep + "}");
    push("{\"jsonrpc\":\"2.0\",\"id\":4,\"method\":\"size\",\"params\":\"scalar\"}");
    vm.clock.runUntilIdle();
    List<ClientAnswer> answers = vm.peer.answers();
    assertThat(answers).extracting(a -> a.id().asInt()).containsExactly(1, 2, 4);
    assertThat(answers.get(0).frame().path("result").asInt()).isEqualTo(huge.length() + 2);
    assertThat(answers.get(1).isError()).isFalse();
    assertThat(answers.get(2).errorCode()).isEqualTo(ServedRequests.INVALID_PARAMS);
    assertThat(c.stats().malformedFrames()).as("too deep to parse: counted").isEqualTo(1);
    assertThat(c.state()).isEqualTo(new ConnectionState.Connected(1));
  }

  @Test
  void aFloodPastTheBoundIsRefusedAtOnceAndNothingQueues() {
    RpcConnection c = client();
    for (int i = 0; i < FLOOD; i++) {
      push("{\"jsonrpc\":\"2.0\",\"id\":" + i + ",\"method\":\"hold\"}");
      if (i % 5_000 == 0) {
        vm.clock.runUntilIdle();
      }
    }
    vm.clock.runUntilIdle();
    assertThat(held).as("handlers started: the bound").hasSize(BOUND);
    ConnectionStats s = c.stats();
    assertThat(s.serverRequests()).isEqualTo(FLOOD);
    assertThat(s.servedErrors()).as("refused at once").isEqualTo(FLOOD - BOUND);
    assertThat(vm.peer.answers())
        .hasSize(FLOOD - BOUND)
        .allSatisfy(a -> assertThat(a.errorCode()).isEqualTo(ServedError.OVERLOADED));
    held.forEach(f -> f.complete(JSON.nullNode()));
    vm.clock.runUntilIdle();
    assertThat(c.stats().servedAnswers()).isEqualTo(FLOOD);
    assertThat(c.state()).isEqualTo(new ConnectionState.Connected(1));
  }
}
