package dev.tether.peer;

import static dev.tether.peer.Disk.REAL;
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

  /**
   * The double fault of issue 13: the intent file is deleted (the commit point) but the directory
   * sync after it fails, so the change is rolled back; then the roll-back's first restore write
   * fails too. The intent must be back on disk by then, so that the next recovery restores both
   * prior lists.
   */
  @Test
  void intentLostWhenClearSyncAndRestoreWriteBothFail() throws IOException {
    for (boolean register : List.of(true, false)) {
      Path dir = setUp(register, "double" + register);
      ClearSyncThenWriteFails disk = new ClearSyncThenWriteFails();
      PeerRegistry registry = PeerRegistry.open(FileMetadataStore.open(dir, disk));
      assertThatThrownBy(() -> change(registry, register)).isInstanceOf(IOException.class);
      assertThat(disk.syncFailed && disk.writeFailed).as("both faults fired").isTrue();
      PeerRegistry restarted = PeerRegistry.open(FileMetadataStore.open(dir));
      assertThat(restarted.peers("a").contains("b")).as("a's prior list").isEqualTo(!register);
      assertThat(restarted.peers("b").contains("a")).as("b's prior list").isEqualTo(!register);
      assertClean(dir, restarted);
    }
  }

  /**
   * Fails the directory sync after {@code intent.json} is deleted, then the next write of a pod
   * record.
   */
  static final class ClearSyncThenWriteFails implements Disk {
    private boolean intentDeleted;
    boolean syncFailed;
    boolean writeFailed;

    @Override
    public void create(Path file, byte[] bytes) throws IOException {
      boolean podRecord = file.getParent().getFileName().toString().equals("pods");
      if (syncFailed && !writeFailed && podRecord) {
        writeFailed = true;
        throw new IOException("injected failure of the restore write");
      }
      REAL.create(file, bytes);
    }

    @Override
    public void force(Path file) throws IOException {
      REAL.force(file);
    }

    @Override
    public void rename(Path from, Path to) throws IOException {
      REAL.rename(from, to);
    }

    @Override
    public void forceDirectory(Path dir) throws IOException {
      REAL.forceDirectory(dir);
      if (intentDeleted && !syncFailed) {
        syncFailed = true;
        throw new IOException("injected failure of the directory sync after the intent's delete");
      }
    }

    @Override
    public void delete(Path file) throws IOException {
      REAL.delete(file);
      intentDeleted |= file.getFileName().toString().equals("intent.json");
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
