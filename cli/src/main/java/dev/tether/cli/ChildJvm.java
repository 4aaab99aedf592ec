package dev.tether.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The command that runs a class of this command line's own class path in a new JVM: the {@code
 * java} binary running this JVM, so that nothing but the Java that runs {@code tether} is needed.
 */
final class ChildJvm {
  /**
   * Flags for a short-lived child: C1 only and the serial collector start a small JVM fastest (a
   * few hundred milliseconds); the heap bound keeps a stray child small.
   */
  private static final List<String> FAST_START =
      List.of("-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Xmx64m");

  private ChildJvm() {}

  /** The argument vector running {@code main}'s {@code main(args)} in a child JVM. */
  static List<String> command(Class<?> main, String... args) {
    List<String> argv = new ArrayList<>();
    argv.add(javaBinary());
    argv.addAll(FAST_START);
    argv.add("-cp");
    argv.add(System.getProperty("java.class.path"));
    argv.add(main.getName());
    argv.addAll(List.of(args));
    return argv;
  }

  /** The {@code java} running this JVM, or {@code java.home}'s if the OS does not say. */
  static String javaBinary() {
    return ProcessHandle.current()
        .info()
        .command()
        .orElseGet(() -> Path.of(System.getProperty("java.home"), "bin", "java").toString());
  }
}
