package dev.tether.vertx.peers;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.IntFunction;

/**
 * A third-party peer running as a separate Node process on loopback: the npm package {@code
 * rpc-websockets}, or a newline-JSON peer on Node's {@code net} module (TCP or Unix socket). The
 * scripts and their pinned {@code node_modules} live in the directory named by the system property
 * {@value #DIR_PROPERTY} (the build sets it to {@code transport-vertx/target/node-peers} and
 * installs the packages there on demand).
 *
 * <p>{@link #kill()} sends SIGKILL ({@link Process#destroyForcibly()} on Linux); {@link #start()}
 * after a kill starts a new process on the same port or socket path. Always {@link #close()} it (in
 * {@code @AfterEach}). Every wait is bounded.
 *
 * <p>Not thread-safe; drive it from the test thread.
 */
public final class NodePeer implements AutoCloseable {
  /** System property naming the directory holding the scripts and node_modules. */
  public static final String DIR_PROPERTY = "tether.nodePeers.dir";

  /** Node starts in well under a second; generous for a loaded 2-core machine. */
  public static final Duration STARTUP_TIMEOUT = Duration.ofSeconds(30);

  /** How long to wait for a killed process to be reaped. */
  public static final Duration EXIT_TIMEOUT = Duration.ofSeconds(10);

  /** Lines of output kept for diagnostics; a chatty peer must not grow memory without bound. */
  private static final int MAX_OUTPUT_LINES = 200;

  private final String script;
  private final IntFunction<List<String>> arguments;
  private final IntFunction<URI> endpoint;
  private final List<String> output = new CopyOnWriteArrayList<>();
  private int port;
  private Process process;

  private NodePeer(
      String script, int port, IntFunction<List<String>> arguments, IntFunction<URI> endpoint) {
    this.script = script;
    this.port = port;
    this.arguments = arguments;
    this.endpoint = endpoint;
  }

  /**
   * An {@code rpc-websockets} server on 127.0.0.1 (a free port at first) emitting the event {@code
   * tick} every {@code tick}; methods {@code echo}, {@code sum}, {@code slow}.
   */
  public static NodePeer rpcWebSockets(Duration tick) {
    return new NodePeer(
        "rpc-websockets-peer.js",
        0,
        p -> List.of(Integer.toString(p), Long.toString(tick.toMillis())),
        p -> URI.create("ws://127.0.0.1:" + p + "/"));
  }

  /**
   * A notification flood on the npm {@code ws} package, on 127.0.0.1 (a free port at first): to
   * every client, {@code tick} notifications with {@code {"seq": n}} as fast as TCP backpressure
   * lets it (it writes only while the socket buffers less than 1 MiB); it prints {@code FULL <n>}
   * when connection {@code n}'s buffer filled. Method {@code echo}.
   */
  public static NodePeer flood() {
    return new NodePeer(
        "flood-peer.js",
        0,
        p -> List.of(Integer.toString(p)),
        p -> URI.create("ws://127.0.0.1:" + p + "/"));
  }

  /**
   * A WebSocket JSON-RPC server on the npm {@code ws} package, on 127.0.0.1 (a free port at first),
   * that refuses members it does not know, as some protocols do: a request with any member other
   * than {@code id}, {@code method}, {@code sessionId}, {@code params} (a {@code jsonrpc} member,
   * say) gets the error response without an id {@code {"error":{"code":-32600, "message":"Message
   * has property other than 'id', 'method', 'sessionId', 'params'"}}}; any other request is
   * answered with its params as the result.
   */
  public static NodePeer strictMembers() {
    return new NodePeer(
        "strict-peer.js",
        0,
        p -> List.of(Integer.toString(p)),
        p -> URI.create("ws://127.0.0.1:" + p + "/"));
  }

  /**
   * A bidirectional JSON-RPC 2.0 server on the npm {@code json-rpc-2.0} package ({@code
   * JSONRPCServerAndClient}) over {@code ws}, on 127.0.0.1 (a free port at first), that sends
   * requests to its client: {@code ask {method, params}} sends that request and returns the
   * client's whole response ({@code {"result":…}} or {@code {"error":…}}); {@code askLater} sends
   * it and returns {@code "sent"} at once; {@code received} lists every response this process got.
   */
  public static NodePeer serving() {
    return new NodePeer(
        "serving-peer.js",
        0,
        p -> List.of(Integer.toString(p)),
        p -> URI.create("ws://127.0.0.1:" + p + "/"));
  }

  /**
   * A pub/sub server in the {@code eth_subscribe} convention on the npm {@code json-rpc-2.0}
   * library over {@code ws}, on 127.0.0.1 (a free port at first): subscription ids are random hex,
   * different in every process; each live subscription gets an event {@code {"stream", "id", "pid",
   * "seq"}} every {@code tick}; it prints {@code SUB <name> <id>} and {@code UNSUB <id> <found>}
   * (see {@link #output()}).
   */
  public static NodePeer pubsub(Duration tick) {
    return new NodePeer(
        "pubsub-peer.js",
        0,
        p -> List.of(Integer.toString(p), Long.toString(tick.toMillis())),
        p -> URI.create("ws://127.0.0.1:" + p + "/"));
  }

  /** A newline-JSON {@code vm-service} peer on Node's net module, TCP on 127.0.0.1. */
  public static NodePeer netTcp(Duration tick) {
    return new NodePeer(
        "net-peer.js",
        0,
        p -> List.of("tcp", Integer.toString(p), Long.toString(tick.toMillis())),
        p -> URI.create("tcp://127.0.0.1:" + p));
  }

