package dev.tether.process;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** {@link ProcessTable}: the process table's view, zombies included. */
class ProcessTableTest {

  @Test
  void aRunningProcessIsRunningAndAReapedOneIsNot() throws Exception {
    Process p = new ProcessBuilder("sleep", "30").start();
    try {
      assertThat(ProcessTable.running(p.toHandle())).isTrue();
    } finally {
      p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }
    assertThat(ProcessTable.running(p.toHandle())).isFalse();
  }

  /**
   * The defect this pins: the JDK calls a zombie alive, so a teardown waited for init to reap an
   * orphan (seconds in a container) and "killed" a dead process.
   */
  @Test
  void zombieIsNotRunningThoughTheJdkCallsItAlive() throws Exception {
    assumeTrue(Files.isDirectory(Path.of("/proc/self")), "needs /proc");
    // sh starts a sleep, prints its pid and becomes another sleep, which never reaps the first.
    Process parent =
        new ProcessBuilder("sh", "-c", "sleep 30 & echo $!; exec sleep 30")
            .redirectError(ProcessBuilder.Redirect.DISCARD)
            .start();
    try {
      BufferedReader out =
          new BufferedReader(
              new InputStreamReader(parent.getInputStream(), StandardCharsets.UTF_8));
      ProcessHandle child = ProcessHandle.of(Long.parseLong(out.readLine().trim())).orElseThrow();
      // Killed while sh is still sh, the sleep may be reaped by sh itself (it was, once, under
      // load): kill it only once sh has become the sleep that never reaps.
      long deadline = System.nanoTime() + Children.WAIT.toNanos();
      while (!comm(parent.pid()).equals("sleep") && System.nanoTime() < deadline) {
        Thread.onSpinWait();
      }
      assertThat(comm(parent.pid())).as("sh became the non-reaping sleep").isEqualTo("sleep");
      child.destroyForcibly();
      while (!zombie(child.pid()) && System.nanoTime() < deadline) {
        Thread.onSpinWait(); // SIGKILL is delivered within moments; nothing to wake us
      }
      assertThat(zombie(child.pid())).as("the killed sleep became a zombie").isTrue();

      assertThat(child.isAlive()).as("the JDK's view").isTrue();
      assertThat(ProcessTable.running(child)).isFalse();
    } finally {
      parent.destroyForcibly().waitFor(10, TimeUnit.SECONDS); // init reaps the orphaned zombie
    }
  }

  private static String comm(long pid) {
    try {
      return Files.readString(Path.of("/proc", Long.toString(pid), "comm")).trim();
    } catch (java.io.IOException e) {
      return "";
    }
  }

  private static boolean zombie(long pid) {
    try {
      String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
      return stat.charAt(stat.lastIndexOf(')') + 2) == 'Z';
    } catch (java.io.IOException e) {
      return false;
    }
  }
}
