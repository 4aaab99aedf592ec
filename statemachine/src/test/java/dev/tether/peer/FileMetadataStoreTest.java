package dev.tether.peer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileMetadataStoreTest {
  @TempDir Path dir;

  @Test
  void writesOneSortedUniqueJsonFilePerPod() throws IOException {
    FileMetadataStore store = FileMetadataStore.open(dir);
    store.create("b");
    store.writePeers("a", List.of("c", "b", "c"));
    assertThat(store.peers("a")).contains(List.of("b", "c"));
    assertThat(store.peers("b")).contains(List.of());
    assertThat(store.peers("zz")).isEmpty();
    assertThat(store.pods()).containsExactly("a", "b");
    assertThat(Files.readString(dir.resolve("pods/a.json")))
        .isEqualTo("{\"name\":\"a\",\"peers\":[\"b\",\"c\"]}");
  }

  @Test
  void createIsIdempotentAndKeepsPeers() throws IOException {
    FileMetadataStore store = FileMetadataStore.open(dir);
    store.writePeers("a", List.of("b"));
    store.create("a");
    assertThat(store.peers("a")).contains(List.of("b"));
  }

  @Test
  void corruptRecordIsAnErrorNotAnEmptyList() throws IOException {
    FileMetadataStore store = FileMetadataStore.open(dir);
    Files.writeString(dir.resolve("pods/a.json"), "{\"name\":\"a\",\"peers\":[\"b\"");
    assertThatThrownBy(() -> store.peers("a"))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("corrupt file");
  }

  @Test
  void aCrashAtAnyStepOfAWriteLeavesTheOldOrTheNewFileAndOpenCleansUp() throws IOException {
    for (int crashAt = 0; crashAt < 5; crashAt++) {
      Path d = Files.createDirectories(dir.resolve("run" + crashAt));
      FileMetadataStore.open(d).writePeers("a", List.of("old"));
      CrashingDisk disk = new CrashingDisk(crashAt);
      FileMetadataStore crashing = FileMetadataStore.open(d, disk);
      try {
        crashing.writePeers("a", List.of("new"));
      } catch (CrashingDisk.Crash expected) {
        // the simulated process died here
      }
      FileMetadataStore reopened = FileMetadataStore.open(d);
      assertThat(reopened.peers("a").orElseThrow())
          .as("crash at step %d", crashAt)
          .isIn(List.of("old"), List.of("new"));
      try (Stream<Path> files = Files.list(d.resolve("pods"))) {
        assertThat(files.map(p -> p.getFileName().toString())).containsExactly("a.json");
      }
    }
  }

  @Test
  void refusesAPodFileOutsideItsDirectoryEvenWithoutValidation() throws IOException {
    FileMetadataStore store = FileMetadataStore.open(dir);
    assertThatThrownBy(() -> store.writePeers("../../evil", List.of()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("escapes the store");
    assertThat(dir.getParent().resolve("evil.json")).doesNotExist();
  }

  /** A disk that runs its first {@code crashAt} steps, then writes half a file and dies. */
  static final class CrashingDisk implements Disk {
    static final class Crash extends Error {
      private static final long serialVersionUID = 1L;

      Crash() {
        super("simulated crash");
      }
    }

    private int stepsLeft;
    private final boolean failInstead;
    boolean fired;

    /** Crashes at step {@code crashAt} (0-based) and at every step after it. */
    CrashingDisk(int crashAt) {
      this(crashAt, false);
    }

    /**
     * With {@code failInstead}, step {@code at} throws an {@link IOException} without effect and
     * the disk goes on working; otherwise the process "dies" there.
     */
    CrashingDisk(int at, boolean failInstead) {
      this.stepsLeft = at;
      this.failInstead = failInstead;
    }

    private void step() throws IOException {
      if (failInstead) {
        if (stepsLeft-- == 0) {
          fired = true;
          throw new IOException("injected disk failure");
        }
        return;
      }
      if (stepsLeft-- <= 0) {
        fired = true;
        throw new Crash();
      }
    }

    @Override
    public void create(Path file, byte[] bytes) throws IOException {
      if (stepsLeft <= 0 && !failInstead) {
        Files.write(file, "{\"name\":\"a\",\"pe".getBytes(StandardCharsets.UTF_8));
      }
      step();
      REAL.create(file, bytes);
    }

    @Override
    public void force(Path file) throws IOException {
      step();
      REAL.force(file);
    }

    @Override
    public void rename(Path from, Path to) throws IOException {
      step();
      REAL.rename(from, to);
    }

    @Override
    public void forceDirectory(Path d) throws IOException {
      step();
      REAL.forceDirectory(d);
    }

    @Override
    public void delete(Path file) throws IOException {
      step();
      REAL.delete(file);
    }
  }
}
