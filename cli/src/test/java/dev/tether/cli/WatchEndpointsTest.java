package dev.tether.cli;

import static dev.tether.cli.CliRun.WAIT;
import static dev.tether.cli.CliRun.isLifecycle;
import static dev.tether.cli.CliRun.json;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code tether watch} with several endpoints (failover, each attempt takes the next) and with
 * {@code --endpoint-file} (read before every attempt).
 */
@Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class WatchEndpointsTest {
  /** Nothing listens on port 1 of the loopback: an attempt there is refused at once. */
  static final String DEAD = "ws://127.0.0.1:1/ws";

  static final String[] FAST = {"--initial-delay", "20ms", "--max-delay", "50ms", "--json"};

  private TestServer server;
  @TempDir Path dir;

  @BeforeEach
  void startServer() throws Exception {
    server = TestServer.webSocket();
  }

  @AfterEach
  void stopServer() throws Exception {
    server.close();
  }

  @Test
  void severalEndpointsFailOverToTheNextAndTheEventNamesIt() throws Exception {
    try (CliRun run = CliRun.start(args("watch", DEAD, server.endpoint()))) {
      int at = run.out.await(0, l -> isLifecycle(l, "Connected"), WAIT, "Connected");
      JsonNode up = json(run.out.lines().get(at));
      assertThat(up.get("endpoint").asText()).isEqualTo(server.endpoint());
      assertThat(CliRun.cause(json(run.out.lines().get(at - 1))))
          .contains("OPEN_FAILED")
          .contains("127.0.0.1:1");
      run.interrupt();
      assertThat(run.awaitExit(WAIT)).as("stderr: %s", run.err).isZero();
    }
  }

  @Test
  void endpointFileIsReadBeforeEveryAttempt() throws Exception {
    Path file = dir.resolve("server.endpoint");
    Files.writeString(file, server.endpoint() + "\n", StandardCharsets.UTF_8);
    try (CliRun run = CliRun.start(args("watch", "--endpoint-file", file.toString()))) {
      int at = run.out.await(0, l -> isLifecycle(l, "Connected"), WAIT, "Connected");
      assertThat(json(run.out.lines().get(at)).get("endpoint").asText())
          .isEqualTo(server.endpoint());
      run.interrupt();
      assertThat(run.awaitExit(WAIT)).as("stderr: %s", run.err).isZero();
    }
  }

  @Test
  void aMissingEndpointFileEndsWithResolveFailedAndExitThree() throws Exception {
    Path file = dir.resolve("never-written");
    CliRun run =
        CliRun.complete(
            WatchCommand.EXIT_PERMANENTLY_DISCONNECTED,
            args("watch", "--endpoint-file", file.toString(), "--max-attempts", "2"));
    List<String> lines = run.out.lines();
    JsonNode last = json(lines.get(lines.size() - 1));
    assertThat(last.get("event").asText()).isEqualTo("PermanentlyDisconnected");
    assertThat(CliRun.cause(last))
        .isEqualTo("RESOLVE_FAILED: endpoint file " + file + " does not exist");
    assertThat(run.err.toString())
        .contains("permanently disconnected from the endpoint in " + file);
  }

  @Test
  void helpDocumentsBothAndUsageErrorsAreClear() throws Exception {
    String help = String.join("\n", CliRun.complete(0, "watch", "--help").out.lines());
    assertThat(help).contains("MORE_ENDPOINTS", "--endpoint-file", "read before every attempt");
    CliRun both =
        CliRun.complete(
            TetherCli.EXIT_USAGE, "watch", server.endpoint(), "--endpoint-file", "x.endpoint");
    assertThat(both.err.toString()).contains("--endpoint-file PATH or an ENDPOINT");
    CliRun bad = CliRun.complete(TetherCli.EXIT_USAGE, "watch", server.endpoint(), "http://x/");
    assertThat(bad.err.toString()).contains("ENDPOINT 'http://x/'");
  }

  private static String[] args(String... first) {
    String[] all = new String[first.length + FAST.length];
    System.arraycopy(first, 0, all, 0, first.length);
    System.arraycopy(FAST, 0, all, first.length, FAST.length);
    return all;
  }
}
