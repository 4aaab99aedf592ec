package dev.tether.rpc;

import static dev.tether.rpc.RpcFixture.JSON;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.tether.machine.Cause;
import dev.tether.machine.ConnectionState;
import dev.tether.stub.StubConnection;
import dev.tether.stub.rpc.ScriptedRpcPeer.ClientAnswer;
import dev.tether.stub.rpc.ScriptedRpcPeer.PeerDialect;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/** I11 on the stub transport: every request from the server is answered once, on its channel. */
class ServedRequestsTest {
  final RpcFixture vm = new RpcFixture(PeerDialect.PLAIN);
  final List<CompletableFuture<JsonNode>> pending = new ArrayList<>();

  RpcConnectionBuilder serving() {
    return vm.builder(Dialect.plain())
        .serve("roots/list", ServedMethod.sync(p -> JSON.objectNode().set("echo", p)))
        .serve(
            "refuse",
            ServedMethod.sync(
                p -> {
                  throw new ServedError(42, "not today", JSON.objectNode().put("why", "test"));
                }))
        .serve(
            "refuseLater", p -> CompletableFuture.failedFuture(new ServedError(43, "later", null)))
        .serve(
            "crash",
            ServedMethod.sync(
                p -> {
                  throw new IllegalStateException("secret detail in a bug");
                }))
        .serve("hang", Duration.ofSeconds(5), p -> hold());
  }

  CompletableFuture<JsonNode> hold() {
    CompletableFuture<JsonNode> f = new CompletableFuture<>();
    pending.add(f);
    return f;
  }

  ClientAnswer ask(String method, JsonNode params, JsonNode id) {
    int before = vm.peer.answers().size();
    vm.peer.sendRequest(method, params, id);
    vm.clock.runUntilIdle();
    List<ClientAnswer> answers = vm.peer.answers();
    assertThat(answers).as("one answer to %s", method).hasSize(before + 1);
    return answers.get(before);
  }

  String lastSent() {
    return vm.sent.get(vm.sent.size() - 1);
  }

  @Test
  void aServedMethodIsAnsweredWithItsResultAndTheRequestsOwnId() {
    RpcConnection c = vm.start(serving());
    ClientAnswer a = ask("roots/list", JSON.arrayNode().add("x"), JSON.numberNode(7));
    assertThat(a.isError()).isFalse();
    assertThat(a.frame().path("result").path("echo").get(0).asText()).isEqualTo("x");
    assertThat(lastSent())
        .isEqualTo("{\"jsonrpc\":\"2.0\",\"id\":7,\"result\":{\"echo\":[\"x\"]}}");
    assertThat(c.stats().serverRequests()).isEqualTo(1);
    assertThat(c.stats().servedAnswers()).isEqualTo(1);
    assertThat(c.stats().servedErrors()).isZero();
  }

  @Test
  void idsAreEchoedExactlyWhateverTheirNumberOrString() {
    vm.start(serving());
    for (String id :
        List.of(
            "\"abc\"",
            "\"\"",
            "-3",
            "0",
            "123456789012345678901234567890",
            "0.1000000000000000055511151231257827",
            "1.50",
            "1E+400")) {
      vm.peer.pushRaw(
          ("{\"jsonrpc\":\"2.0\",\"id\":" + id + ",\"method\":\"roots/list\"}")
              .getBytes(java.nio.charset.StandardCharsets.UTF_8));
      vm.clock.runUntilIdle();
      assertThat(lastSent()).as(id).startsWith("{\"jsonrpc\":\"2.0\",\"id\":" + id + ",\"result\"");
    }
  }

  @Test
  void anUnservedMethodGetsMethodNotFoundAtOnce() {
    RpcConnection c = vm.start(serving());
    ClientAnswer a = ask("workspace/configuration", null, TextNode.valueOf("q1"));
    assertThat(a.errorCode()).isEqualTo(ServedError.METHOD_NOT_FOUND);
    assertThat(a.id().asText()).isEqualTo("q1");
    assertThat(c.stats().servedErrors()).isEqualTo(1);
  }

  @Test
  void aThrowingHandlerGetsInternalErrorWithAShortMessageAndNoStackTrace() {
    RpcConnection c = vm.start(serving());
    String[] log = new String[1];
    log[0] =
        RpcFixture.stderrOf(
            () -> assertThat(ask("crash", null, JSON.numberNode(1)).errorCode()).isEqualTo(-32603));
    assertThat(lastSent())
        .isEqualTo(
            "{\"jsonrpc\":\"2.0\",\"id\":1,\"error\":{\"code\":-32603,\"message\":\"Internal error\"}}");
    assertThat(log[0]).contains("WARN").contains("secret detail in a bug"); // logged here only
    assertThat(c.stats().handlerErrors()).isEqualTo(1);
  }

