package dev.tether.cli;

import static dev.tether.cli.CliRun.WAIT;
import static dev.tether.cli.CliRun.isEvent;
import static dev.tether.cli.CliRun.isLifecycle;
import static dev.tether.cli.CliRun.json;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class WatchCommandTest {
  private static final Duration CHILD_JVM_START = Duration.ofSeconds(60);

  /**
   * Fast retries: a restart right after the first Reconnecting is always within the five attempts
   * (at least 40 + 80 + 160 + 160 ms away), and the final outage ends within about a second.
   */
  static final String[] FAST_POLICY = {
    "--max-attempts", "5", "--initial-delay", "50ms", "--max-delay", "200ms"
  };

  private TestServer server;

  @BeforeEach
  void startServer() throws Exception {
    server = TestServer.webSocket();
  }

  @AfterEach
  void stopServer() throws Exception {
    server.close();
  }

  private CliRun watch(String... more) {
    List<String> args = new ArrayList<>(List.of("watch", server.endpoint()));
    args.addAll(List.of(FAST_POLICY));
    args.addAll(List.of(more));
    return CliRun.start(args.toArray(String[]::new));
  }

  /** Waits for at least one event of each stream from line {@code from} on. */
  private static int awaitEvents(CliRun run, int from, String... streams) throws Exception {
    int last = from;
    for (String stream : streams) {
      last = Math.max(last, run.out.await(from, l -> isEvent(l, stream), WAIT, stream + " event"));
    }
    return last;
  }

  @Test
  void jsonLinesSurviveTwoRestartsThenExitThreeWhenTheServerIsGoneForGood() throws Exception {
    try (CliRun run = watch("--stream", "Isolate", "--stream", "Debug", "--json")) {
      int at = run.out.await(0, l -> isLifecycle(l, "Connected"), WAIT, "Connected");
      at = awaitEvents(run, at, "Isolate", "Debug");
      for (int outage = 1; outage <= 2; outage++) {
        server.stop();
        at = run.out.await(at, l -> isLifecycle(l, "Reconnecting"), WAIT, "Reconnecting");
        server.start();
        at = run.out.await(at, l -> isLifecycle(l, "Reconnected"), WAIT, "Reconnected");
        // Resubscribed on the new channel: both streams flow again.
        at = awaitEvents(run, at, "Isolate", "Debug");
      }
      server.stop();
      assertThat(run.awaitExit(WAIT)).as("stderr: %s", run.err).isEqualTo(3);

      List<String> lines = run.out.lines();
      JsonNode last = json(lines.get(lines.size() - 1));
      assertThat(last.get("event").asText()).isEqualTo("PermanentlyDisconnected");
      assertThat(CliRun.cause(last)).contains("OPEN_FAILED");
      assertThat(run.err.toString()).contains("permanently disconnected from " + server.endpoint());
      for (String line : lines) {
        JsonNode n = json(line);
        assertThat(n.get("type").asText()).as(line).isIn("lifecycle", "event");
        assertThat(n.get("t").asLong()).as(line).isNotNegative();
        if (n.get("type").asText().equals("event")) {
          assertThat(n.get("data").get("kind").asText()).as(line).isEqualTo("Tick");
        }
      }
      assertThat(lines.stream().filter(l -> isLifecycle(l, "Reconnected"))).hasSize(2);
    }
  }

  @Test
  void readableOutputNamesEventsAndLifecycle() throws Exception {
    try (CliRun run = watch("--stream", "Isolate")) {
      run.out.await(0, l -> l.contains("event Isolate {\"kind\":\"Tick\""), WAIT, "event");
      run.interrupt();
      assertThat(run.awaitExit(WAIT)).isZero();
      assertThat(run.out.toString())
          .startsWith("Watching " + server.endpoint() + " (vm-service; streams Isolate)")
          .containsPattern("\\[\\d\\d:\\d\\d\\.\\d{3}] Connected \\(epoch 1\\)")
          .endsWith("Closed: interrupted");
    }
  }

  @Test
  void interruptClosesTheConnectionAndExitsZero() throws Exception {
    // A stream named twice is subscribed and printed once.
    try (CliRun run = watch("--stream", "Isolate", "--stream", "Isolate", "--json")) {
      int first = run.out.await(0, l -> isEvent(l, "Isolate"), WAIT, "an Isolate event");
      run.out.await(first + 1, l -> isEvent(l, "Isolate"), WAIT, "a second Isolate event");
      run.interrupt();
      assertThat(run.awaitExit(WAIT)).as("stderr: %s", run.err).isZero();
      List<String> lines = run.out.lines();
      JsonNode last = json(lines.get(lines.size() - 1));
      assertThat(last.get("event").asText()).isEqualTo("Closed");
      assertThat(last.get("reason").asText()).isEqualTo("interrupted");
      List<Long> seqs =
          lines.stream()
              .filter(l -> isEvent(l, "Isolate"))
              .map(l -> json(l).get("data").get("seq").asLong())
              .toList();
      assertThat(seqs).hasSizeGreaterThanOrEqualTo(2).doesNotHaveDuplicates();
    }
  }

  @Test
  void refusedSubscriptionIsAWarningLine() throws Exception {
    // The vm-service server knows no rpc.on: the rpc-websockets subscribe is refused.
    try (CliRun run = watch("--dialect", "rpc-websockets", "--stream", "Isolate", "--json")) {
      int at =
          run.out.await(
              0, l -> json(l).path("type").asText().equals("warning"), WAIT, "a warning line");
      JsonNode warning = json(run.out.lines().get(at));
      assertThat(warning.get("stream").asText()).isEqualTo("Isolate");
      assertThat(warning.get("message").asText()).contains("-32601").contains("rpc.on");
      run.out.await(0, l -> isLifecycle(l, "Connected"), WAIT, "Connected");
      run.interrupt();
      assertThat(run.awaitExit(WAIT)).isZero();
    }
  }

  /** The real thing: a separate JVM, SIGINT as Ctrl-C sends it, exit status 0. */
  @Test
  void ctrlCInASeparateProcessClosesAndExitsZero() throws Exception {
    Path java = Path.of(System.getProperty("java.home"), "bin", "java");
    Process p =
        new ProcessBuilder(
                java.toString(),
                "-cp",
                System.getProperty("java.class.path"),
                TetherCli.class.getName(),
                "watch",
                server.endpoint(),
                "--stream",
                "Isolate",
                "--json")
            .redirectError(ProcessBuilder.Redirect.DISCARD)
            .start();
    try {
      Lines out = new Lines();
      AtomicReference<IOException> readFailure = new AtomicReference<>();
      Thread pump =
          new Thread(
              () -> {
                try (Reader r = new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8)) {
                  r.transferTo(out); // until the process ends
                } catch (IOException e) {
                  readFailure.set(e);
                }
              },
              "watch-process-stdout");
      pump.setDaemon(true);
      pump.start();
      // A child JVM's start (class loading of the whole CLI) is what takes long on a loaded
      // machine: 10 s was not always enough with five builds on two cores.
      out.await(0, l -> isEvent(l, "Isolate"), CHILD_JVM_START, "an Isolate event");

      Process kill = new ProcessBuilder("kill", "-INT", Long.toString(p.pid())).start();
      assertThat(kill.waitFor(WAIT.toMillis(), TimeUnit.MILLISECONDS)).isTrue();
      assertThat(p.waitFor(WAIT.toMillis(), TimeUnit.MILLISECONDS)).as("exited").isTrue();
      assertThat(p.exitValue()).as("exit status after SIGINT").isZero();
      pump.join(WAIT.toMillis());
      assertThat(readFailure.get()).isNull();
      List<String> lines = out.lines();
      JsonNode last = json(lines.get(lines.size() - 1));
      assertThat(last.get("event").asText()).isEqualTo("Closed");
      assertThat(last.get("reason").asText()).isEqualTo("interrupted");
    } finally {
      p.destroyForcibly();
    }
  }

  @Test
  void usageErrorsExitTwoWithAClearMessage() throws Exception {
    String ws = server.endpoint();
    assertThat(usage("watch", "http://127.0.0.1:1/ws")).contains("unsupported scheme 'http'");
    assertThat(usage("watch", "tcp://127.0.0.1")).contains("needs a port");
    assertThat(usage("watch")).contains("give an ENDPOINT or --exec COMMAND");
    assertThat(usage("watch", ws, "--dialect", "graphql")).contains("unknown dialect 'graphql'");
    assertThat(usage("watch", ws, "--envelope", "xml")).contains("unknown envelope 'xml'");
    assertThat(usage("watch", ws, "--initial-delay", "soon")).contains("'soon' is not a positive");
    assertThat(usage("watch", ws, "--max-delay", "0s")).contains("'0s' is not a positive");
    assertThat(usage("watch", ws, "--max-attempts", "-1")).contains("--max-attempts must be");
    assertThat(usage("watch", ws, "--initial-delay", "2s", "--max-delay", "1s"))
        .contains("--max-delay (1000 ms) must not be below --initial-delay (2000 ms)");
    assertThat(usage("watch", ws, "--trust-cert", "/no/such.pem")).contains("no such file");
    assertThat(usage("watch", ws, "--stream", "")).contains("--stream needs a name");
  }

  private static String usage(String... args) throws Exception {
    CliRun run = CliRun.complete(TetherCli.EXIT_USAGE, args);
    assertThat(run.out.lines()).isEmpty();
    String first = run.err.toString().lines().findFirst().orElse("");
    assertThat(first).startsWith("tether watch: ");
    return first;
  }
}
