package dev.tether.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tether.vertx.peer.MessageQueue;
import dev.tether.vertx.peer.VertxPeerServer;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.NetServer;
import io.vertx.core.parsetools.RecordParser;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.Writer;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(value = 60, unit = TimeUnit.SECONDS)
class PeerCommandTest {
  /** Bound on every wait for a real socket or thread; generous for a loaded 2-core machine. */
  private static final Duration WAIT = Duration.ofSeconds(15);

  @TempDir Path dir;

  private Vertx vertx;
  private Serving serving;

  @AfterEach
  void tearDown() throws Exception {
    if (serving != null) {
      serving.stop();
    }
    if (vertx != null) {
      PeerCommand.closeVertx(vertx);
    }
  }

  /** Runs the CLI, checks the exit status, and returns stdout + "|" + stderr. */
  private String run(int expectedExit, String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int exit = TetherCli.run(new PrintWriter(out, true), new PrintWriter(err, true), args);
    assertThat(exit).as("exit status; stdout: %s; stderr: %s", out, err).isEqualTo(expectedExit);
    return out + "|" + err;
  }

  private String peer(int expectedExit, String sub, String... rest) {
    String[] args = new String[rest.length + 4];
    args[0] = "peer";
    args[1] = sub;
    args[2] = "--store";
    args[3] = dir.toString();
    System.arraycopy(rest, 0, args, 4, rest.length);
    return run(expectedExit, args);
  }

  @Test
  void addRegisterListUnregister() {
    peer(0, "add", "a");
    peer(0, "add", "b");
    peer(0, "add", "c");
    peer(0, "add", "a");
    peer(0, "register", "a", "c");
    peer(0, "register", "b", "a");
    assertThat(peer(0, "list", "a")).isEqualTo("b\nc\n|");
    assertThat(peer(0, "list", "b")).isEqualTo("a\n|");
    peer(0, "unregister", "a", "b");
    assertThat(peer(0, "list", "a")).isEqualTo("c\n|");
    assertThat(peer(0, "list", "b")).isEqualTo("|");
  }

  @Test
  void rejectedNamesAndUsageErrorsExitTwo() {
    assertThat(peer(2, "add", "../evil")).contains("invalid pod name \"../evil\"");
    peer(0, "add", "a");
    assertThat(peer(2, "register", "a", "a")).contains("own peer");
    assertThat(peer(2, "register", "a")).contains("Missing required parameter");
    assertThat(run(2, "peer", "list", "a")).contains("--store");
    assertThat(dir.getParent().resolve("evil.json")).doesNotExist();
  }

  @Test
  void registryFailuresExitFour() {
    peer(0, "add", "a");
    assertThat(peer(4, "register", "a", "ghost")).contains("unknown pod \"ghost\"");
    assertThat(peer(4, "list", "ghost")).contains("unknown pod \"ghost\"");
  }

  // ---------------------------------------------------------------- register --consent

  @Test
  void registerWithConsentExitCodesAgainstServe() throws Exception {
    Path socket = dir.resolve("bob.sock");
    String endpoint = "unix://" + socket;
    peer(0, "add", "ann");
    peer(0, "add", "cy");
    peer(0, "add", "bob", "--endpoint", endpoint);
    serving =
        Serving.start(
            "peer", "serve", "--name", "bob", "--unix", socket.toString(), "--accept", "ann");
    serving.nextLine(); // listening

    assertThat(peer(0, "register", "ann", "bob", "--consent"))
        .isEqualTo("registered ann <-> bob: bob consented\n|");
    assertThat(serving.nextLine()).isEqualTo("peer.register from ann: ack");
    assertThat(peer(0, "list", "bob")).isEqualTo("ann\n|");

    assertThat(peer(4, "register", "cy", "bob", "--consent", "--endpoint", endpoint))
        .isEqualTo(
            "|tether peer register: not registered cy <-> bob: refused with code unknown-source:"
                + " pod \"cy\" is not accepted as a peer here\n");
    assertThat(serving.nextLine()).isEqualTo("peer.register from cy: refused (unknown-source)");
    assertThat(peer(0, "list", "cy")).isEqualTo("|");

    String nobody = "unix://" + dir.resolve("nobody.sock");
    assertThat(peer(4, "register", "cy", "bob", "--consent", "--endpoint", nobody))
        .contains("not registered cy <-> bob: unreachable: refused: ");
    assertThat(
            peer(
                0,
                "register",
                "cy",
                "bob",
                "--consent",
                "--endpoint",
                nobody,
                "--metadata-only-if-unreachable"))
        .contains("registered without consent (metadata only)");
    assertThat(peer(0, "list", "cy")).isEqualTo("bob\n|");
    assertThat(peer(2, "register", "ann", "cy", "--endpoint", endpoint)).contains("need --consent");
  }

