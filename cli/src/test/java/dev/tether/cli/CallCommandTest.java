package dev.tether.cli;

import static dev.tether.cli.CliRun.error;
import static dev.tether.cli.CliRun.json;
import static dev.tether.cli.CliRun.result;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tether.runtime.framing.FrameDecoder;
import dev.tether.runtime.framing.Framing;
import dev.tether.runtime.framing.FramingException;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetServer;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class CallCommandTest {
  private TestServer server;

  @BeforeEach
  void startServer() throws Exception {
    server = TestServer.tcp();
  }

  @AfterEach
  void stopServer() throws Exception {
    server.close();
  }

  @Test
  void printsTheResultPrettyByDefaultAndOnOneLineWithJson() throws Exception {
    String params = "{\"a\":[1,2],\"b\":\"x\"}";
    CliRun pretty = CliRun.complete(0, "call", server.endpoint(), "echo", params);
    assertThat(pretty.out.lines())
        .containsExactly("{", "  \"a\" : [ 1, 2 ],", "  \"b\" : \"x\"", "}");
    CliRun oneLine = CliRun.complete(0, "call", server.endpoint(), "echo", params, "--json");
    assertThat(oneLine.out.lines())
        .singleElement()
        .satisfies(l -> assertThat(result(l)).isEqualTo(params));
    CliRun version = CliRun.complete(0, "call", server.endpoint(), "getVersion", "--json");
    assertThat(json(version.out.lines().get(0)).get("result").get("type").asText())
        .isEqualTo("Version");
  }

  @Test
  void worksOverWebSocketsToo() throws Exception {
    try (TestServer ws = TestServer.webSocket()) {
      CliRun run = CliRun.complete(0, "call", ws.endpoint(), "echo", "[1,2,3]", "--json");
      assertThat(result(run.out.lines().get(0))).isEqualTo("[1,2,3]");
    }
  }

  @Test
  void jsonRpcErrorPrintsTheReasonAndExitsFour() throws Exception {
    CliRun run = CliRun.complete(4, "call", server.endpoint(), "noSuchMethod");
    assertThat(run.out.lines()).isEmpty();
    assertThat(run.err.toString())
        .startsWith("tether call: remote error -32601: Method not found: noSuchMethod");

    CliRun asJson = CliRun.complete(4, "call", server.endpoint(), "noSuchMethod", "--json");
    JsonNode error = error(asJson.out.lines().get(0));
    assertThat(error.get("kind").asText()).isEqualTo("REMOTE_ERROR");
    assertThat(error.get("code").asInt()).isEqualTo(-32601);
  }

  @Test
  void closedPortFailsFastWithExitFourAndTheReason() throws Exception {
    int port;
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = s.getLocalPort(); // closed again below: nobody listens there
    }
    long since = System.nanoTime();
    CliRun run = CliRun.complete(4, "call", "tcp://127.0.0.1:" + port, "getVersion", "--json");
    assertThat(Duration.ofNanos(System.nanoTime() - since)).isLessThan(Duration.ofSeconds(5));
    assertThat(run.err.toString())
        .startsWith("tether call: cannot connect to tcp://127.0.0.1:" + port + ": OPEN_FAILED")
        .contains("refused");
    JsonNode error = error(run.out.lines().get(0));
    assertThat(error.get("kind").asText())
        .as("not the request's CONNECTION_LOST")
        .isEqualTo("CONNECT_FAILED");
    assertThat(error.get("cause").get("kind").asText()).isEqualTo("OPEN_FAILED");
  }

  @Test
  void silentServerFailsWithinTheTimeoutWithExitFour() throws Exception {
    NetServer silent = server.vertx().createNetServer().connectHandler(socket -> {});
    int port = TestServer.await(silent.listen(0, "127.0.0.1").toCompletionStage()).actualPort();
    long since = System.nanoTime();
    CliRun run =
        CliRun.complete(
            4, "call", "tcp://127.0.0.1:" + port, "getVersion", "--timeout", "300ms", "--json");
    assertThat(Duration.ofNanos(System.nanoTime() - since)).isLessThan(Duration.ofSeconds(5));
    assertThat(run.err.toString()).contains("getVersion got no answer within 300 ms");
    assertThat(error(run.out.lines().get(0)).get("kind").asText()).isEqualTo("TIMEOUT");
  }

  @Test
  void connectionLostBeforeTheAnswerExitsFourAtOnce() throws Exception {
    // A peer that accepts, reads the request and hangs up without answering.
    NetServer rude =
        server.vertx().createNetServer().connectHandler(s -> s.handler(request -> s.close()));
    int port = TestServer.await(rude.listen(0, "127.0.0.1").toCompletionStage()).actualPort();
    long since = System.nanoTime();
    CliRun run = CliRun.complete(4, "call", "tcp://127.0.0.1:" + port, "getVersion", "--json");
    assertThat(Duration.ofNanos(System.nanoTime() - since)).isLessThan(Duration.ofSeconds(5));
    assertThat(run.err.toString()).startsWith("tether call: channel lost: CHANNEL_CLOSED");
    assertThat(error(run.out.lines().get(0)).get("kind").asText()).isEqualTo("CONNECTION_LOST");
  }

  @Test
  void invalidParamsAndOtherUsageErrorsExitTwo() throws Exception {
    String tcp = server.endpoint();
    assertThat(usage("call", tcp, "echo", "{not json")).contains("PARAMS_JSON is not valid JSON");
    assertThat(usage("call", tcp, "echo", "42")).contains("must be a JSON object or array");
    assertThat(usage("call", tcp)).contains("METHOD is missing");
    assertThat(usage("call", tcp, "")).contains("METHOD must not be empty");
    assertThat(usage("call", "udp://127.0.0.1:9", "echo")).contains("unsupported scheme 'udp'");
    assertThat(usage("call", tcp, "echo", "--timeout", "10")).contains("'10' is not a positive");
    assertThat(usage("call", tcp, "echo", "--dialect", "x")).contains("unknown dialect 'x'");
    assertThat(usage("call", tcp, "echo", "--envelope", "json"))
        .contains("unknown envelope 'json'");
  }

  private static String usage(String... args) throws Exception {
    CliRun run = CliRun.complete(TetherCli.EXIT_USAGE, args);
    assertThat(run.out.lines()).isEmpty();
    return run.err.toString().lines().findFirst().orElse("");
  }

  @Test
  void contentLengthFramingOnATcpSocket() throws Exception {
    // An echo server that speaks only the language server protocol's framing.
    Framing lsp = Framing.contentLength();
    NetServer server =
        this.server
            .vertx()
            .createNetServer()
            .connectHandler(
                socket -> {
                  FrameDecoder decoder = lsp.newDecoder(64 * 1024);
                  socket.handler(
                      bytes -> {
                        try {
                          decoder.feed(
                              bytes.getBytes(),
                              0,
                              bytes.length(),
                              frame -> {
                                JsonNode request = json(new String(frame, UTF_8));
                                ObjectNode answer = LifecycleJson.MAPPER.createObjectNode();
                                answer.put("jsonrpc", "2.0").set("id", request.get("id"));
                                answer.set("result", request.get("params"));
                                socket.write(
                                    Buffer.buffer(lsp.encode(answer.toString().getBytes(UTF_8))));
                              });
                        } catch (FramingException e) {
                          socket.close(); // the test then fails with the reason
                        }
                      });
                });
    int port = TestServer.await(server.listen(0, "127.0.0.1").toCompletionStage()).actualPort();
    String endpoint = "tcp://127.0.0.1:" + port;
    CliRun run =
        CliRun.complete(
            0, "call", endpoint, "echo", "[7]", "--framing", "content-length", "--json");
    assertThat(result(run.out.lines().get(0))).isEqualTo("[7]");
  }
}