  /**
   * A newline-JSON {@code vm-service} peer on Node's net module, on the Unix socket {@code path}.
   */
  public static NodePeer netUnix(Path socket, Duration tick) {
    String path = socket.toAbsolutePath().toString();
    return new NodePeer(
        "net-peer.js",
        0,
        p -> List.of("unix", path, Long.toString(tick.toMillis())),
        p -> URI.create("unix://" + path));
  }

  /**
   * A peer endpoint protocol server on Node's net module, TCP on 127.0.0.1, as pod {@code name}: it
   * consents to {@code peer.register} from exactly {@code accepted} and prints {@code GOT METHOD
   * SOURCE} for every request (see {@link #output()}).
   */
  public static NodePeer consent(String name, List<String> accepted) {
    return new NodePeer(
        "consent-peer.js",
        0,
        p -> {
          List<String> args = new ArrayList<>(List.of(Integer.toString(p), name));
          args.addAll(accepted);
          return args;
        },
        p -> URI.create("tcp://127.0.0.1:" + p));
  }

  /**
   * The peer named {@code kind}: {@code rpc-websockets}, {@code net-tcp}, or {@code net-unix} (on
   * the socket {@code unixSocket}).
   */
  public static NodePeer of(String kind, Path unixSocket, Duration tick) {
    return switch (kind) {
      case "rpc-websockets" -> rpcWebSockets(tick);
      case "net-tcp" -> netTcp(tick);
      case "net-unix" -> netUnix(unixSocket, tick);
      default -> throw new IllegalArgumentException("unknown peer kind " + kind);
    };
  }

  /**
   * A policy for SIGKILL-and-restart tests: quick retries (50 ms doubling to 500 ms) and 16
   * attempts, room for a slow Node start on a loaded machine, so the peer's restart is always in
   * time while its final death still ends the connection within seconds.
   */
  public static dev.tether.machine.BackoffPolicy restartPolicy() {
    return dev.tether.machine.BackoffPolicy.builder()
        .exponential(Duration.ofMillis(50), 2.0, Duration.ofMillis(500))
        .maxAttempts(16)
        .connectTimeout(Duration.ofSeconds(5))
        .build();
  }

  /**
   * The directory with the scripts and node_modules.
   *
   * @throws IllegalStateException with instructions if the packages are not installed
   */
  public static Path directory() {
    String dir = System.getProperty(DIR_PROPERTY);
    if (dir == null) {
      throw new IllegalStateException(
          "system property " + DIR_PROPERTY + " is not set; run the tests through Maven");
    }
    Path p = Path.of(dir);
    if (!Files.isRegularFile(p.resolve("node_modules/rpc-websockets/package.json"))) {
      throw new IllegalStateException(
          "Node peers are not installed in "
              + p
              + "; run `mvn -B verify -pl transport-vertx -am` (it runs `npm ci` there)");
    }
    return p;
  }

  /**
   * Starts the process and waits until it listens.
   *
   * @throws IllegalStateException if it is already running, or does not report readiness in time
   */
  public NodePeer start() throws IOException, InterruptedException {
    if (alive()) {
      throw new IllegalStateException("already running: " + this);
    }
    Path dir = directory();
    List<String> command = new ArrayList<>();
    command.add("node");
    command.add(dir.resolve(script).toString());
    command.addAll(arguments.apply(port));
    ProcessBuilder pb =
        new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true);
    process = pb.start();
    CompletableFuture<String> ready = new CompletableFuture<>();
    Thread reader = new Thread(() -> pump(process, ready), "node-peer-" + script);
    reader.setDaemon(true);
    reader.start();
    String readyLine;
    try {
      readyLine = ready.get(STARTUP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (ExecutionException | TimeoutException e) {
      kill();
      throw new IllegalStateException(
          "node "
              + script
              + " did not become ready within "
              + STARTUP_TIMEOUT
              + "; output: "
              + output,
          e);
    }
    String where = readyLine.substring("READY ".length()).trim();
    if (port == 0 && where.matches("\\d+")) {
      port = Integer.parseInt(where);
    }
    return this;
  }

  /** Kills the process with SIGKILL and waits until it is gone. Idempotent. */
  public void kill() throws InterruptedException {
    if (process == null) {
      return;
    }
    process.destroyForcibly();
    if (!process.waitFor(EXIT_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
      throw new IllegalStateException("node process " + process.pid() + " survived SIGKILL");
    }
  }

  /** Whether the process is running. */
  public boolean alive() {
    return process != null && process.isAlive();
  }

  /** The process id of the current (or last) process. */
  public long pid() {
    return Objects.requireNonNull(process, "never started").pid();
  }

  /** Where clients connect; the port is fixed after the first start. */
  public URI endpoint() {
    return endpoint.apply(port);
  }

  /** The last lines the process printed, for diagnostics. */
  public List<String> output() {
    return List.copyOf(output);
  }

  /** Kills the process if it runs (SIGKILL is sent even when interrupted). */
  @Override
  public void close() {
    try {
      kill();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public String toString() {
    return "NodePeer["
        + script
        + " "
        + (port == 0 ? "" : endpoint())
        + (alive() ? " running]" : "]");
  }

  private void pump(Process p, CompletableFuture<String> ready) {
    try (BufferedReader in =
        new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
      String line;
      while ((line = in.readLine()) != null) {
        if (output.size() >= MAX_OUTPUT_LINES) {
          output.remove(0);
        }
        output.add(line);
        if (line.startsWith("READY ")) {
          ready.complete(line);
        }
      }
      ready.completeExceptionally(new IOException("node exited with output " + output));
    } catch (IOException e) {
      ready.completeExceptionally(new UncheckedIOException(e));
    }
  }
}
