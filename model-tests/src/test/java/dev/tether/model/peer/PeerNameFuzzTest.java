package dev.tether.model.peer;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tether.model.prop.Property;
import dev.tether.peer.FileMetadataStore;
import dev.tether.peer.PeerNames;
import dev.tether.peer.PeerRegistry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * P4 by fuzzing: hostile names (traversal, separators, NUL, control characters, Unicode look-alikes
 * and direction overrides, over-long names, Windows device names with and without extensions,
 * trailing dots and spaces) go through every registry entry point; afterwards nothing exists
 * outside the data directory, and inside it only the store's own files and records of names that
 * match an independent statement of the rule.
 *
 * <p>Replay one seed with {@code -Dtether.seed=N}.
 */
class PeerNameFuzzTest {
  /** The rule, stated independently of {@link PeerNames}. */
  static final Pattern RULE =
      Pattern.compile(
          "(?!(?i:CON|PRN|AUX|NUL|COM[1-9]|LPT[1-9])(?:\\.|$))"
              + "(?=[A-Za-z0-9._-]{1,64}$)[A-Za-z0-9_-](?:[A-Za-z0-9._-]*[A-Za-z0-9_-])?");

  static final List<String> PIECES =
      List.of(
          "..",
          ".",
          "/",
          "\\",
          "\0",
          "\n",
          "\r",
          "\t",
          "\u001b",
          "\u007f",
          "\u0085",
          "a",
          "b",
          "pod",
          "-",
          "_",
          "x.json",
          "~",
          ":",
          "*",
          "?",
          "%2e%2e",
          "\u2215",
          "\u2044",
          "\uff0f",
          "\uff0e",
          "\u202e",
          "\u200b",
          "\u0301",
          "\ufeff",
          "\ud83d\ude00",
          "\ud800",
          "C:",
          "CON",
          "con",
          "Nul",
          "aux",
          "PRN",
          "COM1",
          "com9",
          "LPT1",
          "lpt9",
          "COM10",
          ".txt",
          " ",
          "a ",
          "x.",
          "\u00e9",
          "e\u0301",
          "\u0130",
          "/etc/passwd",
          "../..",
          "..\\..");

  @TempDir Path root;
  final AtomicInteger runs = new AtomicInteger();

  static List<String> generate(SplittableRandom random) {
    List<String> names = new ArrayList<>();
    int n = 1 + random.nextInt(30);
    for (int i = 0; i < n; i++) {
      StringBuilder sb = new StringBuilder();
      int parts = random.nextInt(6);
      for (int p = 0; p < parts; p++) {
        sb.append(PIECES.get(random.nextInt(PIECES.size())));
      }
      if (random.nextInt(8) == 0) {
        sb.append("y".repeat(50 + random.nextInt(30))); // around the length limit
      }
      names.add(sb.toString());
    }
    return names;
  }

  @Test
  void hostileNamesNeverCreateAnythingOutsideTheStore() {
    System.out.println(
        "PeerNameFuzzTest seeds from "
            + Long.getLong(Property.SEED, Long.getLong(Property.SEED_BASE, 1L))
            + " (replay one with -D"
            + Property.SEED
            + "=N)");
    Property.forAll(
        "P4 safe names", PeerNameFuzzTest.class, 150, PeerNameFuzzTest::generate, this::run);
  }

  void run(List<String> names) {
    try {
      Path sandbox = Files.createDirectories(root.resolve("run" + runs.incrementAndGet()));
      Path data = sandbox.resolve("data");
      PeerRegistry registry = PeerRegistry.open(FileMetadataStore.open(data));
      registry.add("anchor");
      for (String name : names) {
        boolean valid = RULE.matcher(name).matches();
        assertThat(PeerNames.isValid(name)).as(escaped(name)).isEqualTo(valid);
        tryAll(registry, name, valid);
      }
      try (Stream<Path> all = Files.list(sandbox)) {
        assertThat(all).as("only the data directory in the sandbox").containsExactly(data);
      }
      try (Stream<Path> top = Files.list(data)) {
        assertThat(top.map(p -> p.getFileName().toString()))
            .containsExactlyInAnyOrder("pods", ".lock");
      }
      try (Stream<Path> pods = Files.list(data.resolve("pods"))) {
        pods.forEach(
            p -> {
              String file = p.getFileName().toString();
              assertThat(file).endsWith(".json");
              assertThat(RULE.matcher(file.substring(0, file.length() - 5)).matches())
                  .as(escaped(file))
                  .isTrue();
              assertThat(Files.isRegularFile(p)).isTrue();
            });
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void tryAll(PeerRegistry registry, String name, boolean valid) throws IOException {
    List<ThrowingRunnable> calls =
        List.of(
            () -> registry.add(name),
            () -> registry.register("anchor", name),
            () -> registry.register(name, "anchor"),
            () -> registry.unregister(name, "anchor"),
            () -> registry.peers(name));
    for (ThrowingRunnable call : calls) {
      try {
        call.run();
        assertThat(valid).as("accepted %s", escaped(name)).isTrue();
      } catch (IllegalArgumentException e) {
        assertThat(valid && !name.equals("anchor"))
            .as("rejected %s: %s", escaped(name), e.getMessage())
            .isFalse();
      }
    }
  }

  @FunctionalInterface
  interface ThrowingRunnable {
    void run() throws IOException;
  }

  private static String escaped(String s) {
    StringBuilder sb = new StringBuilder();
    s.chars()
        .forEach(
            c ->
                sb.append(
                    c >= 0x20 && c < 0x7f
                        ? String.valueOf((char) c)
                        : String.format("\\u%04x", c)));
    return sb.toString();
  }
}
