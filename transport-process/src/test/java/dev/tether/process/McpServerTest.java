package dev.tether.process;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tether.machine.BackoffPolicy;
import dev.tether.machine.Cause;
import dev.tether.machine.LifecycleEvent;
import dev.tether.rpc.RpcConnection;
import dev.tether.rpc.RpcConnectionBuilder;
import dev.tether.rpc.ServedMethod;
import dev.tether.runtime.LifecycleQueue;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * An agent tool server as a real peer: the MCP reference server {@code
 * @modelcontextprotocol/server-everything} (installed by the build, see pom.xml) over its stdio,
 * newline-delimited JSON, driven by an {@link RpcConnection} on a {@link ProcessTransport}. The
 * handshake ({@code initialize}, then {@code notifications/initialized}) runs through the {@code
 * HandshakeHook} on every process; the server's own requests ({@code roots/list}, {@code
 * sampling/createMessage}) are answered by served handlers. Its stderr banner and the
 * notifications it sends unasked ({@code notifications/tools/list_changed}) must be harmless.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class McpServerTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  private static final Path SERVER =
      Path.of(System.getProperty("tether.processPeers.dir", "target/process-peers"))
          .resolve("node_modules/@modelcontextprotocol/server-everything/dist/index.js");

  /** The protocol version this client asks for; the server supports it, so it must agree. */
  private static final String PROTOCOL_VERSION = "2025-06-18";

  /** What the served {@code roots/list} answers; the server's roots tool must show it. */
  private static final String ROOT_URI = "file:///tmp/tether-mcp-root";

  private static final BackoffPolicy QUICK = RpcOverProcessTest.QUICK;

  private final Children children = new Children();
  private final LifecycleQueue events = LifecycleQueue.bounded();
  private final List<Long> handshakePids = new CopyOnWriteArrayList<>();
  private final List<JsonNode> initializeResults = new CopyOnWriteArrayList<>();
  private final List<JsonNode> rootsAsked = new CopyOnWriteArrayList<>();
  private final List<JsonNode> samplingAsked = new CopyOnWriteArrayList<>();
  private final List<JsonNode> progress = new CopyOnWriteArrayList<>();
  private RpcConnection rpc;

  @AfterEach
  void nothingLeftBehind() throws Exception {
    handshakePids.forEach(children::track);
    children.closeAndAssertAllGone(rpc);
  }

  /** The MCP handshake: {@code initialize}, then {@code notifications/initialized}. */
  private static ObjectNode initializeParams() {
    ObjectNode params = JSON.createObjectNode().put("protocolVersion", PROTOCOL_VERSION);
    ObjectNode capabilities = params.putObject("capabilities");
    capabilities.putObject("roots").put("listChanged", false);
    capabilities.putObject("sampling");
    capabilities.putObject("elicitation"); // declared but not served: the server hears -32601
    params.putObject("clientInfo").put("name", "tether-mcp-test").put("version", "0.1.0");
    return params;
  }

  /** The server-everything child this handshake runs on: the one live child not seen before. */
  private long newServerPid() {
    Set<Long> live =
        ProcessTransport.liveProcesses().stream()
            .map(ProcessHandle::pid)
            .collect(Collectors.toSet());
    List<Long> fresh =
        ProcessHandle.current()
            .children()
            .map(ProcessHandle::pid)
            .filter(live::contains)
            .filter(pid -> !handshakePids.contains(pid))
            .collect(Collectors.toList());
    assertThat(fresh).as("exactly one new server process").hasSize(1);
    return children.track(fresh.get(0));
  }

  private RpcConnection connect() {
    ProcessTransport transport =
        ProcessTransport.create(
            ProcessEndpoint.of("node", SERVER.toString(), "stdio"), Children.FAST);
    RpcConnectionBuilder builder =
        RpcConnection.builder()
            .transport(transport)
            .endpoint(transport.uri())
            .policy(QUICK)
            .requestTimeout(Duration.ofSeconds(10))
            .handshakeHook(
                (caller, epoch) ->
                    caller
                        .request("initialize", initializeParams())
                        .thenCompose(
                            result -> {
                              initializeResults.add(result);
                              handshakePids.add(newServerPid());
                              return caller.notify("notifications/initialized", null);
                            }))
            .serve("roots/list", ServedMethod.sync(this::roots))
            .serve("sampling/createMessage", ServedMethod.sync(this::sample))
            .onNotification("notifications/progress", progress::add);
    rpc = builder.build();
    rpc.subscribe(events);
    rpc.start();
    return rpc;
  }

  private JsonNode roots(JsonNode params) {
    rootsAsked.add(params == null ? JSON.nullNode() : params);
    ObjectNode result = JSON.createObjectNode();
    result.putArray("roots").addObject().put("uri", ROOT_URI).put("name", "tether");
    return result;
  }

  private JsonNode sample(JsonNode params) {
    samplingAsked.add(params);
    ObjectNode result =
        JSON.createObjectNode().put("role", "assistant").put("model", "tether-served-model");
    result.putObject("content").put("type", "text").put("text", "forty-two, from the client");
    return result.put("stopReason", "endTurn");
  }

  private <T extends LifecycleEvent> T await(Class<T> type) throws InterruptedException {
    return Children.await(events, type);
  }

  private JsonNode call(String tool, ObjectNode arguments) throws Exception {
    ObjectNode params = JSON.createObjectNode().put("name", tool);
    params.set("arguments", arguments);
    return rpc.request("tools/call", params).toCompletableFuture().get(20, TimeUnit.SECONDS);
  }

  /** All the text of a tool result's {@code content}. */
  private static String text(JsonNode toolResult) {
    StringBuilder all = new StringBuilder();
    toolResult.path("content").forEach(c -> all.append(c.path("text").asText()));
    return all.toString();
  }

  private List<String> toolNames() throws Exception {
    JsonNode list = rpc.request("tools/list", null).toCompletableFuture().get(10, TimeUnit.SECONDS);
    List<String> names = new ArrayList<>();
    list.path("tools").forEach(t -> names.add(t.path("name").asText()));
    return names;
  }

  @Test
  void handshakeInitializesTheServerWhichIntroducesItself() throws Exception {
    connect();
    await(LifecycleEvent.Connected.class);

    assertThat(initializeResults).hasSize(1);
    JsonNode init = initializeResults.get(0);
    assertThat(init.path("protocolVersion").asText()).isEqualTo(PROTOCOL_VERSION);
    assertThat(init.path("serverInfo").path("name").asText()).isEqualTo("mcp-servers/everything");
    assertThat(init.path("capabilities").has("tools")).isTrue();
    assertThat(handshakePids).hasSize(1);
    // The stderr banner ("Starting default (STDIO) server...") is not on stdout: nothing malformed.
    assertThat(rpc.stats().malformedFrames()).isZero();
  }

  @Test
  void toolsListHasEchoAndGetSumAndBothAnswer() throws Exception {
    connect();
    await(LifecycleEvent.Connected.class);

    // get-roots-list and trigger-sampling-request exist only once notifications/initialized
    // arrived: the server registers them then, for a client that declared the capabilities.
    assertThat(toolNames())
        .contains("echo", "get-sum", "trigger-long-running-operation")
        .contains("get-roots-list", "trigger-sampling-request");
    // It announced them with notifications/tools/list_changed, unasked: counted, harmless.
    assertThat(rpc.stats().unroutedNotifications()).isPositive();
    assertThat(text(call("echo", JSON.createObjectNode().put("message", "hello, tether"))))
        .isEqualTo("Echo: hello, tether");
    assertThat(text(call("get-sum", JSON.createObjectNode().put("a", 19).put("b", 23))))
        .isEqualTo("The sum of 19 and 23 is 42.");
  }

  @Test
  void progressNotificationsArriveInOrderBeforeTheToolsResult() throws Exception {
    connect();
    await(LifecycleEvent.Connected.class);

    // Attached before the result arrives, so it runs on the connection's context as the result is
    // delivered: what the progress handler had received by then.
    List<JsonNode> seenAtResult = new CopyOnWriteArrayList<>();
    ObjectNode params = JSON.createObjectNode().put("name", "trigger-long-running-operation");
    params.putObject("arguments").put("duration", 0.5).put("steps", 5);
    params.putObject("_meta").put("progressToken", "tether-progress-1");
    JsonNode result =
        rpc.request("tools/call", params)
            .thenApply(
                r -> {
                  seenAtResult.addAll(progress);
                  return r;
                })
            .toCompletableFuture()
            .get(20, TimeUnit.SECONDS);

    assertThat(text(result)).startsWith("Long running operation completed");
    assertThat(seenAtResult)
        .extracting(p -> p.path("progress").asInt())
        .containsExactly(1, 2, 3, 4, 5);
    assertThat(seenAtResult)
        .allSatisfy(
            p -> {
              assertThat(p.path("progressToken").asText()).isEqualTo("tether-progress-1");
              assertThat(p.path("total").asInt()).isEqualTo(5);
            });
  }

  @Test
  void serversRequestsAreAnsweredByServedHandlersAndAnUnservedOneGetsMethodNotFound()
      throws Exception {
    connect();
    await(LifecycleEvent.Connected.class);

    // roots/list: the server asks on its own after notifications/initialized, or when the tool
    // runs first; either way the tool shows what the served handler answered.
    assertThat(text(call("get-roots-list", JSON.createObjectNode())))
        .contains("Current MCP Roots (1 total)")
        .contains("URI: " + ROOT_URI);
    assertThat(rootsAsked).isNotEmpty();

    JsonNode sampled =
        call(
            "trigger-sampling-request",
            JSON.createObjectNode().put("prompt", "six times seven?").put("maxTokens", 16));
    assertThat(text(sampled))
        .contains("forty-two, from the client")
        .contains("tether-served-model");
    assertThat(samplingAsked).hasSize(1);
    assertThat(samplingAsked.get(0).path("messages").get(0).path("content").path("text").asText())
        .contains("six times seven?");

    // elicitation/create is declared but nobody serves it: the connection answers -32601, which
    // the server's tool reports as its error result.
    JsonNode elicited = call("trigger-elicitation-request", JSON.createObjectNode());
    assertThat(elicited.path("isError").asBoolean()).isTrue();
    assertThat(text(elicited)).contains("-32601");

    assertThat(rpc.stats().servedAnswers()).isGreaterThanOrEqualTo(3);
    assertThat(rpc.stats().servedErrors()).isOne();
  }

  @Test
  void killedServerIsRestartedWithItsHandshakeReplayedAndItsToolsWorkAgain() throws Exception {
    connect();
    await(LifecycleEvent.Connected.class);
    assertThat(text(call("echo", JSON.createObjectNode().put("message", "before")))).isNotEmpty();
    long first = handshakePids.get(0);

    assertThat(ProcessHandle.of(first).orElseThrow().destroyForcibly()).isTrue(); // kill -9

    LifecycleEvent.Reconnecting lost = await(LifecycleEvent.Reconnecting.class);
    assertThat(lost.cause().kind()).isEqualTo(Cause.Kind.CHANNEL_CLOSED);
    assertThat(lost.cause().message())
        .contains("process " + first)
        .contains("killed by signal 9, SIGKILL");
    await(LifecycleEvent.Reconnected.class);

    assertThat(initializeResults).as("initialize ran on each process").hasSize(2);
    assertThat(handshakePids).hasSize(2).doesNotHaveDuplicates();
    assertThat(Children.alive(first)).isFalse();
    assertThat(text(call("echo", JSON.createObjectNode().put("message", "after"))))
        .isEqualTo("Echo: after");
    // Registered by the new process only after its notifications/initialized: replayed too.
    assertThat(text(call("get-roots-list", JSON.createObjectNode()))).contains(ROOT_URI);

    rpc.close();
    assertThat(await(LifecycleEvent.Closed.class)).isNotNull();
    Children.awaitGone(handshakePids, Children.WAIT);
  }
}
