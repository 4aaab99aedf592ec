package dev.tether.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tether.machine.BackoffPolicy;
import dev.tether.process.ProcessEndpoint;
import dev.tether.process.ProcessTransport;
import dev.tether.rpc.RpcConnection;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;

/**
 * B8's Tether side: an {@link RpcConnection} on a {@link ProcessTransport} (newline-delimited JSON,
 * default options) running server-everything. Its handshake hook does what an MCP client does on
 * every start of the server ({@code initialize}, then {@code notifications/initialized}), so a
 * killed server is restarted and re-initialized by the connection itself.
 */
final class TetherMcpClient implements EchoClient {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** Asked for in {@code initialize}; server-everything supports it. */
  static final String PROTOCOL_VERSION = "2025-06-18";

  private final String mark = BenchPeers.newMark();
  private final BackoffPolicy policy;
  private final ProcessTransport transport;
  private final RpcConnection rpc;

  private TetherMcpClient(BackoffPolicy policy) {
    this.policy = policy;
    transport = ProcessTransport.create(ProcessEndpoint.of(BenchPeers.mcpServer(mark)));
    rpc =
        RpcConnection.builder()
            .transport(transport)
            .endpoint(transport.uri())
            .policy(policy)
            .requestTimeout(Duration.ofSeconds(Rigs.SETUP_TIMEOUT_SECONDS))
            .handshakeHook(
                (caller, epoch) ->
                    caller
                        .request("initialize", initializeParams())
                        .thenCompose(r -> caller.notify("notifications/initialized", null)))
            .build();
  }

  /** Starts the server and waits until it is initialized. */
  static TetherMcpClient start(BackoffPolicy policy) {
    TetherMcpClient c = new TetherMcpClient(policy);
    Rigs.startConnected(c.rpc, c);
    return c;
  }

  /** The connection, for lifecycle subscriptions. */
  RpcConnection connection() {
    return rpc;
  }

  /** The policy the connection restarts the server by. */
  BackoffPolicy policy() {
    return policy;
  }

  /**
   * The server process running now (each restart starts a new one, found by this client's mark on
   * its command line).
   *
   * @throws IllegalStateException unless exactly one is running
   */
  ProcessHandle child() {
    return BenchPeers.markedChild(mark);
  }

  private static ObjectNode initializeParams() {
    ObjectNode params = JSON.createObjectNode().put("protocolVersion", PROTOCOL_VERSION);
    params.putObject("capabilities");
    params.putObject("clientInfo").put("name", "tether-bench").put("version", "0.1.0");
    return params;
  }

  @Override
  public CompletableFuture<String> echo(String message) {
    ObjectNode params = JSON.createObjectNode().put("name", TOOL);
    params.putObject("arguments").put("message", message);
    return rpc.request("tools/call", params).thenApply(TetherMcpClient::text).toCompletableFuture();
  }

  /** All the text of a tool result's {@code content}. */
  private static String text(JsonNode toolResult) {
    StringBuilder all = new StringBuilder();
    toolResult.path("content").forEach(c -> all.append(c.path("text").asText()));
    return all.toString();
  }

  @Override
  public void close() {
    rpc.close();
    Rigs.await(rpc.terminated()); // the child is gone by then (P5)
    transport.close();
  }
}