  @Test
  void registerWithConsentUnconfirmedExitsFive() throws Exception {
    vertx = Vertx.vertx();
    VertxPeerServer silent =
        VertxPeerServer.builder(vertx, "old", MessageQueue.bounded())
            .tcp(0)
            .confirming(false)
            .build();
    URI endpoint = silent.start().toCompletableFuture().get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
    try {
      peer(0, "add", "ann");
      peer(0, "add", "old");
      assertThat(
              peer(
                  5,
                  "register",
                  "ann",
                  "old",
                  "--consent",
                  "--endpoint",
                  endpoint.toString(),
                  "--confirm-timeout",
                  "300ms"))
          .contains("not registered ann <-> old: written but not confirmed within 300 ms");
      assertThat(peer(0, "list", "old")).isEqualTo("|");
    } finally {
      silent.close();
    }
  }

  /**
   * Two processes register the same pair with consent at once, against a target that answers each
   * request only after a delay and counts the requests waiting for an answer: the store's lock
   * covers the round trip (never two requests pending at once), both processes end consented, and
   * the relation is there once, on both sides.
   */
  @Test
  void twoProcessesRegisteringTheSamePairEndWithOneRelation() throws Exception {
    vertx = Vertx.vertx();
    AtomicInteger pending = new AtomicInteger();
    AtomicInteger maxPending = new AtomicInteger();
    AtomicInteger asked = new AtomicInteger();
    NetServer target = vertx.createNetServer();
    target.connectHandler(
        socket -> {
          socket.write(Buffer.buffer("{\"event\":\"snapshot\",\"data\":{}}\n"));
          socket.handler(
              RecordParser.newDelimited(
                  "\n",
                  line -> {
                    String id = new JsonObject(line).getString("id");
                    asked.incrementAndGet();
                    maxPending.accumulateAndGet(pending.incrementAndGet(), Math::max);
                    vertx.setTimer(
                        300,
                        t -> {
                          pending.decrementAndGet();
                          socket.write(
                              Buffer.buffer(
                                  "{\"event\":\"ack\",\"data\":{\"id\":\"" + id + "\"}}\n"));
                        });
                  }));
        });
    int port =
        target.listen(0, "127.0.0.1").await(WAIT.toMillis(), TimeUnit.MILLISECONDS).actualPort();
    peer(0, "add", "ann");
    peer(0, "add", "bob");
    List<Process> children = new ArrayList<>();
    try {
      for (int i = 0; i < 2; i++) {
        children.add(
            cli(
                i,
                "peer",
                "register",
                "--store",
                dir.toString(),
                "ann",
                "bob",
                "--consent",
                "--endpoint",
                "tcp://127.0.0.1:" + port));
      }
      for (int i = 0; i < 2; i++) {
        Process child = children.get(i);
        assertThat(child.waitFor(WAIT.toSeconds() * 4, TimeUnit.SECONDS)).isTrue();
        assertThat(child.exitValue())
            .as(() -> readQuietly(dir.resolve("child" + children.indexOf(child) + ".log")))
            .isZero();
      }
    } finally {
      children.forEach(Process::destroyForcibly);
      target.close();
    }
    assertThat(asked.get()).isEqualTo(2);
    assertThat(maxPending.get()).as("requests pending at once").isEqualTo(1);
    assertThat(peer(0, "list", "ann")).isEqualTo("bob\n|");
    assertThat(peer(0, "list", "bob")).isEqualTo("ann\n|");
    assertThat(dir.resolve("intent.json")).doesNotExist();
  }

