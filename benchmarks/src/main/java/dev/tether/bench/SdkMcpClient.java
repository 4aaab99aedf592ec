package dev.tether.bench;

import io.modelcontextprotocol.client.McpAsyncClient;
import io.modelcontextprotocol.client.McpClient;
import io.modelcontextprotocol.client.transport.ServerParameters;
import io.modelcontextprotocol.client.transport.StdioClientTransport;
import io.modelcontextprotocol.json.McpJsonDefaults;
import io.modelcontextprotocol.spec.McpSchema;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * B8's baseline: the official MCP Java SDK's client ({@link McpAsyncClient}; its sync client is a
 * {@code block()} on it) on its {@link StdioClientTransport}, default options, running the same
 * server-everything. The SDK does not restart a server: {@link #restart} is the code a user writes
 * for that, as plainly as the SDK allows (close the client, build a new one, initialize it).
 */
final class SdkMcpClient implements EchoClient {
  private McpAsyncClient client;
  private ProcessHandle child;

  private SdkMcpClient() {}

  /** Starts the server and waits until it is initialized. */
  static SdkMcpClient start() {
    SdkMcpClient c = new SdkMcpClient();
    c.connect();
    return c;
  }

  private void connect() {
    String mark = BenchPeers.newMark();
    List<String> argv = BenchPeers.mcpServer(mark);
    ServerParameters server =
        ServerParameters.builder(argv.get(0)).args(argv.subList(1, argv.size())).build();
    client =
        McpClient.async(new StdioClientTransport(server, McpJsonDefaults.getMapper()))
            .requestTimeout(Duration.ofSeconds(Rigs.SETUP_TIMEOUT_SECONDS))
            .clientInfo(McpSchema.Implementation.builder("sdk-bench", "0.1.0").build())
            .build();
    try {
      client.initialize().block(Duration.ofSeconds(Rigs.SETUP_TIMEOUT_SECONDS));
      child = BenchPeers.markedChild(mark);
    } catch (RuntimeException e) {
      close();
      // The server may be up without an answer: the child with this start's mark, stopped too.
      BenchPeers.marked(mark).forEach(ProcessHandle::destroyForcibly);
      throw e;
    }
  }

  /** The server process of the current client. */
  ProcessHandle child() {
    return child;
  }

  /** A user's restart after the server died: a new client on a new process, initialized. */
  void restart() {
    close();
    connect();
  }

  @Override
  public CompletableFuture<String> echo(String message) {
    McpSchema.CallToolRequest request =
        McpSchema.CallToolRequest.builder(TOOL).arguments(Map.of("message", message)).build();
    return client.callTool(request).map(SdkMcpClient::text).toFuture();
  }

  private static String text(McpSchema.CallToolResult result) {
    StringBuilder all = new StringBuilder();
    for (McpSchema.Content c : result.content()) {
      if (c instanceof McpSchema.TextContent t) {
        all.append(t.text());
      }
    }
    return all.toString();
  }

  /** Closes the client (the SDK ends its child) and makes sure the child is gone. */
  @Override
  public void close() {
    McpAsyncClient c = client;
    client = null;
    try {
      if (c != null) {
        c.closeGracefully().block(Duration.ofSeconds(Rigs.SETUP_TIMEOUT_SECONDS));
      }
    } finally {
      ProcessHandle p = child;
      child = null;
      if (p != null && p.isAlive()) {
        p.destroyForcibly();
        p.onExit().orTimeout(Rigs.SETUP_TIMEOUT_SECONDS, TimeUnit.SECONDS).join();
      }
    }
  }
}
