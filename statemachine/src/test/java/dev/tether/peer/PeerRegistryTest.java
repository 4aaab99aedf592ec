package dev.tether.peer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tether.peer.spi.MetadataStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PeerRegistryTest {
  /** Bound on the second JVM's run; it does a few dozen small writes. */
  static final long CHILD_TIMEOUT_SECONDS = 60;

  @TempDir Path dir;

  private PeerRegistry registry(String... pods) throws IOException {
    PeerRegistry r = PeerRegistry.open(FileMetadataStore.open(dir));
    for (String p : pods) {
      r.add(p);
    }
    return r;
  }

  @Test
  void registerWritesBothSidesAndUnregisterRemovesBoth() throws IOException {
    PeerRegistry r = registry("a", "b", "c");
    r.register("a", "b");
    r.register("c", "a");
    r.register("a", "b");
    assertThat(r.peers("a")).containsExactly("b", "c");
    assertThat(r.peers("b")).containsExactly("a");
    r.unregister("b", "a");
    assertThat(r.peers("a")).containsExactly("c");
    assertThat(r.peers("b")).isEmpty();
  }

  @Test
  void rejectsSelfRegistrationAndUnknownPodsWithoutWriting() throws IOException {
    PeerRegistry r = registry("a");
    assertThatThrownBy(() -> r.register("a", "a"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("own peer");
    assertThatThrownBy(() -> r.register("a", "ghost"))
        .isInstanceOf(UnknownPodException.class)
        .hasMessageContaining("\"ghost\"");
    assertThat(r.peers("a")).isEmpty();
    assertThat(dir.resolve("pods/ghost.json")).doesNotExist();
  }

  @Test
  void invalidNamesAreRejectedBeforeAnyIo() throws IOException {
    RecordingStore store = new RecordingStore(FileMetadataStore.open(dir), "none");
    PeerRegistry r = PeerRegistry.open(store);
    store.calls.clear();
    for (String bad : List.of("..", "a/b", "x\0", "")) {
      assertThatThrownBy(() -> r.register("a", bad)).isInstanceOf(IllegalArgumentException.class);
      assertThatThrownBy(() -> r.add(bad)).isInstanceOf(IllegalArgumentException.class);
    }
    assertThat(store.calls).isEmpty();
  }

  @Test
  void failedReciprocalWriteRestoresTheSourcesExactPriorList() throws IOException {
    PeerRegistry plain = registry("a", "b", "x");
    plain.register("a", "x"); // a relation that existed before must survive the rollback
    RecordingStore store = new RecordingStore(FileMetadataStore.open(dir), "b");
    PeerRegistry r = PeerRegistry.open(store);
    assertThatThrownBy(() -> r.register("a", "b")).hasMessageContaining("injected");
    store.failWritesTo = "none";
    assertThat(r.peers("a")).containsExactly("x");
    assertThat(r.peers("b")).isEmpty();
    assertThat(r.peers("x")).containsExactly("a");
    assertThat(store.readIntent()).isEmpty();
  }

  @Test
  void recoveryOnOpenRollsBackAnUnfinishedRegistration() throws IOException {
    PeerRegistry r = registry("a", "b");
    FileMetadataStore store = FileMetadataStore.open(dir);
    // A crash after the source write: intent journalled, source written, target not.
    store.writeIntent(new MetadataStore.Intent("a", "b", List.of(), List.of()));
    store.writePeers("a", List.of("b"));
    assertThat(PeerRegistry.open(store).peers("a")).isEmpty();
    assertThat(r.peers("b")).isEmpty();
    assertThat(store.readIntent()).isEmpty();
  }

  @Test
  void concurrentRegistrationsFromThreadsLoseNoUpdate() throws Exception {
    int n = 16;
    PeerRegistry setup = registry("hub");
    for (int i = 0; i < n; i++) {
      setup.add("p" + i);
    }
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      List<Future<?>> done = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        String pod = "p" + i;
        // A registry and a store per task: the in-JVM lock must still exclude them.
        done.add(
            pool.submit(
                () -> {
                  PeerRegistry.open(FileMetadataStore.open(dir)).register(pod, "hub");
                  return null;
                }));
      }
      for (Future<?> f : done) {
        f.get(30, TimeUnit.SECONDS);
      }
    } finally {
      pool.shutdownNow();
    }
    assertThat(setup.peers("hub")).hasSize(n);
  }

  @Test
  void concurrentRegistrationsFromTwoProcessesLoseNoUpdate() throws Exception {
    int perSide = 150;
    PeerRegistry setup = registry("hub");
    for (int i = 0; i < perSide; i++) {
      setup.add("child" + i);
      setup.add("parent" + i);
    }
    Process child = RegistryWorker.spawn(dir, "child", perSide);
    try {
      // Start together: wait (bounded) until the child's first registration is on disk.
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(CHILD_TIMEOUT_SECONDS);
      while (!setup.peers("hub").contains("child0") && System.nanoTime() < deadline) {
        Thread.onSpinWait();
      }
      RegistryWorker.registerAll(dir, "parent", perSide);
      assertThat(child.waitFor(CHILD_TIMEOUT_SECONDS, TimeUnit.SECONDS)).isTrue();
      assertThat(child.exitValue()).as(() -> readLog(dir.resolve("worker.log"))).isZero();
    } finally {
      child.destroyForcibly();
    }
    List<String> expected =
        Stream.concat(
                IntStream.range(0, perSide).mapToObj(i -> "child" + i),
                IntStream.range(0, perSide).mapToObj(i -> "parent" + i))
            .sorted()
            .toList();
    assertThat(setup.peers("hub")).isEqualTo(expected);
    assertThat(Files.exists(dir.resolve("intent.json"))).isFalse();
  }

  private static String readLog(Path log) {
    try {
      return Files.readString(log);
    } catch (IOException e) {
      return "no worker log: " + e;
    }
  }

  /** Delegates to a store, recording calls, and fails every write to one pod. */
  static final class RecordingStore implements MetadataStore {
    final MetadataStore inner;
    final List<String> calls = new ArrayList<>();
    String failWritesTo;

    RecordingStore(MetadataStore inner, String failWritesTo) {
      this.inner = inner;
      this.failWritesTo = failWritesTo;
    }

    @Override
    public Optional<List<String>> peers(String pod) throws IOException {
      calls.add("peers " + pod);
      return inner.peers(pod);
    }

    @Override
    public void create(String pod) throws IOException {
      calls.add("create " + pod);
      inner.create(pod);
    }

    @Override
    public void writePeers(String pod, List<String> peers) throws IOException {
      calls.add("writePeers " + pod);
      if (pod.equals(failWritesTo)) {
        failWritesTo = "none"; // only once, so the rollback can succeed
        throw new IOException("injected write failure for " + pod);
      }
      inner.writePeers(pod, peers);
    }

    @Override
    public List<String> pods() throws IOException {
      calls.add("pods");
      return inner.pods();
    }

    @Override
    public Optional<Intent> readIntent() throws IOException {
      calls.add("readIntent");
      return inner.readIntent();
    }

    @Override
    public void writeIntent(Intent intent) throws IOException {
      calls.add("writeIntent");
      inner.writeIntent(intent);
    }

    @Override
    public void clearIntent() throws IOException {
      calls.add("clearIntent");
      inner.clearIntent();
    }

    @Override
    public <T> T exclusively(IoAction<T> action) throws IOException {
      calls.add("exclusively");
      return inner.exclusively(action);
    }
  }
}
