package dev.tether.peer;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/** A second JVM for {@link PeerRegistryTest}: registers PREFIX0..PREFIXn-1 with "hub". */
final class RegistryWorker {
  private RegistryWorker() {}

  public static void main(String[] args) throws IOException {
    registerAll(Path.of(args[0]), args[1], Integer.parseInt(args[2]));
  }

  static void registerAll(Path dir, String prefix, int count) throws IOException {
    for (int i = 0; i < count; i++) {
      // A fresh open per registration, as separate CLI invocations would do.
      PeerRegistry.open(FileMetadataStore.open(dir)).register(prefix + i, "hub");
    }
  }

  static Process spawn(Path dir, String prefix, int count) throws IOException {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    return new ProcessBuilder(
            List.of(
                java,
                "-cp",
                System.getProperty("java.class.path"),
                RegistryWorker.class.getName(),
                dir.toString(),
                prefix,
                Integer.toString(count)))
        .redirectErrorStream(true)
        .redirectOutput(dir.resolve("worker.log").toFile())
        .start();
  }
}
