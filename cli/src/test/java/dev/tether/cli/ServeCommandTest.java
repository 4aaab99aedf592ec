package dev.tether.cli;

import static dev.tether.cli.CliRun.WAIT;
import static dev.tether.cli.CliRun.isEvent;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class ServeCommandTest {
  private static final String SERVING = "Serving vm-service JSON-RPC at ";

  @TempDir Path dir;

  /** Starts {@code tether serve args…} and returns it once it prints its endpoint. */
  private static CliRun serve(String... args) throws Exception {
    String[] all = new String[args.length + 1];
    all[0] = "serve";
    System.arraycopy(args, 0, all, 1, args.length);
    CliRun run = CliRun.start(all);
    run.out.await(0, l -> l.startsWith(SERVING), WAIT, "the serving line");
    return run;
  }

  private static String endpoint(CliRun serve) {
    String line = serve.out.lines().get(0);
    return line.substring(SERVING.length(), line.indexOf(" (Ctrl-C to stop)"));
  }

  @Test
  void webSocketServerAnswersCallsAndFeedsWatchUntilInterrupted() throws Exception {
    try (CliRun serve = serve("--port", "0", "--event-interval", "20ms")) {
      String endpoint = endpoint(serve);
      assertThat(endpoint).matches("ws://127\\.0\\.0\\.1:\\d+/ws");
      CliRun call = CliRun.complete(0, "call", endpoint, "echo", "[1]", "--json");
      assertThat(CliRun.result(call.out.lines().get(0))).isEqualTo("[1]");
      try (CliRun watch = CliRun.start("watch", endpoint, "--stream", "Isolate", "--json")) {
        watch.out.await(0, l -> isEvent(l, "Isolate"), WAIT, "an Isolate event");
        watch.interrupt();
        assertThat(watch.awaitExit(WAIT)).isZero();
      }
      serve.interrupt();
      assertThat(serve.awaitExit(WAIT)).isZero();
      CliRun gone = CliRun.complete(4, "call", endpoint, "getVersion");
      assertThat(gone.err.toString()).contains("refused");
    }
  }

  @Test
  void tcpAndUnixSocketServers() throws Exception {
    try (CliRun serve = serve("--port", "0", "--tcp")) {
      assertThat(endpoint(serve)).startsWith("tcp://127.0.0.1:");
      CliRun.complete(0, "call", endpoint(serve), "getVersion");
    }
    Path socket = dir.resolve("tether.sock");
    try (CliRun serve = serve("--unix", socket.toString())) {
      assertThat(endpoint(serve)).isEqualTo("unix://" + socket.toAbsolutePath());
      CliRun call = CliRun.complete(0, "call", endpoint(serve), "echo", "{\"x\":1}", "--json");
      assertThat(CliRun.result(call.out.lines().get(0))).isEqualTo("{\"x\":1}");
    }
  }

  @Test
  void usageErrorsExitTwo() throws Exception {
    CliRun both = CliRun.complete(2, "serve", "--tcp", "--unix", dir.resolve("s").toString());
    assertThat(both.err.toString()).contains("mutually exclusive");
    CliRun port = CliRun.complete(2, "serve", "--port", "70000");
    assertThat(port.err.toString()).startsWith("tether serve: --port must be 0..65535, was 70000");
    try (CliRun first = serve("--port", "0", "--tcp")) {
      String busy = endpoint(first).substring(endpoint(first).lastIndexOf(':') + 1);
      CliRun second = CliRun.complete(2, "serve", "--port", busy, "--tcp");
      assertThat(second.err.toString()).startsWith("tether serve: cannot listen");
    }
  }
}
