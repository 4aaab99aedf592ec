package dev.tether.process;

import java.util.Map;

/** Names the signal behind an exit code, where the platform encodes one (Unix: 128 + signal). */
final class Signals {
  private static final boolean WINDOWS =
      System.getProperty("os.name", "").toLowerCase(java.util.Locale.ROOT).startsWith("windows");

  /** The signals a child commonly dies of, by number (the same on Linux and macOS). */
  private static final Map<Integer, String> NAMES =
      Map.of(
          1, "SIGHUP", 2, "SIGINT", 3, "SIGQUIT", 4, "SIGILL", 6, "SIGABRT", 8, "SIGFPE", 9,
          "SIGKILL", 11, "SIGSEGV", 13, "SIGPIPE", 15, "SIGTERM");

  private static final int SIGNAL_BASE = 128;
  private static final int MAX_SIGNAL = 64;

  private Signals() {}

  /**
   * {@code " (killed by signal 9, SIGKILL)"} for an exit code that encodes a signal, else empty. A
   * program that exits with such a code by itself reads the same; Java cannot tell them apart.
   */
  static String describe(int exitCode) {
    int signal = exitCode - SIGNAL_BASE;
    if (WINDOWS || signal <= 0 || signal > MAX_SIGNAL) {
      return "";
    }
    String name = NAMES.get(signal);
    return " (killed by signal " + signal + (name == null ? ")" : ", " + name + ")");
  }
}
