package dev.tether.process;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** A JVM that exits normally takes its children and their descendants with it (P5). */
class JvmExitTest {
  private final Children children = new Children();

  @Test
  void jvmExitingNormallyTakesAChildIgnoringSigtermAndItsGrandchildWithIt() throws Exception {
    List<String> command =
        new ArrayList<>(
            List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp",
                System.getProperty("java.class.path"),
                ExitingJvm.class.getName()));
    command.addAll(Children.peer("--ignore-sigterm", "--grandchild").command());
    Process jvm =
        new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
    try {
      BufferedReader out =
          new BufferedReader(new InputStreamReader(jvm.getInputStream(), StandardCharsets.UTF_8));
      String line = out.readLine(); // bounded: the JVM prints it, or exits within its own waits
      assertThat(line).as("the JVM's report").startsWith("pids ");
      List<Long> pids =
          Arrays.stream(line.substring("pids ".length()).split(" "))
              .map(Long::valueOf)
              .map(children::track)
              .toList();

      assertThat(jvm.waitFor(Children.WAIT.toMillis(), TimeUnit.MILLISECONDS))
          .as("the JVM exited")
          .isTrue();
      assertThat(jvm.exitValue()).isZero();
      Children.awaitGone(pids, Children.WAIT);
    } finally {
      jvm.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      children.killAll();
    }
  }
}