  @Test
  void aServedErrorIsAnsweredWithItsCodeMessageAndDataThrownOrCompleted() {
    vm.start(serving());
    ClientAnswer thrown = ask("refuse", null, JSON.numberNode(1));
    assertThat(thrown.errorCode()).isEqualTo(42);
    assertThat(thrown.frame().path("error").path("message").asText()).isEqualTo("not today");
    assertThat(thrown.frame().path("error").path("data").path("why").asText()).isEqualTo("test");
    ClientAnswer completed = ask("refuseLater", null, JSON.numberNode(2));
    assertThat(completed.errorCode()).isEqualTo(43);
    assertThat(completed.frame().path("error").has("data")).isFalse();
  }

  @Test
  void aHandlerPastItsTimeoutIsAnsweredOnceAndItsLateResultIsDiscarded() {
    RpcConnection c = vm.start(serving());
    vm.peer.sendRequest("hang", null, JSON.numberNode(9));
    vm.clock.runUntilIdle();
    assertThat(vm.peer.answers()).isEmpty();
    vm.clock.advance(Duration.ofSeconds(5));
    assertThat(vm.peer.answers())
        .singleElement()
        .satisfies(a -> assertThat(a.errorCode()).isEqualTo(ServedError.TIMED_OUT));
    pending.get(0).complete(JSON.numberNode(1));
    vm.clock.runUntilIdle();
    assertThat(vm.peer.answers()).as("answered once").hasSize(1);
    assertThat(c.stats().servedAnswers()).isEqualTo(1);
  }

  @Test
  void lateAnswerIsNotWrittenOnTheNextChannel() {
    RpcConnection c = vm.start(serving());
    StubConnection asked = vm.peer.sendRequest("hang", null, JSON.numberNode(5)).get(0);
    vm.clock.runUntilIdle();
    vm.server.dropAll(Cause.of(Cause.Kind.CHANNEL_CLOSED, "gone"));
    vm.clock.runUntil(() -> c.stats().reconnects() == 1, Duration.ofMinutes(1));
    StubConnection next = vm.peer.sendRequest("roots/list", null, JSON.numberNode(6)).get(0);
    vm.clock.runUntilIdle(); // the new channel asks too: a naive client would answer both there
    pending.get(0).complete(JSON.numberNode(1));
    vm.clock.advance(Duration.ofSeconds(10)); // past its deadline too
    assertThat(vm.peer.answers())
        .singleElement()
        .satisfies(a -> assertThat(a.id().asInt()).isEqualTo(6))
        .satisfies(a -> assertThat(a.connection()).isSameAs(next));
    assertThat(vm.sent).noneMatch(f -> f.contains("\"id\":5,"));
    assertThat(vm.server.connections()).doesNotContain(asked);
    assertThat(c.stats().servedAnswers()).isEqualTo(1);
    assertThat(c.stats().servedDropped()).isEqualTo(1);
  }

  @Test
  void requestsInProgressAtTheEndAreDroppedAndCounted() {
    RpcConnection c = vm.start(serving());
    vm.peer.sendRequest("hang", null, JSON.numberNode(1));
    vm.clock.runUntilIdle();
    c.close("done");
    vm.clock.runUntilIdle();
    pending.get(0).complete(JSON.numberNode(1));
    vm.clock.runUntilIdle();
    assertThat(c.stats().servedDropped()).isEqualTo(1);
    assertThat(vm.peer.answers()).isEmpty();
  }

  @Test
  void pastTheBoundRequestsAreRefusedAtOnce() {
    RpcConnection c = vm.start(serving().maxServedInProgress(2));
    vm.peer.sendRequest("hang", null, JSON.numberNode(1));
    vm.peer.sendRequest("hang", null, JSON.numberNode(2));
    ClientAnswer third = ask("hang", null, JSON.numberNode(3));
    assertThat(third.errorCode()).isEqualTo(ServedError.OVERLOADED);
    assertThat(third.id().asInt()).isEqualTo(3);
    pending.get(0).complete(JSON.numberNode(10));
    vm.clock.runUntilIdle();
    vm.peer.sendRequest("hang", null, JSON.numberNode(4));
    vm.clock.runUntilIdle();
    assertThat(pending).as("a slot freed: the fourth runs").hasSize(3);
    assertThat(c.stats().servedAnswers()).isEqualTo(2);
  }

  @Test
  void theBareEnvelopeAnswersWithoutTheJsonrpcMember() {
    vm.start(serving().envelope(Envelope.BARE));
    ask("roots/list", null, JSON.numberNode(3));
    assertThat(lastSent()).isEqualTo("{\"id\":3,\"result\":{\"echo\":null}}");
  }

