package dev.tether.process;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tether.machine.ConnectionState;
import dev.tether.rpc.RpcConnection;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * The real JSON language server of {@code vscode-langservers-extracted} (installed by the build
 * into the process peers' {@code node_modules}), the crashing wrapper around it ({@code
 * src/test/node/lsp-crash.js}), and bounded waits on what the server publishes.
 */
final class LanguageServer {
  private static final Path PEERS =
      Path.of(System.getProperty("tether.processPeers.dir", "target/process-peers"));

  /** The server's launcher script: {@code node JSON_SERVER --stdio}. */
  static final Path JSON_SERVER =
      PEERS.resolve("node_modules/vscode-langservers-extracted/bin/vscode-json-language-server");

  /** The wrapper that runs {@link #JSON_SERVER} and crashes on purpose. */
  static final Path CRASHING = PEERS.resolve("lsp-crash.js");

  private LanguageServer() {}

  /** {@code node JSON_SERVER --stdio}. */
  static ProcessEndpoint jsonServer() {
    return ProcessEndpoint.of("node", JSON_SERVER.toString(), "--stdio");
  }

  /** {@code node lsp-crash.js MODE... JSON_SERVER --stdio}. */
  static ProcessEndpoint crashing(String... mode) {
    List<String> argv = new ArrayList<>(List.of("node", CRASHING.toString()));
    argv.addAll(List.of(mode));
    argv.addAll(List.of(JSON_SERVER.toString(), "--stdio"));
    return ProcessEndpoint.of(argv);
  }

  /** Waits (bounded) until {@code rpc} is connected. */
  static void awaitUp(RpcConnection rpc) throws Exception {
    CompletableFuture<Void> up = new CompletableFuture<>();
    rpc.subscribe(
        e -> {
          if (e.state() instanceof ConnectionState.Connected) {
            up.complete(null);
          }
        });
    if (!(rpc.state() instanceof ConnectionState.Connected)) {
      up.get(Children.WAIT.toMillis(), TimeUnit.MILLISECONDS);
    }
  }

  /**
   * The next non-empty {@code textDocument/publishDiagnostics} params for {@code uri} within {@link
   * Children#WAIT}; empty ones (a document with no problems) are skipped.
   */
  static JsonNode awaitDiagnostics(BlockingQueue<JsonNode> published, String uri)
      throws InterruptedException {
    long deadline = System.nanoTime() + Children.WAIT.toNanos();
    while (System.nanoTime() < deadline) {
      JsonNode p = published.poll(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
      if (p != null && uri.equals(p.path("uri").asText()) && !p.path("diagnostics").isEmpty()) {
        return p;
      }
    }
    throw new AssertionError("no diagnostics for " + uri + " within " + Children.WAIT);
  }

  /** The messages of a {@code publishDiagnostics} params. */
  static List<String> messages(JsonNode published) {
    List<String> messages = new ArrayList<>();
    published.path("diagnostics").forEach(d -> messages.add(d.path("message").asText()));
    assertThat(messages).isNotEmpty();
    return messages;
  }
}
