package example.lsp;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.tether.machine.ConnectionState;
import dev.tether.process.ProcessEndpoint;
import dev.tether.process.ProcessTransport;
import dev.tether.process.ProcessTransportOptions;
import dev.tether.rpc.RpcConnection;
import dev.tether.rpc.ServedMethod;
import dev.tether.runtime.framing.Framing;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * A language-server client over a child process: starts the real JSON language server ({@code
 * vscode-json-language-server --stdio}, Content-Length framing), initializes it in a handshake
 * hook (replayed on every restart), opens a JSON document with two mistakes and prints the
 * diagnostics the server publishes. Then shuts it down; the child is gone when {@code terminated()}
 * completes. Every wait is bounded.
 *
 * <p>Run with {@code -Dlsp.server=PATH} naming the server's launcher script.
 */
public final class LanguageServerClient {
  private static final Duration WAIT = Duration.ofSeconds(30);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String SCHEMA = "{\"properties\":{\"name\":{\"type\":\"string\"}}}";

  public static void main(String[] args) throws Exception {
    Path server = Path.of(System.getProperty("lsp.server", "vscode-json-language-server"));
    if (!Files.isRegularFile(server)) {
      System.err.println("no language server at " + server + " (pass -Dlsp.server=PATH)");
      System.exit(2);
    }
    String uri = "file:///example/person.json";
    CompletableFuture<JsonNode> diagnostics = new CompletableFuture<>();
    CompletableFuture<Void> up = new CompletableFuture<>();

    ProcessTransport transport =
        ProcessTransport.create(
            ProcessEndpoint.of("node", server.toString(), "--stdio"), // argv, no shell
            ProcessTransportOptions.builder().framing(Framing.contentLength()).build());
    ObjectNode init = JSON.createObjectNode().put("processId", ProcessHandle.current().pid());
    init.putObject("capabilities");
    RpcConnection rpc =
        RpcConnection.builder()
            .transport(transport)
            .endpoint(transport.uri())
            .name("json-language-server")
            .serve("client/registerCapability", ServedMethod.sync(p -> NullNode.getInstance()))
            .serve("vscode/content", ServedMethod.sync(uris -> TextNode.valueOf(SCHEMA)))
            .onNotification(
                "textDocument/publishDiagnostics",
                p -> {
                  if (uri.equals(p.path("uri").asText()) && !p.path("diagnostics").isEmpty()) {
                    diagnostics.complete(p);
                  }
                })
            .handshakeHook( // on every (re)start of the server, before Connected/Reconnected
                (caller, epoch) ->
                    caller
                        .request("initialize", init)
                        .thenCompose(
                            result -> caller.notify("initialized", JSON.createObjectNode())))
            .build();
    rpc.subscribe(
        event -> {
          System.out.println("[status] " + event.state().label() + "   <- " + event);
          if (event.state() instanceof ConnectionState.Connected) {
            up.complete(null);
          }
        });
    rpc.start();
    try {
      up.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
      String text = "{\"$schema\": \"tether:/person.schema.json\", \"name\": 42,}";
      System.out.println("didOpen " + uri + ": " + text);
      ObjectNode doc = JSON.createObjectNode().put("uri", uri).put("languageId", "json");
      doc.put("version", 1).put("text", text);
      rpc.notify("textDocument/didOpen", JSON.createObjectNode().set("textDocument", doc))
          .toCompletableFuture()
          .get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
      JsonNode published = diagnostics.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
      for (JsonNode d : published.path("diagnostics")) {
        JsonNode start = d.path("range").path("start");
        System.out.println(
            "  diagnostic at "
                + (start.path("line").asInt() + 1)
                + ":"
                + (start.path("character").asInt() + 1)
                + ": "
                + d.path("message").asText());
      }
      rpc.request("shutdown", null).toCompletableFuture().get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
    } finally {
      rpc.close("client done"); // stdin EOF, grace, terminate, kill (P5: no orphans)
      rpc.terminated().toCompletableFuture().get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
      transport.close();
    }
    System.out.println("OK: diagnostics received, server stopped");
  }
}
