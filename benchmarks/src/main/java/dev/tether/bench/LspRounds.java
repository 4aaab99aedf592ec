package dev.tether.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintStream;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.eclipse.lsp4j.DocumentSymbol;
import org.eclipse.lsp4j.SymbolInformation;
import org.eclipse.lsp4j.jsonrpc.messages.Either;

/**
 * B9 with the two sides interleaved: {@link LspBenchmark}'s state (both servers started and
 * initialized once), then rounds in which each side sends {@code perRound} document-symbol requests
 * one after the other, the side going first alternating. Each request makes the server build the
 * outline of 2,000 lines in node (tens of milliseconds), so a side's figure is mostly its server's
 * share of the CPU at that moment; in one round both sides see the same machine, and the median of
 * the per-round ratios, with its spread, is the comparison. (JMH runs one side's iterations, then
 * the other's: on a shared machine the ratio then swung 0.63×–3.7× between runs.)
 */
final class LspRounds {
  private LspRounds() {}

  /**
   * B9 alone: {@code java -cp benchmarks/target/benchmarks.jar dev.tether.bench.LspRounds [warmUp
   * rounds perRound] [--json]} (the full profile's 5, 30 and 20 by default).
   */
  public static void main(String[] args) {
    List<String> rest = new java.util.ArrayList<>(List.of(args));
    boolean json = rest.remove("--json");
    int[] n = {5, 30, 20};
    for (int i = 0; i < Math.min(3, rest.size()); i++) {
      n[i] = Integer.parseInt(rest.get(i));
    }
    report(
        measure(n[0], n[1], n[2]),
        json,
        new PrintStream(System.out, true, java.nio.charset.StandardCharsets.UTF_8));
  }

  /**
   * Per-round figures: requests per second per side, their medians, and the median, smallest and
   * largest per-round ratio (Tether ÷ LSP4J); both sides' outline of the last answer.
   */
  record Result(
      int rounds,
      int perRound,
      double tetherMedian,
      double lsp4jMedian,
      double ratioMedian,
      double ratioMin,
      double ratioMax,
      List<String> tetherOutline,
      List<String> lsp4jOutline) {}

  /**
   * {@code warmUp} untimed rounds, then {@code rounds} timed ones of {@code perRound} requests per
   * side; both servers are stopped at the end.
   */
  static Result measure(int warmUp, int rounds, int perRound) {
    LspBenchmark b = new LspBenchmark();
    b.setUp();
    return measure(b, warmUp, rounds, perRound);
  }

  /**
   * As {@link #measure(int, int, int)} on {@code b}, already set up (the smoke pass starts its
   * servers early, beside other steps); {@code b} is torn down at the end, also when a request
   * fails.
   */
  static Result measure(LspBenchmark b, int warmUp, int rounds, int perRound) {
    try {
      double[] tether = new double[rounds];
      double[] lsp4j = new double[rounds];
      double[] ratios = new double[rounds];
      Object[] last = new Object[2];
      for (int r = -warmUp; r < rounds; r++) {
        double t;
        double l;
        if ((r & 1) == 0) {
          t = perSecond(b, true, perRound, last);
          l = perSecond(b, false, perRound, last);
        } else {
          l = perSecond(b, false, perRound, last);
          t = perSecond(b, true, perRound, last);
        }
        if (r >= 0) {
          tether[r] = t;
          lsp4j[r] = l;
          ratios[r] = t / l;
        }
      }
      return new Result(
          rounds,
          perRound,
          median(tether),
          median(lsp4j),
          median(ratios),
          Arrays.stream(ratios).min().orElse(Double.NaN),
          Arrays.stream(ratios).max().orElse(Double.NaN),
          TetherLspClient.outline((JsonNode) last[0]),
          Lsp4jClient.outline(lsp4jAnswer(last[1])));
    } catch (Exception e) {
      throw new IllegalStateException("B9 request failed", e);
    } finally {
      b.tearDown();
    }
  }

  @SuppressWarnings("unchecked") // LspBenchmark returns LSP4J's typed answer as Object, for JMH
  private static List<Either<SymbolInformation, DocumentSymbol>> lsp4jAnswer(Object answer) {
    return (List<Either<SymbolInformation, DocumentSymbol>>) answer;
  }

  private static double perSecond(LspBenchmark b, boolean tether, int n, Object[] last)
      throws Exception {
    long start = System.nanoTime();
    for (int i = 0; i < n; i++) {
      if (tether) {
        last[0] = b.tetherSymbols();
      } else {
        last[1] = b.lsp4jSymbols();
      }
    }
    return n / (Math.max(1, System.nanoTime() - start) / 1e9);
  }

  private static double median(double[] values) {
    double[] sorted = values.clone();
    Arrays.sort(sorted);
    int n = sorted.length;
    return n == 0
        ? Double.NaN
        : n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
  }

  /** The B9 row: medians per side, the median ratio, its spread; goal at least LSP4J's rate. */
  static void report(Result r, boolean json, PrintStream out) {
    if (json) {
      ObjectNode n =
          BenchJson.row(
              "B9 LSP documentSymbol vs LSP4J",
              r.tetherMedian(),
              r.lsp4jMedian(),
              r.ratioMedian(),
              "requests/s",
              1.0);
      n.put("ratio_min", r.ratioMin());
      n.put("ratio_max", r.ratioMax());
      n.put("rounds", r.rounds());
      n.put("requests_per_round", r.perRound());
      out.println(BenchJson.line(n));
    } else {
      out.printf(
          Locale.ROOT,
          "%-48s tether %,.1f requests/s   baseline %,.1f   ratio %.2fx (rounds %.2f–%.2fx;"
              + " %d rounds of %d per side, interleaved; goal >= 1.0x)%n",
          "B9 LSP documentSymbol vs LSP4J",
          r.tetherMedian(),
          r.lsp4jMedian(),
          r.ratioMedian(),
          r.ratioMin(),
          r.ratioMax(),
          r.rounds(),
          r.perRound());
    }
  }
}
