package dev.tether.model.sim;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tether.stub.sim.FaultProfile;
import dev.tether.stub.sim.RpcTraffic;
import dev.tether.stub.sim.Simulation;
import dev.tether.stub.sim.SimulationResult;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * I9 with RPC traffic, across JDKs: one small seed with RPC sessions and handshakes gives the same
 * trace hash in this JVM and in a forked JVM of every other JDK (17 or later) installed under
 * {@link #JVMS}. Skipped, saying what it looked for, when there is none.
 */
class DeterminismAcrossJdksTest {
  /** Where JDKs are installed on the Debian-like build machines (Temurin 25 beside OpenJDK 17). */
  static final Path JVMS = Path.of("/usr/lib/jvm");

  /** How long one child may take: the run itself is well under a second. */
  static final long CHILD_TIMEOUT_SECONDS = 60;

  /** A small run with every kind of traffic: RPC sessions (one in two), handshakes, chaos. */
  static Simulation small() {
    return Simulation.builder()
        .seed(17)
        .sessions(4)
        .duration(Duration.ofMinutes(30))
        .faults(FaultProfile.CHAOS, 2.0)
        .handshakes(Duration.ofSeconds(5))
        .rpc(RpcTraffic.builder().everyNth(2).build())
        .build();
  }

  /** The child's entry point: prints the small run's trace hash, or the violation. */
  public static final class Child {
    private Child() {}

    public static void main(String[] args) {
      SimulationResult r = small().run();
      System.out.println(r.passed() ? "hash " + r.traceHashHex() : "violation " + r.violation());
    }
  }

  @Test
  void oneSeedWithRpcTrafficHashesTheSameOnEveryInstalledJdk(@TempDir Path dir) throws Exception {
    List<Path> others = otherJdks();
    Assumptions.assumeFalse(
        others.isEmpty(),
        "no other JDK (17 or later) found as " + JVMS + "/*/bin/java besides " + currentHome());
    SimulationResult here = small().run();
    assertThat(here.violation()).isEmpty();
    for (int i = 0; i < others.size(); i++) {
      Path java = others.get(i);
      assertThat(runChild(java, dir.resolve("child-" + i + ".txt")))
          .as("trace hash on %s", java)
          .isEqualTo("hash " + here.traceHashHex());
    }
  }

  private static String runChild(Path java, Path out) throws IOException, InterruptedException {
    Process p =
        new ProcessBuilder(
                java.toString(),
                "-cp",
                System.getProperty("java.class.path"),
                Child.class.getName())
            .redirectOutput(out.toFile())
            .redirectError(ProcessBuilder.Redirect.DISCARD)
            .start();
    try {
      assertThat(p.waitFor(CHILD_TIMEOUT_SECONDS, TimeUnit.SECONDS))
          .as("%s finished within %d s", java, CHILD_TIMEOUT_SECONDS)
          .isTrue();
      assertThat(p.exitValue()).as("exit status of %s", java).isZero();
      return Files.readString(out, StandardCharsets.UTF_8).strip();
    } finally {
      p.destroyForcibly();
    }
  }

  /** Every {@code JVMS/* /bin/java} of a JDK 17 or later, by real path, other than this JVM's. */
  static List<Path> otherJdks() throws IOException {
    List<Path> found = new ArrayList<>();
    if (!Files.isDirectory(JVMS)) {
      return found;
    }
    Path current = currentHome();
    try (DirectoryStream<Path> homes = Files.newDirectoryStream(JVMS)) {
      for (Path home : homes) {
        Path java = home.resolve("bin/java");
        if (!Files.isExecutable(java)) {
          continue;
        }
        Path real = home.toRealPath();
        if (real.equals(current) || found.contains(real.resolve("bin/java"))) {
          continue;
        }
        if (feature(real) >= 17) {
          found.add(real.resolve("bin/java"));
        }
      }
    }
    return found;
  }

  private static Path currentHome() {
    try {
      return Path.of(System.getProperty("java.home")).toRealPath();
    } catch (IOException e) {
      return Path.of(System.getProperty("java.home"));
    }
  }

  /** The JDK's feature release from its {@code release} file ({@code JAVA_VERSION="25.0.3"}). */
  private static int feature(Path home) throws IOException {
    Path release = home.resolve("release");
    if (!Files.isReadable(release)) {
      return 0;
    }
    Properties p = new Properties();
    try (var in = Files.newInputStream(release)) {
      p.load(in);
    }
    String v = p.getProperty("JAVA_VERSION", "\"0\"").replace("\"", "");
    String major = v.startsWith("1.") ? v.substring(2) : v;
    int end = 0;
    while (end < major.length() && Character.isDigit(major.charAt(end))) {
      end++;
    }
    return end == 0 ? 0 : Integer.parseInt(major.substring(0, end));
  }
}
