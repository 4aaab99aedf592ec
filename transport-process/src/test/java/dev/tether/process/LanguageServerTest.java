package dev.tether.process;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.tether.machine.BackoffPolicy;
import dev.tether.machine.Cause;
import dev.tether.machine.LifecycleEvent;
import dev.tether.rpc.RpcConnection;
import dev.tether.rpc.ServedMethod;
import dev.tether.runtime.LifecycleQueue;
import dev.tether.runtime.framing.Framing;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * An {@link RpcConnection} to a real language server ({@code vscode-json-language-server --stdio}
 * of vscode-langservers-extracted, Content-Length framing) on a {@link ProcessTransport}: the LSP
 * handshake on every start, the server's own requests served, diagnostics, restart after kill -9,
 * and the ways a crashing server ends the connection. After every test no child is left in the
 * process table.
 */
@Timeout(60)
class LanguageServerTest {
  private static final ObjectMapper JSON = LanguageServerExampleTest.JSON;
  private static final String DOC = "file:///work/person.json";

  /** A document with a schema the server asks the client for, and two problems in it. */
  private static final String BROKEN =
      "{\"$schema\": \"tether:/person.schema.json\", \"name\": 42,}";

  private static final List<String> PROBLEMS =
      List.of("Incorrect type. Expected \"string\".", "Trailing comma");

  private static final ProcessTransportOptions LSP =
      ProcessTransportOptions.builder()
          .framing(Framing.contentLength())
          .closeGrace(Duration.ofMillis(300))
          .terminateGrace(Duration.ofMillis(300))
          .build();

  private static final BackoffPolicy QUICK = RpcOverProcessTest.QUICK;

  private final Children children = new Children();
  private final LifecycleQueue events = LifecycleQueue.bounded();
  private final LinkedBlockingQueue<JsonNode> published = new LinkedBlockingQueue<>();

  /** The server process each handshake ran on, in order. */
  private final List<Long> handshakes = new CopyOnWriteArrayList<>();

  /** The {@code initialize} results, in order. */
  private final List<JsonNode> initialized = new CopyOnWriteArrayList<>();

  /**
   * What the server asked: {@code client/registerCapability <method>} or {@code vscode/content}.
   */
  private final List<String> asked = new CopyOnWriteArrayList<>();

  private RpcConnection rpc;

  @AfterEach
  void nothingLeftBehind() throws Exception {
    children.closeAndAssertAllGone(rpc);
  }

  private void connect(ProcessEndpoint server, BackoffPolicy policy) {
    ProcessTransport transport = ProcessTransport.create(server, LSP);
    rpc =
        RpcConnection.builder()
            .transport(transport)
            .endpoint(transport.uri())
            .policy(policy)
            .requestTimeout(Duration.ofSeconds(10))
            .serve("client/registerCapability", ServedMethod.sync(this::register))
            .serve("vscode/content", ServedMethod.sync(this::content))
            .onNotification("textDocument/publishDiagnostics", published::add)
            .handshakeHook(
                (caller, epoch) -> {
                  handshakes.add(children.track(newServerPid()));
                  return caller
                      .request("initialize", initializeParams())
                      .thenCompose(
                          result -> {
                            initialized.add(result);
                            return caller.notify("initialized", JSON.createObjectNode());
                          })
                      // Makes the server register its formatters: client/registerCapability.
                      .thenCompose(
                          v -> caller.notify("workspace/didChangeConfiguration", settings()));
                })
            .build();
    rpc.subscribe(events);
    rpc.start();
  }

  /**
   * Capabilities that make the server register its formatters dynamically. It may also ask {@code
   * workspace/configuration}, which is not served: version 4.10.0 never does, and the tests would
   * see the -32601 answer in {@code servedErrors}.
   */
  private static ObjectNode initializeParams() {
    ObjectNode p = JSON.createObjectNode().put("processId", ProcessHandle.current().pid());
    p.putNull("rootUri");
    ObjectNode capabilities = p.putObject("capabilities");
    capabilities.putObject("workspace").put("configuration", true);
    ObjectNode text = capabilities.putObject("textDocument");
    text.putObject("rangeFormatting").put("dynamicRegistration", true);
    text.putObject("formatting").put("dynamicRegistration", true);
    text.putObject("publishDiagnostics");
    return p;
  }

  private static ObjectNode settings() {
    ObjectNode p = JSON.createObjectNode();
    ObjectNode json = p.putObject("settings").putObject("json");
    json.putObject("validate").put("enable", true);
    json.putObject("format").put("enable", true);
    return p;
  }

  private JsonNode register(JsonNode params) {
    params
        .path("registrations")
        .forEach(r -> asked.add("client/registerCapability " + r.path("method").asText()));
    return NullNode.getInstance();
  }

  private JsonNode content(JsonNode uris) {
    asked.add("vscode/content " + uris.path(0).asText());
    return TextNode.valueOf(LanguageServerExampleTest.SCHEMA);
  }

  /** The child of this JVM that a transport started last and no handshake has seen yet. */
  private long newServerPid() {
    long self = ProcessHandle.current().pid();
    List<Long> fresh = new ArrayList<>();
    for (ProcessHandle h : ProcessTransport.liveProcesses()) {
      if (h.isAlive()
          && !handshakes.contains(h.pid())
          && h.parent().map(ProcessHandle::pid).orElse(-1L) == self) {
        fresh.add(h.pid());
      }
    }
    assertThat(fresh).as("one new server process").hasSize(1);
    return fresh.get(0);
  }

