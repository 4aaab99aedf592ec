package dev.tether.bench;

import dev.tether.machine.BackoffPolicy;
import dev.tether.machine.LifecycleEvent;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * B8's restart-to-ready: the server is killed with SIGKILL ({@code destroyForcibly}) and the clock
 * runs until an echo call answers on the new server. Tether notices the death and restarts and
 * re-initializes the server by itself (a policy whose first retry is immediate, as one would set
 * for a local child); the SDK side runs the user's restart code ({@link SdkMcpClient#restart}) the
 * moment the kill returns, so it is not charged for noticing. Rounds alternate between the sides.
 */
final class McpRestart {
  /** Tether's policy here: retry at once, no jitter (the default waits 100 ms ± 20 % first). */
  /**
   * Restart at once, and no flap guard: the benchmark kills the server on purpose up to 20 times a
   * minute, which the default guard (10 losses within a minute) rightly ends as {@code FLAPPING}.
   */
  static final BackoffPolicy IMMEDIATE =
      BackoffPolicy.builder().delays(List.of(Duration.ZERO)).jitter(0).noFlapGuard().build();

  private McpRestart() {}

  /** Median and 90th percentile in microseconds, per side. */
  record Result(int rounds, double tetherP50, double tetherP90, double sdkP50, double sdkP90) {}

  /** {@code rounds} kills per side, alternating; both children are stopped at the end. */
  static Result measure(int rounds) {
    long[] tether = new long[rounds];
    long[] sdk = new long[rounds];
    try (TetherMcpClient t = TetherMcpClient.start(IMMEDIATE);
        SdkMcpClient s = SdkMcpClient.start()) {
      AtomicReference<CompletableFuture<Void>> reconnected = new AtomicReference<>();
      t.connection()
          .subscribe(
              e -> {
                CompletableFuture<Void> r = reconnected.get();
                if (e instanceof LifecycleEvent.Reconnected && r != null) {
                  r.complete(null);
                }
              });
      Set<Long> known = BenchPeers.children();
      ProcessHandle tetherChild = onlyChildBesides(known, s.child());
      for (int i = 0; i < rounds; i++) {
        reconnected.set(new CompletableFuture<>());
        known = BenchPeers.children();
        long t0 = System.nanoTime();
        kill(tetherChild);
        Rigs.await(reconnected.get());
        Rigs.await(t.echo(EchoClient.MESSAGE));
        tether[i] = System.nanoTime() - t0;
        tetherChild = BenchPeers.newChild(known);

        long s0 = System.nanoTime();
        kill(s.child());
        s.restart();
        Rigs.await(s.echo(EchoClient.MESSAGE));
        sdk[i] = System.nanoTime() - s0;
      }
    }
    return new Result(rounds, pct(tether, 50), pct(tether, 90), pct(sdk, 50), pct(sdk, 90));
  }

  private static ProcessHandle onlyChildBesides(Set<Long> live, ProcessHandle other) {
    Set<Long> without = new java.util.HashSet<>(Set.of(other.pid()));
    return ProcessHandle.current()
        .children()
        .filter(h -> live.contains(h.pid()) && !without.contains(h.pid()))
        .findFirst()
        .orElseThrow(() -> new IllegalStateException("Tether's server process is not running"));
  }

  private static void kill(ProcessHandle child) {
    child.destroyForcibly();
    child.onExit().orTimeout(Rigs.SETUP_TIMEOUT_SECONDS, TimeUnit.SECONDS).join();
  }

  /** Nearest-rank percentile, in microseconds. */
  static double pct(long[] nanos, int p) {
    long[] sorted = nanos.clone();
    Arrays.sort(sorted);
    int rank = Math.max(1, (int) Math.ceil(p / 100.0 * sorted.length));
    return sorted[rank - 1] / 1_000.0;
  }
}