  private Process cli(int n, String... args) throws java.io.IOException {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add("-cp");
    command.add(System.getProperty("java.class.path"));
    command.add(TetherCli.class.getName());
    command.addAll(List.of(args));
    return new ProcessBuilder(command)
        .redirectErrorStream(true)
        .redirectOutput(dir.resolve("child" + n + ".log").toFile())
        .start();
  }

  private static String readQuietly(Path file) {
    try {
      return java.nio.file.Files.readString(file);
    } catch (java.io.IOException e) {
      return "(no log: " + e + ")";
    }
  }

  // ---------------------------------------------------------------- serve, send, probe

  @Test
  void serveOnUnixSocketThenSendIsDeliveredAndPrinted() throws Exception {
    peer(0, "add", "bob");
    peer(0, "add", "ann");
    peer(0, "register", "ann", "bob");
    Path socket = dir.resolve("bob.sock");
    serving =
        Serving.start(
            "peer",
            "serve",
            "--name",
            "bob",
            "--unix",
            socket.toString(),
            "--store",
            dir.toString());
    String endpoint = "unix://" + socket;
    assertThat(serving.nextLine())
        .isEqualTo("listening on " + endpoint + " as bob (Ctrl-C to stop)");

    assertThat(run(0, "peer", "send", endpoint, "--message", "build finished"))
        .isEqualTo(
            "delivered to "
                + endpoint
                + " (after 0 alerts and the snapshot"
                + " {\"name\":\"bob\",\"status\":\"ready\",\"peers\":[\"ann\"]})\n|");
    assertThat(serving.nextLine()).matches("received \\d+: build finished");
    assertThat(run(0, "peer", "probe", endpoint))
        .isEqualTo(endpoint + " reachable, status ready\n|");

    assertThat(serving.stop()).isZero();
    assertThat(serving.nextLine()).isEqualTo("stopped");
    assertThat(socket).doesNotExist();
  }

  @Test
  void serveOnTcpThenSendWithJson() throws Exception {
    serving = Serving.start("peer", "serve", "--name", "bob", "--port", "0");
    String listening = serving.nextLine();
    assertThat(listening).startsWith("listening on tcp://127.0.0.1:");
    String endpoint = listening.substring("listening on ".length(), listening.indexOf(" as bob"));

    assertThat(run(0, "peer", "send", endpoint, "--message", "hi", "--json"))
        .isEqualTo(
            "{\"type\":\"send\",\"outcome\":\"DELIVERED\",\"endpoint\":\""
                + endpoint
                + "\",\"alerts\":[],\"droppedAlerts\":0,"
                + "\"snapshot\":{\"name\":\"bob\",\"status\":\"ready\"}}\n|");
    assertThat(serving.nextLine()).endsWith(": hi");
    assertThat(run(0, "peer", "probe", endpoint))
        .isEqualTo(endpoint + " reachable, status ready\n|");
  }

  @Test
  void sendToAPeerThatNeverConfirmsExitsFive() throws Exception {
    vertx = Vertx.vertx();
    MessageQueue received = MessageQueue.bounded();
    VertxPeerServer silent =
        VertxPeerServer.builder(vertx, "old", received).tcp(0).confirming(false).build();
    URI endpoint = silent.start().toCompletableFuture().get(WAIT.toMillis(), TimeUnit.MILLISECONDS);

    String output =
        run(
            5,
            "peer",
            "send",
            endpoint.toString(),
            "--message",
            "hi",
            "--confirm-timeout",
            "300ms");

    assertThat(output)
        .isEqualTo(
            "|tether peer send: written to "
                + endpoint
                + " but not confirmed within 300 ms; the peer may not have processed it\n");
    assertThat(received.poll(WAIT)).isPresent();
    assertThat(
            run(
                5,
                "peer",
                "send",
                endpoint.toString(),
                "--message",
                "x",
                "--json",
                "--confirm-timeout",
                "300ms"))
        .startsWith("{\"type\":\"send\",\"outcome\":\"WRITTEN_UNCONFIRMED\",")
        .contains("\"waitedMillis\":300");
  }

