package dev.tether.cli;

import static dev.tether.cli.CliRun.WAIT;
import static dev.tether.cli.CliRun.isEvent;
import static dev.tether.cli.CliRun.isLifecycle;
import static dev.tether.cli.CliRun.json;
import static dev.tether.cli.CliRun.result;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code watch} and {@code call} with {@code --exec}, against a real child: a JVM running {@link
 * StdioEchoServer}, which answers nothing before {@code initialize}.
 */
@Timeout(value = 120, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class ExecCommandTest {
  /** initialize (with an id of the file's own, which the tool replaces), then initialized. */
  static final List<String> HANDSHAKE =
      List.of(
          "{\"jsonrpc\":\"2.0\",\"id\":\"the-file's-id\",\"method\":\"initialize\","
              + "\"params\":{\"rootUri\":\"file:///w\"}}",
          "",
          "{\"jsonrpc\":\"2.0\",\"method\":\"initialized\",\"params\":{}}");

  @TempDir Path dir;

  @AfterEach
  void noChildLeft() throws InterruptedException {
    ChildProcesses.stopAll();
  }

  private String handshake(List<String> lines) throws Exception {
    return Files.write(dir.resolve("handshake.jsonl"), lines).toString();
  }

  @Test
  void callRunsTheHandshakeThenTheRequestAndLeavesNoChild() throws Exception {
    CliRun run =
        CliRun.complete(
            0,
            "call",
            "--exec",
            ChildProcesses.echoServer(),
            "echo",
            "{\"a\":[1,2]}",
            "--handshake",
            handshake(HANDSHAKE),
            "--json");
    assertThat(result(run.out.lines().get(0))).isEqualTo("{\"a\":[1,2]}");
    // call waited for the child: none runs the moment it returns, without waiting here.
    assertThat(ChildProcesses.running()).isEmpty();
  }

  @Test
  void withoutTheHandshakeTheChildRefuses() throws Exception {
    CliRun run = CliRun.complete(4, "call", "--exec", ChildProcesses.echoServer(), "echo");
    assertThat(run.err.toString())
        .startsWith("tether call: remote error -32002: not initialized: send initialize first");
  }

  @Test
  void anErrorAnswerToAHandshakeRequestFailsTheAttempt() throws Exception {
    String refused = handshake(List.of("{\"jsonrpc\":\"2.0\",\"id\":7,\"method\":\"pid\"}"));
    CliRun run =
        CliRun.complete(
            4, "call", "--exec", ChildProcesses.echoServer(), "echo", "--handshake", refused);
    assertThat(run.err.toString())
        .startsWith("tether call: cannot connect to `")
        .contains("HANDSHAKE_FAILED")
        .contains("-32002");
  }

  @Test
  void argumentsWithSpacesAndQuotesReachTheChildIntact() throws Exception {
    String exec = ChildProcesses.echoServer() + " 'a  b' \"c \\\"d\\\" 'e'\" f\\ g '' \\$HOME";
    CliRun run =
        CliRun.complete(
            0, "call", "--exec", exec, "argv", "--handshake", handshake(HANDSHAKE), "--json");
    assertThat(json(result(run.out.lines().get(0))))
        .containsExactly(
            json("\"a  b\""),
            json("\"c \\\"d\\\" 'e'\""),
            json("\"f g\""),
            json("\"\""),
            json("\"$HOME\""));
  }

  @Test
  void answerReachesTheChildsRequestAndOtherMethodsGetMethodNotFound() throws Exception {
    String hs = handshake(HANDSHAKE);
    String exec = ChildProcesses.echoServer();
    String answer = "workspace/configuration=[{\"tabSize\":2}]";
    CliRun answered =
        CliRun.complete(
            0,
            "call",
            "--exec",
            exec,
            "ask",
            "{\"method\":\"workspace/configuration\",\"params\":{\"items\":[{}]}}",
            "--handshake",
            hs,
            "--answer",
            answer,
            "--json");
    assertThat(result(answered.out.lines().get(0))).isEqualTo("{\"result\":[{\"tabSize\":2}]}");

    CliRun unserved =
        CliRun.complete(
            0,
            "call",
            "--exec",
            exec,
            "ask",
            "{\"method\":\"window/showMessageRequest\"}",
            "--handshake",
            hs,
            "--answer",
            answer,
            "--json");
    assertThat(json(unserved.out.lines().get(0)).at("/result/error/code").asInt())
        .isEqualTo(-32601);
  }

  @Test
  void contentLengthFramingOnTheChildsStdio() throws Exception {
    CliRun run =
        CliRun.complete(
            0,
            "call",
            "--exec",
            ChildProcesses.echoServer("--framing", "content-length"),
            "--framing",
            "content-length",
            "echo",
            "[\"x\"]",
            "--handshake",
            handshake(HANDSHAKE),
            "--json");
    assertThat(result(run.out.lines().get(0))).isEqualTo("[\"x\"]");
  }

  @Test
  void watchReplaysTheHandshakeOnTheChildStartedAfterAKill() throws Exception {
    try (CliRun run =
        CliRun.start(
            "watch",
            "--exec",
            ChildProcesses.echoServer(),
            "--handshake",
            handshake(HANDSHAKE),
            "--dialect",
            "plain",
            "--stream",
            "ready",
            "--max-attempts",
            "3",
            "--initial-delay",
            "50ms",
            "--max-delay",
            "200ms",
            "--json")) {
      run.out.await(0, l -> isLifecycle(l, "Connected"), WAIT, "Connected");
      int at = run.out.await(0, l -> isEvent(l, "ready"), WAIT, "ready from the first child");
      JsonNode first = json(run.out.lines().get(at)).get("data");
      assertThat(first.get("initialize")).isEqualTo(json("{\"rootUri\":\"file:///w\"}"));

      ProcessHandle.of(first.get("pid").asLong()).orElseThrow().destroyForcibly();
      at = run.out.await(at, l -> isLifecycle(l, "Reconnecting"), WAIT, "Reconnecting");
      assertThat(CliRun.cause(json(run.out.lines().get(at)))).contains("killed by signal 9");
      int up = run.out.await(at, l -> isLifecycle(l, "Reconnected"), WAIT, "Reconnected");
      at = run.out.await(at, l -> isEvent(l, "ready"), WAIT, "ready from the new child");
      JsonNode second = json(run.out.lines().get(at)).get("data");
      assertThat(second.get("pid").asLong()).isNotEqualTo(first.get("pid").asLong());
      assertThat(second.get("initialize")).isEqualTo(first.get("initialize"));
      assertThat(up).isPositive();

      run.interrupt();
      assertThat(run.awaitExit(WAIT)).as("stderr: %s", run.err).isZero();
    }
    ChildProcesses.assertNoneLeft();
  }
}