  @Test
  void handlersRunOnTheServeExecutorAndTheContextStaysFree() {
    List<Runnable> tasks = new ArrayList<>();
    RpcConnection c = vm.start(serving().serveExecutor(tasks::add));
    vm.peer.sendRequest("roots/list", null, JSON.numberNode(1));
    vm.clock.runUntilIdle();
    assertThat(vm.peer.answers()).as("not run yet: the executor holds it").isEmpty();
    CompletableFuture<JsonNode> echo =
        c.request("echo", JSON.arrayNode().add(1)).toCompletableFuture();
    vm.clock.runUntilIdle();
    assertThat(echo).as("the connection works meanwhile").isCompleted();
    tasks.forEach(Runnable::run);
    vm.clock.runUntilIdle();
    assertThat(vm.peer.answers()).singleElement().satisfies(a -> assertThat(a.isError()).isFalse());
  }

  @Test
  void aRefusingServeExecutorMeansOverloaded() {
    vm.start(
        serving()
            .serveExecutor(
                t -> {
                  throw new java.util.concurrent.RejectedExecutionException("full");
                }));
    String[] log = new String[1];
    log[0] =
        RpcFixture.stderrOf(
            () ->
                assertThat(ask("roots/list", null, JSON.numberNode(1)).errorCode())
                    .isEqualTo(ServedError.OVERLOADED));
    assertThat(log[0]).contains("WARN");
  }

  /** A flood of requests the executor refuses: 100 refusals. */
  private static final int FLOOD = 100;

  @Test
  void executorRefusalFloodWarnsTheFirstThenACountNotOncePerRequest() {
    vm.start(
        serving()
            .serveExecutor(
                t -> {
                  throw new java.util.concurrent.RejectedExecutionException("full");
                }));
    String log =
        RpcFixture.stderrOf(
            () -> {
              for (int i = 1; i <= FLOOD; i++) {
                vm.peer.sendRequest("roots/list", null, JSON.numberNode(i));
              }
              vm.clock.runUntilIdle();
            });
    assertThat(vm.peer.answers())
        .hasSize(FLOOD)
        .allSatisfy(a -> assertThat(a.errorCode()).isEqualTo(ServedError.OVERLOADED));
    List<String> warnings = warnings(log, "serve executor refused");
    assertThat(warnings.get(0)).contains("(1 refused so far)");
    assertThat(warnings).as("1, 2, 4, … 64 of 100").hasSize(7);
    assertThat(warnings.get(6)).contains("(64 refused so far)");
  }

  @Test
  void overloadFloodWarnsTheFirstThenACountNotOncePerRequest() {
    vm.start(serving().maxServedInProgress(1));
    vm.peer.sendRequest("hang", null, JSON.numberNode(0));
    String log =
        RpcFixture.stderrOf(
            () -> {
              for (int i = 1; i <= FLOOD; i++) {
                vm.peer.sendRequest("hang", null, JSON.numberNode(i));
              }
              vm.clock.runUntilIdle();
            });
    assertThat(vm.peer.answers()).hasSize(FLOOD);
    List<String> warnings = warnings(log, "requests from the server in progress; refusing");
    assertThat(warnings).hasSize(7);
    assertThat(warnings.get(6)).contains("(64 refused so far)");
  }

  /** The WARN lines of {@code log} that contain {@code text}. */
  private static List<String> warnings(String log, String text) {
    return log.lines().filter(l -> l.contains("WARN") && l.contains(text)).toList();
  }

  @Test
  void notificationsGoToTheirHandlerUnlessAStreamListensToThem() {
    List<String> heard = new ArrayList<>();
    RpcConnection c =
        vm.start(
            vm.builder(Dialect.plain())
                .onNotification("log", p -> heard.add("handler " + p.path("m").asText()))
                .onNotification(
                    "bad",
                    p -> {
                      throw new IllegalStateException("handler bug");
                    }));
    c.listen("tick", e -> heard.add("stream " + e.asText()));
    vm.clock.runUntilIdle();
    vm.peer.emit("log", JSON.objectNode().put("m", "hello"));
    vm.peer.emit("tick", JSON.textNode("t1"));
    vm.peer.emit("other", JSON.nullNode());
    RpcFixture.stderrOf(() -> vm.peer.emit("bad", JSON.nullNode()));
    vm.clock.runUntilIdle();
    assertThat(heard).containsExactly("handler hello", "stream t1");
    assertThat(c.stats().unroutedNotifications()).isEqualTo(1);
    assertThat(c.stats().handlerErrors()).isEqualTo(1);
    assertThat(c.state()).isEqualTo(new ConnectionState.Connected(1));
  }

  @Test
  void theBuilderRefusesBadServeOptions() {
    RpcConnectionBuilder b = vm.builder(Dialect.plain()).serve("m", ServedMethod.sync(p -> p));
    assertThatThrownBy(() -> b.serve("m", ServedMethod.sync(p -> p)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("already served");
    assertThatThrownBy(() -> b.serve("", ServedMethod.sync(p -> p)))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> b.serve("n", Duration.ZERO, ServedMethod.sync(p -> p)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("must be positive");
    assertThatThrownBy(() -> b.maxServedInProgress(0)).isInstanceOf(IllegalArgumentException.class);
    b.onNotification("x", p -> {});
    assertThatThrownBy(() -> b.onNotification("x", p -> {}))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
