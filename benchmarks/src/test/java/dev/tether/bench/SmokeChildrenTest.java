package dev.tether.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The smoke pass's early starts hand each state to the step that takes it, and stop every state no
 * step took, also one whose start was still running: no child outlives the pass on any path.
 */
class SmokeChildrenTest {
  /** Bound on a child's stop: {@code sh} ends at once when its stdin closes. */
  private static final long WAIT_SECONDS = 30;

  private final List<Object> stopped = new CopyOnWriteArrayList<>();

  @Test
  void closeStopsWhatNoStepTookAndLeavesWhatWasTaken() {
    Process taken;
    try (SmokeChildren children =
        new SmokeChildren()
            .begin(Process.class, SmokeChildrenTest::child, this::stop)
            .begin(ProcessHandle.class, () -> child().toHandle(), this::kill)) {
      taken = children.take(Process.class);
    }
    try {
      assertThat(taken.isAlive()).as("the taken child, now the step's").isTrue();
      assertThat(stopped).singleElement().isInstanceOf(ProcessHandle.class);
      assertThat(((ProcessHandle) stopped.get(0)).isAlive()).as("the child no step took").isFalse();
    } finally {
      stop(taken);
    }
  }

  @Test
  void closeWaitsForAStartStillRunningAndStopsIt() throws Exception {
    CompletableFuture<Void> gate = new CompletableFuture<>();
    SmokeChildren children =
        new SmokeChildren()
            .begin(
                String.class,
                () -> {
                  gate.join();
                  return "started late";
                },
                stopped::add);
    CompletableFuture<Void> closing = CompletableFuture.runAsync(children::close);

    assertThat(closing).as("close waits for the start").isNotDone();
    gate.complete(null);
    closing.get(WAIT_SECONDS, TimeUnit.SECONDS);
    assertThat(stopped).containsExactly("started late");
  }

  @Test
  void aFailedStartFailsItsTakeWithItsCause() {
    try (SmokeChildren children =
        new SmokeChildren()
            .begin(
                String.class,
                () -> {
                  throw new IllegalStateException("node is not on PATH");
                },
                stopped::add)) {
      assertThatThrownBy(() -> children.take(String.class))
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("String could not start")
          .hasRootCauseMessage("node is not on PATH");
    }
    assertThat(stopped).isEmpty();
  }

  @Test
  void aStateIsTakenOnce() {
    try (SmokeChildren children =
        new SmokeChildren().begin(String.class, () -> "x", stopped::add)) {
      assertThat(children.take(String.class)).isEqualTo("x");
      assertThatThrownBy(() -> children.take(String.class))
          .isInstanceOf(IllegalStateException.class);
    }
    assertThat(stopped).as("taken: the step stops it").isEmpty();
  }

  private static Process child() {
    try {
      return new ProcessBuilder("sh", "-c", "read line").start();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private void stop(Process p) {
    Rigs.stopChild(p, p.getOutputStream(), WAIT_SECONDS);
    stopped.add(p);
  }

  private void kill(ProcessHandle h) {
    h.destroyForcibly();
    h.onExit().orTimeout(WAIT_SECONDS, TimeUnit.SECONDS).join();
    stopped.add(h);
  }
}
