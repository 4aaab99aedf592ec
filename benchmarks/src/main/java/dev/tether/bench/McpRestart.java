package dev.tether.bench;

import dev.tether.machine.BackoffPolicy;
import dev.tether.machine.LifecycleEvent;
import dev.tether.runtime.Subscription;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
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
  /**
   * Tether's policy here: restart at once, no jitter (the default waits 100 ms ± 20 % first), and
   * no flap guard: the benchmark kills the server on purpose up to 20 times a minute, which the
   * default guard (10 losses within a minute) rightly ends as {@code FLAPPING}.
   */
  static final BackoffPolicy IMMEDIATE =
      BackoffPolicy.builder().delays(List.of(Duration.ZERO)).jitter(0).noFlapGuard().build();

  private McpRestart() {}

  /** Median and 90th percentile in microseconds, per side. */
  record Result(int rounds, double tetherP50, double tetherP90, double sdkP50, double sdkP90) {}

  /** {@code rounds} kills per side, alternating, on clients of its own, stopped at the end. */
  static Result measure(int rounds) {
    try (TetherMcpClient t = TetherMcpClient.start(IMMEDIATE);
        SdkMcpClient s = SdkMcpClient.start()) {
      return measure(rounds, t, s);
    }
  }

  /**
   * {@code rounds} kills per side, alternating, on clients already started and initialized (the
   * smoke pass's, whose calls ran on them before); they stay open, each on its last server.
   *
   * @throws IllegalArgumentException if {@code tether} does not restart by {@link #IMMEDIATE}
   */
  static Result measure(int rounds, TetherMcpClient tether, SdkMcpClient sdk) {
    if (tether.policy() != IMMEDIATE) {
      throw new IllegalArgumentException(
          "Tether's client must restart by McpRestart.IMMEDIATE, not " + tether.policy());
    }
    long[] tetherNanos = new long[rounds];
    long[] sdkNanos = new long[rounds];
    AtomicReference<CompletableFuture<Void>> reconnected = new AtomicReference<>();
    Subscription watching =
        tether
            .connection()
            .subscribe(
                e -> {
                  CompletableFuture<Void> r = reconnected.get();
                  if (e instanceof LifecycleEvent.Reconnected && r != null) {
                    r.complete(null);
                  }
                });
    try {
      for (int i = 0; i < rounds; i++) {
        reconnected.set(new CompletableFuture<>());
        ProcessHandle tetherChild = tether.child();
        long t0 = System.nanoTime();
        kill(tetherChild);
        Rigs.await(reconnected.get());
        Rigs.await(tether.echo(EchoClient.MESSAGE));
        tetherNanos[i] = System.nanoTime() - t0;

        long s0 = System.nanoTime();
        kill(sdk.child());
        sdk.restart();
        Rigs.await(sdk.echo(EchoClient.MESSAGE));
        sdkNanos[i] = System.nanoTime() - s0;
      }
    } finally {
      watching.cancel();
    }
    return new Result(
        rounds, pct(tetherNanos, 50), pct(tetherNanos, 90), pct(sdkNanos, 50), pct(sdkNanos, 90));
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
