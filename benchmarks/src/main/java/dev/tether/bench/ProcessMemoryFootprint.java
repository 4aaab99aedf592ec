package dev.tether.bench;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tether.process.ProcessEndpoint;
import dev.tether.process.ProcessTransport;
import dev.tether.rpc.RpcConnection;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;

/**
 * B5 for process connections: the heap this JVM keeps per connected process session beyond what the
 * child's {@link Process} itself costs, and, separately, the child's own resident memory.
 *
 * <p>{@code sessions} {@link RpcConnection}s (default options: each on a thread of its own, as a
 * user gets without a scheduler) over one {@link ProcessTransport} starting {@link #CHILD}; the
 * heap they add is measured after full GC as in {@link MemoryFootprint}; the children's {@code
 * VmRSS} is read from {@code /proc}. They are closed (each child is gone when its connection has
 * terminated, P5), and the same number of children are started with a plain {@link ProcessBuilder}
 * (pipes on all three streams, nothing reading them) and measured the same way. The difference is
 * Tether's own. Thread stacks are not heap: the threads each session adds are counted and reported
 * beside. Every child started is stopped on every path, also when the measurement fails.
 */
final class ProcessMemoryFootprint {
  /** The child: {@code cat}, the smallest program that keeps its stdio open until stdin ends. */
  static final List<String> CHILD = List.of("cat");

  private static final long STOP_WAIT_SECONDS = 10;

  /**
   * Per-session bytes of heap (Tether's side and the plain {@link Process} side), the children's
   * mean resident set, and the threads one Tether session adds to this JVM.
   */
  record Result(
      int sessions, double tetherBytes, double rawBytes, double childRssBytes, double threads) {
    double overRaw() {
      return tetherBytes - rawBytes;
    }
  }

  private ProcessMemoryFootprint() {}

  /**
   * B5 (process) alone: {@code java -cp benchmarks/target/benchmarks.jar
   * dev.tether.bench.ProcessMemoryFootprint [sessions] [--json]} (1,000 sessions by default).
   */
  public static void main(String[] args) {
    List<String> rest = new ArrayList<>(List.of(args));
    boolean json = rest.remove("--json");
    int sessions = rest.isEmpty() ? 1_000 : Integer.parseInt(rest.get(0));
    report(
        measure(sessions, MemoryFootprint.GCS),
        json,
        new PrintStream(System.out, true, java.nio.charset.StandardCharsets.UTF_8));
  }

  /** {@code sessions} of each kind; each heap reading the least of {@code gcs} full GCs. */
  static Result measure(int sessions, int gcs) {
    ProcessTransport transport = ProcessTransport.create(ProcessEndpoint.of(CHILD));
    List<RpcConnection> live = new ArrayList<>(sessions + 1);
    List<Process> plain = new ArrayList<>(sessions + 1);
    try {
      // One of each first, open throughout: first-use state is not charged to either half.
      connect(transport, live, 1);
      plain.add(startPlain());
      int threadsBefore = Thread.activeCount();
      long before = MemoryFootprint.usedAfterGc(gcs);
      connect(transport, live, sessions);
      long after = MemoryFootprint.usedAfterGc(gcs);
      double threads = (Thread.activeCount() - threadsBefore) / (double) sessions;
      double rss = meanRss(ProcessTransport.liveProcesses());
      List<RpcConnection> measured = new ArrayList<>(live.subList(1, live.size()));
      live.subList(1, live.size()).clear();
      close(measured);
      measured.clear();
      long rawBefore = MemoryFootprint.usedAfterGc(gcs);
      for (int i = 0; i < sessions; i++) {
        plain.add(startPlain());
      }
      long rawAfter = MemoryFootprint.usedAfterGc(gcs);
      return new Result(
          sessions,
          (after - before) / (double) sessions,
          (rawAfter - rawBefore) / (double) sessions,
          rss,
          threads);
    } finally {
      close(live);
      transport.close();
      stopPlain(plain);
    }
  }

  /** Connects {@code n} more sessions into {@code live} and waits until all are connected. */
  private static void connect(ProcessTransport transport, List<RpcConnection> live, int n) {
    List<CompletableFuture<Void>> ups = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      RpcConnection rpc =
          RpcConnection.builder().transport(transport).endpoint(transport.uri()).build();
      ups.add(Rigs.connected(rpc));
      live.add(rpc);
      rpc.start();
    }
    Rigs.await(CompletableFuture.allOf(ups.toArray(CompletableFuture[]::new)));
  }

  private static void close(List<RpcConnection> live) {
    for (RpcConnection rpc : live) {
      rpc.close();
    }
    for (RpcConnection rpc : live) {
      Rigs.await(rpc.terminated()); // its child is gone by then (P5)
    }
  }

  private static Process startPlain() {
    try {
      return new ProcessBuilder(CHILD).start();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start " + CHILD, e);
    }
  }

  /** Closes every stdin first (each {@code cat} exits), then waits for each, killing a hung one. */
  private static void stopPlain(List<Process> plain) {
    for (Process p : plain) {
      try {
        p.getOutputStream().close();
      } catch (IOException e) {
        p.destroyForcibly();
      }
    }
    for (Process p : plain) {
      Rigs.stopChild(p, p.getOutputStream(), STOP_WAIT_SECONDS);
    }
  }

  /** Mean {@code VmRSS} of {@code children} in bytes, from {@code /proc}; NaN where unreadable. */
  static double meanRss(List<ProcessHandle> children) {
    long sum = 0;
    int n = 0;
    for (ProcessHandle h : children) {
      long rss = rssBytes(h.pid());
      if (rss > 0) {
        sum += rss;
        n++;
      }
    }
    return n == 0 ? Double.NaN : sum / (double) n;
  }

  private static long rssBytes(long pid) {
    try {
      for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
        if (line.startsWith("VmRSS:")) {
          return 1024 * Long.parseLong(line.replaceAll("[^0-9]", ""));
        }
      }
    } catch (IOException | NumberFormatException e) {
      return -1; // gone or not Linux: left out of the mean
    }
    return -1;
  }

  /** Prints one row: Tether's own heap per process session (goal 2 KiB, as for WebSockets). */
  static void report(Result r, boolean json, PrintStream out) {
    if (json) {
      ObjectNode n =
          BenchJson.row(
              "B5 memory (process, " + r.sessions() + " sessions)",
              r.tetherBytes(),
              r.rawBytes(),
              Double.NaN,
              "bytes/session",
              null);
      n.put("over_baseline", r.overRaw());
      n.put("goal_note", "no goal set; the WebSocket sessions' 2,048 B for comparison");
      n.put("child_rss_bytes", r.childRssBytes());
      n.put("threads_per_session", r.threads());
      out.println(BenchJson.line(n));
    } else {
      out.printf(
          Locale.ROOT,
          "%-18s tether %,.0f bytes/session, plain Process %,.0f, Tether's own %,.0f over %,d"
              + " sessions; %.1f threads/session; each child (%s) %,.0f KiB resident%n",
          "B5 memory (proc)",
          r.tetherBytes(),
          r.rawBytes(),
          r.overRaw(),
          r.sessions(),
          r.threads(),
          String.join(" ", CHILD),
          r.childRssBytes() / 1024);
    }
  }
}
