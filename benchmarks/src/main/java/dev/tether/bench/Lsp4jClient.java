package dev.tether.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import org.eclipse.lsp4j.ClientCapabilities;
import org.eclipse.lsp4j.DidOpenTextDocumentParams;
import org.eclipse.lsp4j.DocumentSymbol;
import org.eclipse.lsp4j.DocumentSymbolCapabilities;
import org.eclipse.lsp4j.DocumentSymbolParams;
import org.eclipse.lsp4j.InitializeParams;
import org.eclipse.lsp4j.InitializedParams;
import org.eclipse.lsp4j.MessageActionItem;
import org.eclipse.lsp4j.MessageParams;
import org.eclipse.lsp4j.PublishDiagnosticsParams;
import org.eclipse.lsp4j.ShowMessageRequestParams;
import org.eclipse.lsp4j.SymbolInformation;
import org.eclipse.lsp4j.TextDocumentClientCapabilities;
import org.eclipse.lsp4j.TextDocumentIdentifier;
import org.eclipse.lsp4j.TextDocumentItem;
import org.eclipse.lsp4j.jsonrpc.Launcher;
import org.eclipse.lsp4j.jsonrpc.messages.Either;
import org.eclipse.lsp4j.launch.LSPLauncher;
import org.eclipse.lsp4j.services.LanguageClient;
import org.eclipse.lsp4j.services.LanguageServer;

/**
 * B9's baseline: LSP4J's typed protocol on its JSON-RPC launcher ({@link LSPLauncher}, default
 * options) over the stdio of the same {@code vscode-json-language-server --stdio}, started with
 * {@link ProcessBuilder}; initialized and given {@link LspDocument} as Tether's side is.
 */
final class Lsp4jClient implements AutoCloseable {
  private final Process process;

  /**
   * What LSP4J's launcher uses when given none ({@code Executors.newCachedThreadPool()}: the same
   * threads, so the same baseline), made here so that {@link #close} can end it: LSP4J's own is
   * never shut down, and its idle non-daemon thread kept the {@code bench} JVM alive for a minute
   * after its last row.
   */
  private final ExecutorService executor = Executors.newCachedThreadPool();

  private final Future<Void> listening;
  private final LanguageServer server;
  private final DocumentSymbolParams symbolParams =
      new DocumentSymbolParams(new TextDocumentIdentifier(LspDocument.URI));

  private Lsp4jClient(Process process) {
    this.process = process;
    Launcher<LanguageServer> launcher =
        LSPLauncher.createClientLauncher(
            new QuietClient(),
            process.getInputStream(),
            process.getOutputStream(),
            executor,
            Function.identity());
    listening = launcher.startListening();
    server = launcher.getRemoteProxy();
  }

  /** Starts the server, initializes it and opens the document. */
  static Lsp4jClient start() {
    Process p;
    try {
      p =
          new ProcessBuilder(BenchPeers.jsonLanguageServer())
              .redirectError(ProcessBuilder.Redirect.DISCARD)
              .start();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start the JSON language server", e);
    }
    Lsp4jClient c = new Lsp4jClient(p);
    try {
      c.initialize();
    } catch (RuntimeException e) {
      c.close();
      throw e;
    }
    return c;
  }

  private void initialize() {
    InitializeParams init = new InitializeParams();
    init.setProcessId((int) ProcessHandle.current().pid());
    DocumentSymbolCapabilities symbols = new DocumentSymbolCapabilities();
    symbols.setHierarchicalDocumentSymbolSupport(true);
    TextDocumentClientCapabilities text = new TextDocumentClientCapabilities();
    text.setDocumentSymbol(symbols);
    ClientCapabilities capabilities = new ClientCapabilities();
    capabilities.setTextDocument(text);
    init.setCapabilities(capabilities);
    await(server.initialize(init));
    server.initialized(new InitializedParams());
    server
        .getTextDocumentService()
        .didOpen(
            new DidOpenTextDocumentParams(
                new TextDocumentItem(LspDocument.URI, "json", 1, LspDocument.TEXT)));
  }

  /** {@code textDocument/documentSymbol} for the document. */
  CompletableFuture<List<Either<SymbolInformation, DocumentSymbol>>> documentSymbols() {
    return server.getTextDocumentService().documentSymbol(symbolParams);
  }

  /** The outline as {@code depth name kind} lines in document order (for checks, not timed). */
  static List<String> outline(List<Either<SymbolInformation, DocumentSymbol>> symbols) {
    List<String> lines = new ArrayList<>();
    for (Either<SymbolInformation, DocumentSymbol> s : symbols) {
      if (s.isLeft()) {
        SymbolInformation flat = s.getLeft();
        lines.add("0 " + flat.getName() + " " + flat.getKind().getValue());
      } else {
        outline(s.getRight(), 0, lines);
      }
    }
    return lines;
  }

  private static void outline(DocumentSymbol symbol, int depth, List<String> lines) {
    lines.add(depth + " " + symbol.getName() + " " + symbol.getKind().getValue());
    if (symbol.getChildren() != null) {
      symbol.getChildren().forEach(c -> outline(c, depth + 1, lines));
    }
  }

  private static <T> T await(CompletableFuture<T> f) {
    try {
      return f.get(Rigs.SETUP_TIMEOUT_SECONDS, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    } catch (ExecutionException | TimeoutException e) {
      throw new IllegalStateException("the language server did not answer", e);
    }
  }

  /** shutdown, exit, then the child's stdin is closed; killed if it does not end. */
  @Override
  public void close() {
    try {
      if (process.isAlive()) {
        await(server.shutdown());
        server.exit();
      }
    } finally {
      Rigs.stopChild(process, process.getOutputStream(), Rigs.SETUP_TIMEOUT_SECONDS);
      listening.cancel(true);
      executor.shutdownNow();
    }
  }

  /** A client that ignores what the server publishes or logs, as Tether's side does. */
  private static final class QuietClient implements LanguageClient {
    @Override
    public void telemetryEvent(Object object) {}

    @Override
    public void publishDiagnostics(PublishDiagnosticsParams diagnostics) {}

    @Override
    public void showMessage(MessageParams message) {}

    @Override
    public CompletableFuture<MessageActionItem> showMessageRequest(
        ShowMessageRequestParams request) {
      return CompletableFuture.completedFuture(null);
    }

    @Override
    public void logMessage(MessageParams message) {}
  }
}
