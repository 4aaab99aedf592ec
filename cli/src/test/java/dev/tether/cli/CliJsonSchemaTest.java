package dev.tether.cli;

import static dev.tether.cli.CliRun.WAIT;
import static dev.tether.cli.CliRun.isEvent;
import static dev.tether.cli.CliRun.isLifecycle;
import static dev.tether.cli.CliRun.json;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.networknt.schema.Error;
import com.networknt.schema.InputFormat;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import dev.tether.vertx.peer.MessageQueue;
import dev.tether.vertx.peer.VertxPeerServer;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every command's {@code --json} output, line by line, against the one schema ({@code
 * docs/json-schema.json}, described in {@code docs/json.md}): a field the schema does not name, a
 * required field missing, a {@code null} or a wrong casing fails. The commands run as a user runs
 * them, against servers on 127.0.0.1 and Unix sockets; together they print every line type the
 * schema defines, and the test checks that too, so that the schema holds no type nobody prints.
 */
@Timeout(value = 300, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class CliJsonSchemaTest {
  /** Where the schema lives, from the cli module's directory (the tests' working directory). */
  static final Path SCHEMA_FILE = Path.of("..", "docs", "json-schema.json");

  static final Schema SCHEMA = load();

  @TempDir Path dir;

  private final List<String> lines = new ArrayList<>();

  private static Schema load() {
    try {
      return SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12)
          .getSchema(Files.readString(SCHEMA_FILE, StandardCharsets.UTF_8), InputFormat.JSON);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  /** The schema's errors for {@code line}; empty if it is valid. */
  static List<Error> errors(String line) {
    return SCHEMA.validate(line, InputFormat.JSON);
  }

  @Test
  void everyCommandsJsonLinesMatchTheOneSchema() throws Exception {
    demos();
    watch();
    call();
    serve();
    peer();
    simulate();

    assertThat(lines).isNotEmpty();
    Set<String> seen = new TreeSet<>();
    for (String line : lines) {
      assertThat(errors(line)).as("schema errors of %s", line).isEmpty();
      seen.add(json(line).get("type").asText());
    }
    assertThat(seen).as("line types printed").isEqualTo(schemaTypes());
  }

  @Test
  void theSchemaRefusesAnUnknownFieldAMissingOneANullAndAnotherCasing() {
    String good = "{\"type\":\"stopped\",\"t\":5}";
    assertThat(errors(good)).isEmpty();
    assertThat(errors("{\"type\":\"stopped\",\"t\":5,\"extra\":1}")).isNotEmpty();
    assertThat(errors("{\"type\":\"stopped\"}")).isNotEmpty();
    assertThat(
            errors(
                "{\"type\":\"lifecycle\",\"event\":\"Connected\",\"state\":\"Connected\","
                    + "\"epoch\":1,\"endpoint\":null,\"t\":3}"))
        .isNotEmpty();
    assertThat(
            errors(
                "{\"type\":\"send\",\"outcome\":\"written-unconfirmed\",\"endpoint\":\"tcp://x:1\","
                    + "\"waitedMillis\":5,\"alerts\":[],\"droppedAlerts\":0,\"snapshot\":{}}"))
        .isNotEmpty();
  }

  /** The {@code type} of every line the schema defines. */
  private static Set<String> schemaTypes() throws IOException {
    JsonNode schema = json(Files.readString(SCHEMA_FILE, StandardCharsets.UTF_8));
    Set<String> types = new TreeSet<>();
    schema
        .get("$defs")
        .forEach(
            def -> {
              JsonNode branch = def.has("oneOf") ? def.get("oneOf").get(0) : def;
              JsonNode type = branch.path("properties").path("type").path("const");
              if (type.isTextual()) {
                types.add(type.asText());
              }
            });
    return types;
  }

  // ---------------------------------------------------------------- the commands

  private void demos() {
    record("demo", "--in-memory", "--json");
    record("demo", "--sessions", "3", "--json");
    record("demo", "--metrics", "--json");
  }

  private void watch() throws Exception {
    try (TestServer server = TestServer.webSocket()) {
      String[] fast = {"--initial-delay", "20ms", "--max-delay", "50ms", "--json"};
      try (CliRun run =
          CliRun.start(with("watch", server.endpoint(), "--stream", "Isolate", fast))) {
        int at = run.out.await(0, l -> isEvent(l, "Isolate"), WAIT, "an Isolate event");
        server.stop();
        at = run.out.await(at, l -> isLifecycle(l, "Reconnecting"), WAIT, "Reconnecting");
        server.start();
        run.out.await(at, l -> isLifecycle(l, "Reconnected"), WAIT, "Reconnected");
        run.interrupt();
        assertThat(run.awaitExit(WAIT)).isZero();
        lines.addAll(run.out.lines());
      }
      try (CliRun run =
          CliRun.start(
              "watch",
              server.endpoint(),
              "--dialect",
              "rpc-websockets",
              "--stream",
              "X",
              "--json")) {
        run.out.await(0, l -> json(l).path("type").asText().equals("warning"), WAIT, "a warning");
        run.interrupt();
        assertThat(run.awaitExit(WAIT)).isZero();
        lines.addAll(run.out.lines());
      }
    }
    String closed = "tcp://127.0.0.1:" + closedPort();
    record(3, with("watch", closed, "--max-attempts", "2", "--initial-delay", "20ms", "--json"));
  }

  private void call() throws Exception {
    try (TestServer server = TestServer.tcp()) {
      record("call", server.endpoint(), "echo", "[1]", "--json");
      record(4, "call", server.endpoint(), "nope", "--json");
    }
    String closed = "tcp://127.0.0.1:" + closedPort();
    record(4, "call", closed, "getVersion", "--json");
  }

  private void serve() throws Exception {
    try (CliRun run = CliRun.start("serve", "--port", "0", "--tcp", "--json")) {
      run.out.await(0, l -> l.contains("\"listening\""), WAIT, "listening");
      run.interrupt();
      assertThat(run.awaitExit(WAIT)).isZero();
      lines.addAll(run.out.lines());
    }
  }

  private void peer() throws Exception {
    String store = dir.resolve("pods").toString();
    CliRun.complete(0, "peer", "add", "--store", store, "ann");
    CliRun.complete(0, "peer", "add", "--store", store, "bob");
    record("peer", "list", "--store", store, "ann", "--json");
    Path socket = dir.resolve("bob.sock");
    String endpoint = "unix://" + socket;
    // No --store for bob: register --consent holds the store while it asks bob for consent.
    try (CliRun serving =
        CliRun.start(
            "peer",
            "serve",
            "--name",
            "bob",
            "--unix",
            socket.toString(),
            "--accept",
            "ann",
            "--json")) {
      serving.out.await(0, l -> l.contains("\"listening\""), WAIT, "listening");
      record("peer", "send", endpoint, "--message", "hi", "--json");
      record("peer", "probe", endpoint, "--json");
      CliRun.complete(
          0,
          "peer",
          "register",
          "--store",
          store,
          "ann",
          "bob",
          "--consent",
          "--endpoint",
          endpoint);
      serving.out.await(0, l -> l.contains("\"consent\""), WAIT, "the consent line");
      serving.interrupt();
      assertThat(serving.awaitExit(WAIT)).isZero();
      lines.addAll(serving.out.lines());
    }
    String nobody = "unix://" + dir.resolve("nobody.sock");
    record(4, "peer", "send", nobody, "--message", "hi", "--json");
    record(4, "peer", "probe", nobody, "--json");
    Vertx vertx = Vertx.vertx();
    try {
      VertxPeerServer silent =
          VertxPeerServer.builder(vertx, "old", MessageQueue.bounded())
              .tcp(0)
              .confirming(false)
              .build();
      URI old = silent.start().toCompletableFuture().get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
      record(
          5,
          "peer",
          "send",
          old.toString(),
          "--message",
          "x",
          "--confirm-timeout",
          "100ms",
          "--json");
    } finally {
      PeerCommand.closeVertx(vertx);
    }
  }

  private void simulate() throws IOException {
    String[] small = {"--sessions", "3", "--duration", "10m"};
    record(with("simulate", "--seed", "1", small, "--json"));
    record(with("simulate", "--seed", "1", small, "--handshakes", "--rpc-every", "2", "--json"));
    record(with("simulate", "--seeds", "1..2", small, "--handshakes", "3s", "--rpc-every", "2"));
    SimulateCommandTest.Outcome failing =
        SimulateCommandTest.runWithLostTerminalEvents(
            SimulateCommandTest.with(SimulateCommandTest.OUTAGES, "--json"));
    assertThat(failing.exit()).isEqualTo(SimulateCommand.EXIT_VIOLATION);
    lines.addAll(failing.out().strip().lines().toList());
    Path passed = dir.resolve("passed.json");
    Path failed = dir.resolve("failed.json");
    // Two shards of one sweep: seeds 4..6 pass; 7..9 run with the planted bug, and some fail.
    String[] sweepOf = SimulateCommandTest.with(SweepTest.OUTAGES_SWEEP, "--seeds", "4..9");
    Files.writeString(passed, DemoCommandTest.run(0, with("simulate", sweepOf, "--shard", "1/2")));
    SimulateCommandTest.Outcome sweep =
        SimulateCommandTest.runWithLostTerminalEvents(
            SimulateCommandTest.with(sweepOf, "--shard", "2/2"));
    assertThat(sweep.exit()).as(sweep.err()).isEqualTo(SimulateCommand.EXIT_VIOLATION);
    Files.writeString(failed, sweep.out());
    lines.addAll(Files.readAllLines(passed));
    lines.addAll(Files.readAllLines(failed));
    record(
        SimulateCommand.EXIT_VIOLATION,
        "simulate",
        "--merge",
        passed.toString(),
        failed.toString(),
        "--json");
  }

  // ---------------------------------------------------------------- helpers

  /** Runs a command that exits 0 and keeps its lines. */
  private void record(String... args) {
    record(0, args);
  }

  /** Runs a command, checks its exit status and keeps its lines. */
  private void record(int exit, String... args) {
    DemoCommandTest.run(exit, args).lines().forEach(lines::add);
  }

  /** {@code args} flattened: strings and string arrays, in order. */
  private static String[] with(Object... args) {
    List<String> all = new ArrayList<>();
    for (Object a : args) {
      if (a instanceof String[] many) {
        all.addAll(List.of(many));
      } else {
        all.add((String) a);
      }
    }
    return all.toArray(String[]::new);
  }

  /** A port of 127.0.0.1 where nobody listens. */
  private static int closedPort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }
}
