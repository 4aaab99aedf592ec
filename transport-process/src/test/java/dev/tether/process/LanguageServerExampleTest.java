package dev.tether.process;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.tether.rpc.RpcConnection;
import dev.tether.rpc.ServedMethod;
import dev.tether.runtime.framing.Framing;
import java.nio.file.Path;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Keeps docs/processes.md's language-server example honest: the same code compiles and runs here
 * against the real JSON language server; model-tests' DocExamplesTest checks that the guide shows
 * exactly the code between the example markers.
 */
@Timeout(60)
class LanguageServerExampleTest {
  static final ObjectMapper JSON = new ObjectMapper();

  /** The schema the example serves for {@code $schema} URIs the server cannot fetch itself. */
  static final String SCHEMA = "{\"properties\":{\"name\":{\"type\":\"string\"}}}";

  // example:lsp:begin
  static RpcConnection languageServer(Path server, Consumer<JsonNode> diagnostics) {
    ProcessTransport transport =
        ProcessTransport.create(
            ProcessEndpoint.of("node", server.toString(), "--stdio"), // argv, no shell
            ProcessTransportOptions.builder().framing(Framing.contentLength()).build());
    ObjectNode init = JSON.createObjectNode().put("processId", ProcessHandle.current().pid());
    init.putObject("capabilities")
        .putObject("textDocument")
        .putObject("rangeFormatting")
        .put("dynamicRegistration", true);
    RpcConnection rpc =
        RpcConnection.builder()
            .transport(transport)
            .endpoint(transport.uri()) // process:node …/vscode-json-language-server --stdio
            .serve("client/registerCapability", ServedMethod.sync(p -> NullNode.getInstance()))
            .serve("vscode/content", ServedMethod.sync(uris -> TextNode.valueOf(SCHEMA)))
            .onNotification("textDocument/publishDiagnostics", diagnostics::accept)
            .handshakeHook( // on every (re)start of the server, before Connected/Reconnected
                (caller, epoch) ->
                    caller
                        .request("initialize", init)
                        .thenCompose(
                            result -> caller.notify("initialized", JSON.createObjectNode())))
            .build();
    rpc.start();
    return rpc;
  }

  static CompletionStage<Void> open(RpcConnection rpc, String uri, String text) {
    ObjectNode doc = JSON.createObjectNode().put("uri", uri).put("languageId", "json");
    doc.put("version", 1).put("text", text);
    return rpc.notify("textDocument/didOpen", JSON.createObjectNode().set("textDocument", doc));
  }

  // example:lsp:end

  private final Children children = new Children();
  private RpcConnection rpc;

  @AfterEach
  void nothingLeftBehind() throws Exception {
    children.closeAndAssertAllGone(rpc);
  }

  @Test
  void exampleGetsDiagnosticsFromTheRealServer() throws Exception {
    LinkedBlockingQueue<JsonNode> published = new LinkedBlockingQueue<>();
    rpc = languageServer(LanguageServer.JSON_SERVER, published::add);
    children.trackLive();
    String uri = "file:///work/person.json";
    // Waits for the connection: the notification is refused (NotConnected) before it is up.
    LanguageServer.awaitUp(rpc);
    children.trackLive();
    open(rpc, uri, "{\"$schema\": \"tether:/person.schema.json\", \"name\": 42,}")
        .toCompletableFuture()
        .get(10, TimeUnit.SECONDS);

    JsonNode diagnostics = LanguageServer.awaitDiagnostics(published, uri);
    assertThat(LanguageServer.messages(diagnostics))
        .containsExactlyInAnyOrder("Incorrect type. Expected \"string\".", "Trailing comma");
  }
}
