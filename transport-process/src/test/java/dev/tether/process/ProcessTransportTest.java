package dev.tether.process;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tether.machine.Cause;
import dev.tether.runtime.framing.Framing;
import dev.tether.runtime.spi.Channel;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The channel a {@link ProcessTransport} opens, against real node children. */
class ProcessTransportTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private final Children children = new Children();
  private final Recording rec = new Recording();

  @AfterEach
  void nothingLeftBehind() throws InterruptedException {
    try {
      children.assertAllGone();
    } finally {
      children.killAll();
    }
  }

  private Channel open(ProcessEndpoint endpoint) throws Exception {
    return open(endpoint, Children.FAST);
  }

  private Channel open(ProcessEndpoint endpoint, ProcessTransportOptions options) throws Exception {
    ProcessTransport transport = ProcessTransport.create(endpoint, options);
    Channel ch =
        transport.open(transport.uri(), rec).toCompletableFuture().get(10, TimeUnit.SECONDS);
    children.track(((ProcessChannel) ch).handle().pid());
    return ch;
  }

  private JsonNode call(Channel ch, int id, String method, Object params) throws Exception {
    String req =
        JSON.writeValueAsString(
            java.util.Map.of("jsonrpc", "2.0", "id", id, "method", method, "params", params));
    ch.send(req.getBytes(StandardCharsets.UTF_8)).toCompletableFuture().get(10, TimeUnit.SECONDS);
    JsonNode answer = JSON.readTree(rec.next());
    assertThat(answer.path("id").asInt()).isEqualTo(id);
    return answer.path("result");
  }

  @Test
  void argumentsWithSpacesAndQuotesReachTheChildIntact() throws Exception {
    List<String> args = List.of("a b", "it's", "\"quoted\"", "$HOME", "*", "");
    Channel ch = open(Children.peer(args.toArray(String[]::new)));
    JsonNode got = call(ch, 1, "args", List.of());
    assertThat(got).isEqualTo(JSON.valueToTree(args));
    ch.close();
  }

  @Test
  void environmentAdditionsAndDirectoryReachTheChild(@TempDir Path dir) throws Exception {
    Channel ch = open(Children.peer().env("TETHER_TEST_VAR", "x y").directory(dir));
    assertThat(call(ch, 1, "env", java.util.Map.of("name", "TETHER_TEST_VAR")).asText())
        .isEqualTo("x y");
    assertThat(Path.of(call(ch, 2, "cwd", List.of()).asText()).toRealPath())
        .isEqualTo(dir.toRealPath());
    ch.close();
  }

  @Test
  void contentLengthFramingRoundTrips() throws Exception {
    Channel ch =
        open(
            Children.peer("--framing", "content-length"),
            ProcessTransportOptions.builder().framing(Framing.contentLength()).build());
    assertThat(call(ch, 1, "echo", java.util.Map.of("text", "é\r\n\r\n")).path("text").asText())
        .isEqualTo("é\r\n\r\n");
    ch.close();
  }

  @Test
  void bannerLinesOnStdoutAreSkippedNotFatal() throws Exception {
    Channel ch = open(Children.peer("--banner"));
    assertThat(call(ch, 1, "echo", java.util.Map.of("n", 1)).path("n").asInt()).isEqualTo(1);
    assertThat(((ProcessChannel) ch).skippedOutputs()).isEqualTo(2);
    ch.close();
  }

  @Test
  void childExitEndsTheChannelWithItsCodeAndStderrTail() throws Exception {
    Channel ch = open(Children.peer("--stderr-lines", "3"));
    String req =
        "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"exit\","
            + "\"params\":{\"code\":7,\"stderr\":[\"Error: out of cheese\",\"  at main\"]}}";
    ch.send(req.getBytes(StandardCharsets.UTF_8));
    Cause cause = rec.end();
    assertThat(cause.kind()).isEqualTo(Cause.Kind.CHANNEL_CLOSED);
    assertThat(cause.message())
        .contains("exited with code 7;")
        .contains("stderr (5 lines): line 1 | line 2 | line 3 | Error: out of cheese |   at main")
        .doesNotContain("signal");
  }

  @Test
  void stderrTailKeepsTheLastLinesOnly() throws Exception {
    Channel ch =
        open(
            Children.peer("--stderr-lines", "60"),
            ProcessTransportOptions.builder().stderrTail(2, 100).build());
    call(ch, 1, "pid", List.of()); // stderr was written before the first answer
    ((ProcessChannel) ch).handle().destroyForcibly();
    assertThat(rec.end().message()).endsWith("stderr (last 2 of 60 lines): line 59 | line 60");
  }

  @Test
  void killedChildNamesTheSignal() throws Exception {
    Channel ch = open(Children.peer());
    call(ch, 1, "pid", List.of());
    ((ProcessChannel) ch).handle().destroyForcibly();
    assertThat(rec.end().message()).contains("exited with code 137 (killed by signal 9, SIGKILL)");
  }

  @Test
  void commandNotFoundFailsTheOpenWithTheReason() {
    ProcessTransport transport =
        ProcessTransport.create(ProcessEndpoint.of("tether-no-such-command-x", "--stdio"));
    assertThatThrownBy(() -> transport.open(transport.uri(), rec).toCompletableFuture().join())
        .isInstanceOf(CompletionException.class)
        .cause()
        .isInstanceOf(IOException.class)
        .hasMessageContaining("cannot start [tether-no-such-command-x, --stdio]")
        .hasMessageContaining("No such file or directory");
  }

  @Test
  void openRefusesAnotherCommandsUri() {
    ProcessTransport transport = ProcessTransport.create(Children.peer());
    assertThatThrownBy(() -> transport.open(ProcessEndpoint.of("other").uri(), rec))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("process:other");
  }

  @Test
  void stdoutClosedWhileTheChildRunsIsItsOwnCause() throws Exception {
    open(Children.peer("--close-stdout-after", "0"));
    Cause cause = rec.end();
    assertThat(cause.kind()).isEqualTo(Cause.Kind.CHANNEL_CLOSED);
    assertThat(cause.message())
        .contains("closed its stdout but is still running")
        .contains("closing stdout");
  }

  @Test
  void headerLineWithoutAColonEndsAContentLengthChannel() throws Exception {
    open(
        Children.peer("--banner"),
        ProcessTransportOptions.builder().framing(Framing.contentLength()).build());
    assertThat(rec.end())
        .isEqualTo(
            Cause.of(
                Cause.Kind.PROTOCOL_ERROR,
                "header line without a colon: 'peer.js starting up' on stdout of process "
                    + children.lastPid()
                    + " "
                    + Children.peer("--banner")));
  }

  @Test
  void oversizedFrameOnStdoutEndsTheChannel() throws Exception {
    Channel ch =
        open(
            Children.peer("y".repeat(100)),
            ProcessTransportOptions.builder().maxFrameBytes(100).build());
    ch.send("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"args\"}".getBytes(StandardCharsets.UTF_8));
    Cause cause = rec.end();
    assertThat(cause.kind()).isEqualTo(Cause.Kind.FRAME_TOO_LARGE);
    assertThat(cause.message()).startsWith("line longer than maxFrameBytes 100 on stdout of");
  }

  @Test
  void closeEndsStdinAndTheChildExitsOnItsOwn() throws Exception {
    Channel ch = open(Children.peer());
    long pid = call(ch, 1, "pid", List.of()).asLong();
    ch.close();
    assertThat(rec.end()).isEqualTo(Cause.of(Cause.Kind.CHANNEL_CLOSED, "closed locally"));
    Children.awaitGone(List.of(pid), Children.WAIT);
    assertThat(ch.send(new byte[] {'{', '}'}).toCompletableFuture()).isCompletedExceptionally();
  }

  @Test
  void childIgnoringSigtermIsKilledAfterTheGraces() throws Exception {
    Channel ch = open(Children.peer("--ignore-sigterm"));
    long pid = call(ch, 1, "pid", List.of()).asLong();
    ch.close();
    Children.awaitGone(List.of(pid), Children.WAIT);
    assertThat(((ProcessChannel) ch).stderrTail()).contains("ignoring SIGTERM");
  }

  @Test
  void grandchildDiesWithTheChild() throws Exception {
    Channel ch = open(Children.peer("--grandchild"));
    long grandchild = children.track(call(ch, 1, "grandchild", List.of()).asLong());
    assertThat(Children.alive(grandchild)).isTrue();
    ch.close();
    Children.awaitGone(List.of(grandchild), Children.WAIT);
  }

  @Test
  void grandchildGoesAsSoonAsTheChildExitsWithinALongGrace() throws Exception {
    Channel ch =
        open(
            Children.peer("--grandchild"),
            ProcessTransportOptions.builder()
                .closeGrace(ProcessTransportOptions.MAX_GRACE)
                .terminateGrace(Duration.ofMillis(300))
                .build());
    long grandchild = children.track(call(ch, 1, "grandchild", List.of()).asLong());
    awaitRemembered(ch, grandchild);
    ch.close(); // the child exits on stdin EOF at once; the grandchild must not wait a minute
    Children.awaitGone(List.of(grandchild), Children.WAIT);
  }

  @Test
  void grandchildOfACrashedChildIsKilledToo() throws Exception {
    Channel ch = open(Children.peer("--grandchild"));
    long grandchild = children.track(call(ch, 1, "grandchild", List.of()).asLong());
    awaitRemembered(ch, grandchild);
    ((ProcessChannel) ch).handle().destroyForcibly();
    rec.end();
    Children.awaitGone(List.of(grandchild), Children.WAIT);
  }

  /**
   * Runs the waiter's periodic step (remembering the child's descendants) now, instead of waiting
   * for its timer, and checks that it remembered {@code pid}.
   */
  private static void awaitRemembered(Channel ch, long pid) {
    ((ProcessChannel) ch).rememberDescendantsNow();
    assertThat(ProcessTransport.liveProcesses()).anyMatch(h -> h.pid() == pid);
  }

  @Test
  void pausedReadingDeliversNothingUntilResumedThenEverythingInOrder() throws Exception {
    Channel ch = open(Children.peer());
    call(ch, 0, "pid", List.of());
    ch.pauseReading();
    for (int i = 1; i <= 50; i++) {
      String req = "{\"jsonrpc\":\"2.0\",\"id\":" + i + ",\"method\":\"echo\",\"params\":[]}";
      ch.send(req.getBytes(StandardCharsets.UTF_8)).toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
    assertThat(rec.frames.poll(300, TimeUnit.MILLISECONDS)).as("a frame while paused").isNull();
    ch.resumeReading();
    for (int i = 1; i <= 50; i++) {
      assertThat(JSON.readTree(rec.next()).path("id").asInt()).isEqualTo(i);
    }
    ch.close();
  }

  // ------------------------------------------------------------------ bad input, end to end

  private static final int SMALL_FRAMES = 100;

  static Stream<Arguments> badStdout() {
    return Stream.of(
        Arguments.of(
            "content-length",
            "Content-Length: 101\r\n\r\n",
            Cause.Kind.FRAME_TOO_LARGE,
            "Content-Length 101 exceeds maxFrameBytes 100"),
        Arguments.of(
            "content-length",
            "Content-Length: -5\r\n\r\n",
            Cause.Kind.PROTOCOL_ERROR,
            "negative Content-Length: -5"),
        Arguments.of(
            "content-length",
            "Content-Type: application/json\r\n\r\n{}",
            Cause.Kind.PROTOCOL_ERROR,
            "header block without a Content-Length header"),
        Arguments.of(
            "content-length",
            "Content-Length: 12a\r\n\r\n",
            Cause.Kind.PROTOCOL_ERROR,
            "Content-Length is not a number: '12a'"),
        Arguments.of(
            "ndjson",
            "Starting server " + "x".repeat(SMALL_FRAMES) + "\n",
            Cause.Kind.FRAME_TOO_LARGE,
            "line longer than maxFrameBytes 100"));
  }

  /**
   * The "bad input" list over a real child (a {@code node -e} one-liner writes the bytes,
   * then idles): each ends the channel with its own readable cause, naming the process. The
   * decoders' tests cover every split of these bytes.
   */
  @ParameterizedTest(name = "{0}: {3}")
  @MethodSource("badStdout")
  void badStdoutEndsTheChannelWithItsOwnCause(
      String framing, String stdout, Cause.Kind kind, String message) throws Exception {
    String script =
        "process.stdout.write("
            + JSON.writeValueAsString(stdout)
            + ");process.stdin.resume();process.stdin.on('end',()=>process.exit(0));";
    ProcessEndpoint child = ProcessEndpoint.of("node", "-e", script);
    open(
        child,
        ProcessTransportOptions.builder()
            .framing(Framing.named(framing))
            .maxFrameBytes(SMALL_FRAMES)
            .closeGrace(Children.FAST.closeGrace())
            .terminateGrace(Children.FAST.terminateGrace())
            .build());

    Cause cause = rec.end();

    assertThat(cause.kind()).isEqualTo(kind);
    assertThat(cause.message())
        .isEqualTo(message + " on stdout of process " + children.lastPid() + " " + child);
  }
}