  private <T extends LifecycleEvent> T await(Class<T> type) throws InterruptedException {
    return Children.await(events, type);
  }

  private void openBrokenDocument() throws Exception {
    LanguageServerExampleTest.open(rpc, DOC, BROKEN)
        .toCompletableFuture()
        .get(10, TimeUnit.SECONDS);
  }

  @Test
  void handshakeServesTheServersRequestsAndDiagnosticsArrive() throws Exception {
    connect(LanguageServer.jsonServer(), QUICK);
    await(LifecycleEvent.Connected.class);
    assertThat(initialized).hasSize(1);
    assertThat(initialized.get(0).path("capabilities").path("textDocumentSync").asInt())
        .isEqualTo(2); // incremental

    openBrokenDocument();
    JsonNode diagnostics = LanguageServer.awaitDiagnostics(published, DOC);

    assertThat(LanguageServer.messages(diagnostics)).containsExactlyInAnyOrderElementsOf(PROBLEMS);
    // The schema problem needs the served vscode/content answer; the registrations came first.
    assertThat(asked)
        .containsExactly(
            "client/registerCapability textDocument/rangeFormatting",
            "client/registerCapability textDocument/formatting",
            "vscode/content tether:/person.schema.json");
    assertThat(rpc.stats().serverRequests()).isEqualTo(3);
    assertThat(rpc.stats().servedAnswers()).isEqualTo(3);
    assertThat(rpc.stats().servedErrors()).as("no request went unserved (-32601)").isZero();
  }

  @Test
  void killedServerIsRestartedWithItsHandshakeReplayedAndDiagnosesAgain() throws Exception {
    connect(LanguageServer.jsonServer(), QUICK);
    await(LifecycleEvent.Connected.class);
    openBrokenDocument();
    LanguageServer.awaitDiagnostics(published, DOC);
    long first = handshakes.get(0);

    ProcessHandle.of(first).orElseThrow().destroyForcibly();

    LifecycleEvent.Reconnecting lost = await(LifecycleEvent.Reconnecting.class);
    assertThat(lost.cause().kind()).isEqualTo(Cause.Kind.CHANNEL_CLOSED);
    assertThat(lost.cause().message())
        .contains("process " + first)
        .contains("(killed by signal 9, SIGKILL)");
    await(LifecycleEvent.Reconnected.class);
    assertThat(handshakes).hasSize(2).doesNotHaveDuplicates();
    assertThat(initialized).hasSize(2);
    assertThat(Children.alive(first)).isFalse();
    assertThat(Children.alive(handshakes.get(1))).isTrue();

    // The new server knows no documents: open it again, and it diagnoses it again.
    published.clear();
    openBrokenDocument();
    assertThat(LanguageServer.messages(LanguageServer.awaitDiagnostics(published, DOC)))
        .containsExactlyInAnyOrderElementsOf(PROBLEMS);
    assertThat(asked).filteredOn(a -> a.startsWith("vscode/content")).hasSize(2);
    assertThat(rpc.stats().servedErrors()).isZero();
  }

  @Test
  void serverCrashingSoonAfterEveryHandshakeEndsFlapping() throws Exception {
    BackoffPolicy flapGuard =
        BackoffPolicy.builder()
            .exponential(Duration.ofMillis(20), 2.0, Duration.ofMillis(100))
            .maxAttempts(3)
            .flapLimit(3, Duration.ofMinutes(1))
            .build();
    connect(LanguageServer.crashing("--after-initialized", "300"), flapGuard);

    LifecycleEvent.PermanentlyDisconnected end =
        await(LifecycleEvent.PermanentlyDisconnected.class);

    assertThat(end.cause().kind()).isEqualTo(Cause.Kind.FLAPPING);
    // Up four times (Connected, then Reconnected three times); the fourth loss is one too many.
    assertThat(handshakes).hasSize(4).doesNotHaveDuplicates();
    assertThat(initialized).hasSize(4);
    assertThat(rpc.stats().reconnects()).isEqualTo(3);
  }

  @Test
  void serverCrashingBeforeItAnswersInitializeEndsWithItsExitAndStderr() throws Exception {
    connect(LanguageServer.crashing("--before-initialize"), QUICK);

    LifecycleEvent.PermanentlyDisconnected end =
        await(LifecycleEvent.PermanentlyDisconnected.class);

    assertThat(end.cause().message())
        .contains("exited with code 1;")
        .contains("stderr (1 line): lsp-crash: cannot load the workspace settings, giving up");
    assertThat(end.attempts()).isEqualTo(3);
    assertThat(handshakes).as("every attempt started a server").hasSize(3).doesNotHaveDuplicates();
    assertThat(initialized).isEmpty();
  }

  @Test
  void missingServerCommandEndsNamingTheCommand() throws Exception {
    connect(ProcessEndpoint.of("tether-no-such-language-server", "--stdio"), QUICK);

    LifecycleEvent.PermanentlyDisconnected end =
        await(LifecycleEvent.PermanentlyDisconnected.class);

    assertThat(end.cause().message())
        .contains("cannot start [tether-no-such-language-server, --stdio]")
        .contains("No such file or directory");
    assertThat(handshakes).isEmpty();
  }
}
