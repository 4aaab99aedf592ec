package dev.tether.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tether.machine.BackoffPolicy;
import dev.tether.process.ProcessEndpoint;
import dev.tether.process.ProcessTransport;
import dev.tether.process.ProcessTransportOptions;
import dev.tether.rpc.RpcConnection;
import dev.tether.runtime.framing.Framing;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionStage;

/**
 * B9's Tether side: an {@link RpcConnection} on a {@link ProcessTransport} with Content-Length
 * framing running {@code vscode-json-language-server --stdio}. The handshake hook initializes the
 * server and opens {@link LspDocument} on every start of it.
 */
final class TetherLspClient implements AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final ProcessTransport transport;
  private final RpcConnection rpc;
  private final ObjectNode symbolParams;

  private TetherLspClient() {
    transport =
        ProcessTransport.create(
            ProcessEndpoint.of(BenchPeers.jsonLanguageServer()),
            ProcessTransportOptions.builder().framing(Framing.contentLength()).build());
    rpc =
        RpcConnection.builder()
            .transport(transport)
            .endpoint(transport.uri())
            .policy(BackoffPolicy.defaults())
            .requestTimeout(Duration.ofSeconds(Rigs.SETUP_TIMEOUT_SECONDS))
            .handshakeHook(
                (caller, epoch) ->
                    caller
                        .request("initialize", initializeParams())
                        .thenCompose(r -> caller.notify("initialized", JSON.createObjectNode()))
                        .thenCompose(v -> caller.notify("textDocument/didOpen", didOpen())))
            .build();
    symbolParams = JSON.createObjectNode();
    symbolParams.putObject("textDocument").put("uri", LspDocument.URI);
  }

  /** Starts the server, initializes it and opens the document. */
  static TetherLspClient start() {
    TetherLspClient c = new TetherLspClient();
    Rigs.startConnected(c.rpc, c);
    return c;
  }

  private static ObjectNode initializeParams() {
    ObjectNode p = JSON.createObjectNode().put("processId", ProcessHandle.current().pid());
    p.putNull("rootUri");
    p.putObject("capabilities")
        .putObject("textDocument")
        .putObject("documentSymbol")
        .put("hierarchicalDocumentSymbolSupport", true);
    return p;
  }

  private static ObjectNode didOpen() {
    ObjectNode p = JSON.createObjectNode();
    p.putObject("textDocument")
        .put("uri", LspDocument.URI)
        .put("languageId", "json")
        .put("version", 1)
        .put("text", LspDocument.TEXT);
    return p;
  }

  /** {@code textDocument/documentSymbol} for the document: an array of {@code DocumentSymbol}. */
  CompletionStage<JsonNode> documentSymbols() {
    return rpc.request("textDocument/documentSymbol", symbolParams);
  }

  /** The outline as {@code depth name kind} lines in document order (for checks, not timed). */
  static List<String> outline(JsonNode symbols) {
    List<String> lines = new ArrayList<>();
    symbols.forEach(s -> outline(s, 0, lines));
    return lines;
  }

  private static void outline(JsonNode symbol, int depth, List<String> lines) {
    lines.add(depth + " " + symbol.path("name").asText() + " " + symbol.path("kind").asInt());
    symbol.path("children").forEach(c -> outline(c, depth + 1, lines));
  }

  @Override
  public void close() {
    rpc.close();
    Rigs.await(rpc.terminated()); // the child is gone by then (P5)
    transport.close();
  }
}
