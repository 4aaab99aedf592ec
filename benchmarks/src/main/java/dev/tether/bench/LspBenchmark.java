package dev.tether.bench;

import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * B9: {@code textDocument/documentSymbol} on {@link LspDocument} (2,000 lines) against {@code
 * vscode-json-language-server --stdio}: Tether ({@link TetherLspClient}) vs LSP4J ({@link
 * Lsp4jClient}), one request in flight, each side with a server process of its own.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class LspBenchmark {
  private static final long WAIT_SECONDS = 30;

  private TetherLspClient tether;
  private Lsp4jClient lsp4j;

  /** Starts both servers, initializes them and opens the document in each. */
  @Setup
  public void setUp() {
    tether = TetherLspClient.start();
    lsp4j = Rigs.startSecond(tether, Lsp4jClient::start);
  }

  /** Stops both; each child is gone afterwards. */
  @TearDown
  public void tearDown() {
    Rigs.closeBoth(tether, lsp4j);
  }

  /** B9, Tether. */
  @Benchmark
  public Object tetherSymbols() throws Exception {
    return tether.documentSymbols().toCompletableFuture().get(WAIT_SECONDS, TimeUnit.SECONDS);
  }

  /** B9, LSP4J. */
  @Benchmark
  public Object lsp4jSymbols() throws Exception {
    return lsp4j.documentSymbols().get(WAIT_SECONDS, TimeUnit.SECONDS);
  }
}
