package dev.tether.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/** The benchmarks' shared set-up. */
class RigsTest {

  /** B5 (ws) at 10,000 sessions: set-up under load must not put every connect in one bound. */
  @Test
  void inBatchesAwaitsEachBatchBeforeStartingTheNext() {
    List<String> log = new ArrayList<>();
    List<CompletableFuture<Void>> started = new ArrayList<>();

    Rigs.inBatches(
        5,
        2,
        () -> {
          log.add("start " + started.size());
          CompletableFuture<Void> f = new CompletableFuture<>();
          started.add(f);
          return f;
        },
        batch -> {
          // The batch is what was started since the last wait: done once those are.
          assertThat(batch).isNotDone();
          started.forEach(f -> f.complete(null));
          assertThat(batch).isDone();
          log.add("await");
        });

    assertThat(log)
        .containsExactly(
            "start 0", "start 1", "await", "start 2", "start 3", "await", "start 4", "await");
  }

  @Test
  void inBatchesRefusesABatchOfNone() {
    assertThatThrownBy(
            () -> Rigs.inBatches(1, 0, () -> CompletableFuture.completedFuture(null), f -> {}))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("batchSize");
  }
}