  @Test
  void sendToNothingExitsFourWithTheReason() {
    String endpoint = "unix://" + dir.resolve("nobody.sock");

    assertThat(run(4, "peer", "send", endpoint, "--message", "hi"))
        .startsWith("|tether peer send: not delivered to " + endpoint + ": refused: cannot open");
    assertThat(run(4, "peer", "send", endpoint, "--message", "hi", "--json"))
        .startsWith(
            "{\"type\":\"send\",\"outcome\":\"FAILED\",\"endpoint\":\""
                + endpoint
                + "\",\"error\":{\"kind\":\"REFUSED\",\"message\":\"refused: cannot open");
  }

  @Test
  void probeOfNothingExitsFour() {
    String endpoint = "unix://" + dir.resolve("nobody.sock");

    assertThat(run(4, "peer", "probe", endpoint))
        .startsWith(endpoint + " not reachable: refused: cannot open");
  }

  @Test
  void badNameEndpointAndAddressExitTwo() {
    assertThat(run(2, "peer", "serve", "--name", "../x", "--port", "0"))
        .contains("invalid pod name \"../x\"");
    assertThat(run(2, "peer", "serve", "--name", "bob")).contains("--unix", "--port");
    assertThat(run(2, "peer", "serve", "--name", "bob", "--port", "0", "--unix", "s"))
        .contains("mutually exclusive");
    assertThat(run(2, "peer", "send", "http://127.0.0.1:1/", "--message", "hi"))
        .contains("invalid endpoint \"http://127.0.0.1:1/\"");
    assertThat(run(2, "peer", "send", "unix:///x.sock")).contains("--message");
    assertThat(run(2, "peer", "probe", "tcp://127.0.0.1")).contains("invalid endpoint");
  }

  @Test
  void serveOnASocketInUseExitsFour() throws Exception {
    Path socket = dir.resolve("bob.sock");
    serving = Serving.start("peer", "serve", "--name", "bob", "--unix", socket.toString());
    serving.nextLine();

    assertThat(run(4, "peer", "serve", "--name", "bob2", "--unix", socket.toString()))
        .contains("cannot listen on " + socket, "is in use");
  }

  /** {@code tether peer serve} on its own thread; stopped by interrupting it, like Ctrl-C. */
  private static final class Serving {
    private final LinkedBlockingQueue<String> lines = new LinkedBlockingQueue<>();
    private final StringWriter err = new StringWriter();
    private final CompletableFuture<Integer> exit = new CompletableFuture<>();
    private final Thread thread;

    private Serving(String... args) {
      PrintWriter out = new PrintWriter(new LineWriter(lines), true);
      thread =
          new Thread(
              () -> exit.complete(TetherCli.run(out, new PrintWriter(err, true), args)),
              "peer-serve-test");
      thread.setDaemon(true); // a serve that ignores its interrupt must not hold the test JVM
    }

    static Serving start(String... args) {
      Serving s = new Serving(args);
      s.thread.start();
      return s;
    }

    String nextLine() throws InterruptedException {
      String line = lines.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS);
      assertThat(line).as("a line within %s; stderr: %s", WAIT, err).isNotNull();
      return line;
    }

    int stop() throws Exception {
      thread.interrupt();
      int status = exit.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
      thread.join(WAIT.toMillis());
      return status;
    }
  }

  /** Splits what is written into lines, for bounded waits on output from another thread. */
  private static final class LineWriter extends Writer {
    private final LinkedBlockingQueue<String> lines;
    private final StringBuilder current = new StringBuilder();

    LineWriter(LinkedBlockingQueue<String> lines) {
      this.lines = lines;
    }

    @Override
    public synchronized void write(char[] buf, int off, int len) {
      for (int i = off; i < off + len; i++) {
        if (buf[i] == '\n') {
          lines.add(current.toString());
          current.setLength(0);
        } else {
          current.append(buf[i]);
        }
      }
    }

    @Override
    public void flush() {}

    @Override
    public void close() {}
  }
}
