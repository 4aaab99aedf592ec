package dev.tether.peer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tether.peer.FileMetadataStoreTest.CrashingDisk;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * P2 and P3 at file-system granularity: a registration and an unregistration are failed, or
 * crashed, at every single disk step (create temp, fsync, rename, directory fsync, delete) in turn;
 * after a restart the pair is related on both sides or on neither, the older relation {@code a <->
 * x} is intact, and no temp file or intent is left.
 */
class PeerRegistryDiskFaultTest {
  /** More disk steps than one change plus its rollback take (about 20), so the loop ends. */
  static final int MAX_STEPS = 64;

  @TempDir Path root;

  @Test
  void crashAtEveryDiskStepLeavesBothSidesOrNeither() throws IOException {
    for (boolean register : List.of(true, false)) {
      boolean completed = false;
      for (int k = 0; k < MAX_STEPS && !completed; k++) {
        Path dir = setUp(register, "crash" + register + k);
        CrashingDisk disk = new CrashingDisk(k);
        try {
          change(PeerRegistry.open(FileMetadataStore.open(dir, disk)), register);
        } catch (CrashingDisk.Crash expected) {
          // the process died at step k
        }
        completed = !disk.fired;
        PeerRegistry restarted = PeerRegistry.open(FileMetadataStore.open(dir));
        boolean related = restarted.peers("a").contains("b");
        assertThat(restarted.peers("b").contains("a")).as("P3 at step %d", k).isEqualTo(related);
        if (completed) {
          assertThat(related).isEqualTo(register);
        }
        assertClean(dir, restarted);
      }
      assertThat(completed).as("a run without a crash was reached").isTrue();
    }
  }

  @Test
  void failureAtEveryDiskStepRestoresTheExactPriorLists() throws IOException {
    for (boolean register : List.of(true, false)) {
      boolean completed = false;
      for (int k = 0; k < MAX_STEPS && !completed; k++) {
        Path dir = setUp(register, "fail" + register + k);
        CrashingDisk disk = new CrashingDisk(k, true);
        PeerRegistry registry = PeerRegistry.open(FileMetadataStore.open(dir, disk));
        try {
          change(registry, register);
        } catch (IOException e) {
          assertThat(disk.fired).isTrue();
        }
        completed = !disk.fired;
        boolean related = registry.peers("a").contains("b");
        assertThat(registry.peers("b").contains("a")).as("step %d", k).isEqualTo(related);
        // P2: a reported failure changed nothing; success changed exactly the pair.
        assertThat(related).as("step %d", k).isEqualTo(completed ? register : !register);
        assertClean(dir, PeerRegistry.open(FileMetadataStore.open(dir)));
      }
      assertThat(completed).isTrue();
    }
  }

  @Test
  void selfRegistrationIsRejected() throws IOException {
    PeerRegistry r = PeerRegistry.open(FileMetadataStore.open(setUp(true, "self")));
    assertThatThrownBy(() -> r.register("b", "b")).isInstanceOf(IllegalArgumentException.class);
  }

  private Path setUp(boolean register, String name) throws IOException {
    Path dir = Files.createDirectories(root.resolve(name));
    PeerRegistry r = PeerRegistry.open(FileMetadataStore.open(dir));
    for (String p : List.of("a", "b", "x")) {
      r.add(p);
    }
    r.register("a", "x");
    if (!register) {
      r.register("a", "b");
    }
    return dir;
  }

  private static void change(PeerRegistry r, boolean register) throws IOException {
    if (register) {
      r.register("a", "b");
    } else {
      r.unregister("a", "b");
    }
  }

  private static void assertClean(Path dir, PeerRegistry r) throws IOException {
    assertThat(r.peers("x")).containsExactly("a");
    assertThat(r.peers("a")).contains("x");
    assertThat(dir.resolve("intent.json")).doesNotExist();
    try (Stream<Path> files = Files.list(dir.resolve("pods"))) {
      assertThat(files.map(p -> p.getFileName().toString()))
          .containsExactlyInAnyOrder("a.json", "b.json", "x.json");
    }
  }
}
