package dev.tether.process;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * What the operating system's process table says about a process, where {@link ProcessHandle} alone
 * is not enough: a zombie (a process that has exited but that its parent has not reaped yet) is
 * {@link ProcessHandle#isAlive() alive} to the JDK, and an orphan's zombie waits for init, which
 * can take seconds (about two in some containers). It holds no resource but its pid, so a teardown
 * must not wait for it, nor kill it.
 *
 * <p>Thread-safe.
 */
final class ProcessTable {
  private static final boolean HAS_PROC = Files.isDirectory(Path.of("/proc/self"));

  private ProcessTable() {}

  /**
   * Whether {@code process} is running: alive and, where {@code /proc} tells (Linux), neither a
   * zombie nor dead. Elsewhere, {@link ProcessHandle#isAlive()}.
   */
  static boolean running(ProcessHandle process) {
    if (!process.isAlive()) {
      return false;
    }
    if (!HAS_PROC) {
      return true;
    }
    try {
      String stat = Files.readString(Path.of("/proc", Long.toString(process.pid()), "stat"));
      // "pid (comm) S ...": the command may hold spaces and parentheses, the state follows the
      // last.
      int state = stat.lastIndexOf(')') + 2;
      return state >= 2 && state < stat.length() && "ZX".indexOf(stat.charAt(state)) < 0;
    } catch (IOException e) {
      return false; // gone between the two looks
    }
  }
}
