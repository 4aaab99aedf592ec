package dev.tether.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Usage errors of {@code --exec}, {@code --framing}, {@code --handshake} and {@code --answer}: exit
 * 2 with a clear message, before anything starts (no child process).
 */
@Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class ExecUsageTest {
  private static final String CHILD = "java -version";

  @TempDir Path dir;

  @AfterEach
  void nothingStarted() throws InterruptedException {
    try {
      assertThat(ChildProcesses.running()).as("a usage error starts no child").isEmpty();
    } finally {
      ChildProcesses.killAll();
    }
  }

  private static String usageError(String... args) throws Exception {
    CliRun run = CliRun.complete(2, args);
    String err = run.err.toString();
    assertThat(err).doesNotContain("Usage:");
    assertThat(err.lines().skip(1)).containsExactly("Try 'tether " + args[0] + " --help'.");
    return err.lines().findFirst().orElseThrow();
  }

  @Test
  void endpointAndExecAreExclusiveAndOneIsNeeded() throws Exception {
    assertThat(usageError("watch", "tcp://127.0.0.1:1", "--exec", CHILD))
        .isEqualTo(
            "tether watch: give either an ENDPOINT or --exec COMMAND, not both (ENDPOINT was"
                + " 'tcp://127.0.0.1:1')");
    assertThat(usageError("watch")).isEqualTo("tether watch: give an ENDPOINT or --exec COMMAND");
    assertThat(usageError("call", "tcp://127.0.0.1:1", "--exec", CHILD, "m"))
        .startsWith("tether call: give either an ENDPOINT or --exec COMMAND, not both");
    assertThat(usageError("call", "--exec", CHILD, "m", "[]", "extra"))
        .startsWith("tether call: give either an ENDPOINT or --exec COMMAND, not both");
    assertThat(usageError("call", "--exec", CHILD)).isEqualTo("tether call: METHOD is missing");
  }

  @Test
  void unterminatedQuoteInTheCommand() throws Exception {
    assertThat(usageError("watch", "--exec", "node 'server.js"))
        .isEqualTo("tether watch: --exec: unterminated ' opened at column 6: node 'server.js");
    assertThat(usageError("call", "--exec", "node a | tee log", "m"))
        .startsWith("tether call: --exec: '|' is a shell operator");
    assertThat(usageError("watch", "--exec", "  "))
        .isEqualTo("tether watch: --exec: no command in '  '");
  }

  @Test
  void framingMustBeKnownAndNotForWebSockets() throws Exception {
    assertThat(usageError("watch", "--exec", CHILD, "--framing", "xml"))
        .isEqualTo("tether watch: unknown framing 'xml', expected ndjson or content-length");
    assertThat(usageError("watch", "ws://127.0.0.1:1/ws", "--framing", "content-length"))
        .isEqualTo(
            "tether watch: --framing is for --exec, tcp:// and unix://; ws:// messages are WebSocket"
                + " frames");
  }

  @Test
  void badHandshakeFiles() throws Exception {
    assertThat(handshakeError("{\"id\":1,\"method\":\"initialize\"}", "initialize"))
        .endsWith(
            "line 2 is not JSON: Unrecognized token 'initialize': was expecting (JSON"
                + " String, Number, Array, Object or token 'null', 'true' or 'false')");
    assertThat(handshakeError("[1,2]")).endsWith("line 1 is not a JSON object: [1,2]");
    assertThat(handshakeError("{\"id\":1,\"params\":{}}"))
        .endsWith("line 1 has no \"method\" (a non-empty string)");
    assertThat(handshakeError("{\"method\":\"m\",\"params\":3}"))
        .endsWith("line 1: \"params\" must be an object or an array");
    assertThat(handshakeError("{\"method\":\"a\"} {\"method\":\"b\"}")).contains("is not JSON");
    assertThat(handshakeError("", "  ")).endsWith("has no message");
    Path missing = dir.resolve("missing.jsonl");
    assertThat(usageError("watch", "--exec", CHILD, "--handshake", missing.toString()))
        .startsWith("tether watch: cannot read --handshake " + missing);
  }

  private String handshakeError(String... lines) throws Exception {
    Path file = Files.write(dir.resolve("h.jsonl"), java.util.List.of(lines));
    String message = usageError("call", "--exec", CHILD, "m", "--handshake", file.toString());
    assertThat(message).startsWith("tether call: --handshake " + file);
    return message;
  }

  @Test
  void badAnswers() throws Exception {
    assertThat(usageError("watch", "--exec", CHILD, "--answer", "m"))
        .isEqualTo("tether watch: --answer needs METHOD=JSON, was 'm'");
    assertThat(usageError("watch", "--exec", CHILD, "--answer", "=1"))
        .isEqualTo("tether watch: --answer needs METHOD=JSON, was '=1'");
    assertThat(usageError("watch", "--exec", CHILD, "--answer", "m={x"))
        .startsWith("tether watch: --answer m: not JSON (");
    assertThat(usageError("watch", "--exec", CHILD, "--answer", "m="))
        .isEqualTo("tether watch: --answer m: no JSON after '='");
    assertThat(usageError("watch", "--exec", CHILD, "--answer", "m=1", "--answer", "m=2"))
        .isEqualTo("tether watch: --answer m is given twice");
  }

  @Test
  void helpDocumentsTheNewFlags() throws Exception {
    for (String command : new String[] {"watch", "call"}) {
      String help = String.join("\n", CliRun.complete(0, command, "--help").out.lines());
      assertThat(help)
          .contains("--exec=COMMAND")
          .contains("--framing=FRAMING")
          .contains("--handshake=FILE")
          .contains("--answer=METHOD=JSON")
          .contains("tether " + command + " --exec COMMAND");
    }
  }
}
