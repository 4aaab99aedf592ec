package dev.tether.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A mistake on the command line is one line naming the option and the value, then one line pointing
 * at {@code --help}, exit 2: never a Java stack trace, never the whole usage block, never Java's
 * names for things. Library log lines stay out of the output unless {@code --verbose}.
 */
@Timeout(value = 120, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class UsageErrorsTest {
  /** A child JVM loads the whole CLI: slow on a loaded machine. */
  private static final Duration CHILD_JVM = Duration.ofSeconds(60);

  @TempDir Path dir;
  private final List<Process> children = new ArrayList<>();
  private Vertx vertx;

  @AfterEach
  void stopEverything() throws Exception {
    children.forEach(Process::destroyForcibly);
    for (Process p : children) {
      p.waitFor(10, TimeUnit.SECONDS);
    }
    if (vertx != null) {
      vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
    ChildProcesses.stopAll();
  }

  private static List<String> usageError(String... args) throws Exception {
    CliRun run = CliRun.complete(TetherCli.EXIT_USAGE, args);
    assertThat(run.out.lines()).as("nothing on stdout").isEmpty();
    return run.err.toString().lines().toList();
  }

  @Test
  void anEndpointAValueWouldRejectDeepInsideIsOneLineAndAPointerToHelp() throws Exception {
    assertThat(usageError("peer", "probe", "unix://tmp/x.sock"))
        .containsExactly(
            "tether peer probe: unix endpoint must be unix:///absolute/path/to/socket, was unix://tmp/x.sock",
            "Try 'tether peer probe --help'.");
  }

  @Test
  void aNumberThatIsNotOneIsNamedWithoutJavaTypeNames() throws Exception {
    List<String> lines = usageError("watch", "ws://127.0.0.1:1/ws", "--max-attempts", "abc");
    assertThat(lines)
        .containsExactly(
            "tether watch: Invalid value for option '--max-attempts': 'abc' is not a whole number",
            "Try 'tether watch --help'.");
  }

  @Test
  void anUnknownOptionIsNamedWithoutTheUsageBlock() throws Exception {
    List<String> lines = usageError("watch", "ws://127.0.0.1:1/ws", "--max-atempts", "3");
    assertThat(lines.get(0)).startsWith("tether watch: Unknown option: '--max-atempts'");
    assertThat(lines).last().isEqualTo("Try 'tether watch --help'.");
    assertThat(String.join("\n", lines)).contains("--max-attempts").doesNotContain("Usage:");
    assertThat(lines.size()).isLessThanOrEqualTo(4);
  }

  @Test
  void listingAStoreThatDoesNotExistSaysSoAndCreatesNothing() throws Exception {
    Path missing = dir.resolve("pods-typo");
    assertThat(usageError("peer", "list", "--store", missing.toString(), "ann"))
        .containsExactly(
            "tether peer list: --store " + missing + ": no such directory",
            "Try 'tether peer list --help'.");
    assertThat(Files.exists(missing)).as("created by a read").isFalse();
  }

  @Test
  void missingFilesAreUsageErrorsAndOtherFailuresAreNot() {
    assertThat(UsageErrors.usageMessage(new NoSuchFileException("/missing/plan.txt")))
        .isEqualTo("no such file: /missing/plan.txt");
    assertThat(
            UsageErrors.usageMessage(
                new UncheckedIOException(new NoSuchFileException("/missing/dir/x.html"))))
        .isEqualTo("no such file: /missing/dir/x.html");
    assertThat(UsageErrors.usageMessage(new IllegalStateException("a bug"))).isNull();
  }

  /** The real thing: SIGTERM as a service manager sends it; exit 0 like {@code tether serve}. */
  @Test
  void peerServeExitsZeroOnSigterm() throws Exception {
    Path socket = dir.resolve("bob.sock");
    Process p =
        start(
            ProcessBuilder.Redirect.DISCARD,
            "peer",
            "serve",
            "--name",
            "bob",
            "--unix",
            socket.toString());
    Lines out = Lines.pump(p.getInputStream(), "peer-serve-stdout");
    out.await(0, l -> l.startsWith("listening on "), CHILD_JVM, "listening");

    Process kill = new ProcessBuilder("kill", "-TERM", Long.toString(p.pid())).start();
    assertThat(kill.waitFor(10, TimeUnit.SECONDS)).isTrue();
    assertThat(p.waitFor(30, TimeUnit.SECONDS)).as("exited").isTrue();
    assertThat(p.exitValue()).as("exit status after SIGTERM").isZero();
    out.await(0, "stopped"::equals, Duration.ofSeconds(10), "stopped");
    assertThat(Files.exists(socket)).as("socket file removed").isFalse();
  }

  /**
   * A refused upgrade makes Vert.x log a warning of its own; the command's stderr has Tether's
   * reason and nothing else, unless {@code --verbose}.
   */
  @Test
  void libraryLogLinesStayOutOfTheOutputUnlessVerbose() throws Exception {
    vertx = Vertx.vertx();
    HttpServer server =
        vertx
            .createHttpServer()
            .requestHandler(req -> req.response().setStatusCode(401).end())
            .listen(0, "127.0.0.1")
            .toCompletionStage()
            .toCompletableFuture()
            .get(10, TimeUnit.SECONDS);
    String endpoint = "ws://127.0.0.1:" + server.actualPort() + "/ws";

    List<String> quiet = stderrOf("watch", endpoint);
    assertThat(quiet)
        .as("stderr without --verbose")
        .allSatisfy(l -> assertThat(l).startsWith("tether watch: "));
    assertThat(quiet).anySatisfy(l -> assertThat(l).contains("HTTP 401"));

    List<String> verbose = stderrOf("watch", endpoint, "--verbose");
    assertThat(verbose)
        .as("stderr with --verbose has library lines too")
        .anySatisfy(l -> assertThat(l).doesNotStartWith("tether watch: "));
  }

  private List<String> stderrOf(String... args) throws Exception {
    Path err = Files.createTempFile(dir, "stderr", ".txt");
    Process p = start(ProcessBuilder.Redirect.to(err.toFile()), args);
    p.getInputStream().transferTo(java.io.OutputStream.nullOutputStream());
    assertThat(p.waitFor(CHILD_JVM.toSeconds(), TimeUnit.SECONDS)).as("exited").isTrue();
    assertThat(p.exitValue()).isEqualTo(WatchCommand.EXIT_PERMANENTLY_DISCONNECTED);
    return Files.readAllLines(err, StandardCharsets.UTF_8);
  }

  private Process start(ProcessBuilder.Redirect stderr, String... args) throws Exception {
    List<String> argv = new ArrayList<>(ChildJvm.command(TetherCli.class, args));
    Process p = new ProcessBuilder(argv).redirectError(stderr).start();
    children.add(p);
    return p;
  }
}
