package dev.tether.model;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import dev.tether.machine.BackoffPolicy;
import dev.tether.machine.LifecycleEvent;
import dev.tether.runtime.Connection;
import dev.tether.runtime.spi.Channel;
import dev.tether.runtime.spi.EndpointResolver;
import dev.tether.runtime.spi.Transport;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Keeps the example of endpoints that move in docs/connections.md honest. */
class EndpointsDocExampleTest {

  // example:endpoints:begin
  /** A local daemon writes where it listens to a file when it starts: follow it across restarts. */
  static Connection followDaemon(Transport transport, Path endpointFile) {
    Connection connection =
        Connection.builder()
            .transport(transport)
            .endpointResolver(EndpointResolver.fromFile(endpointFile)) // read before every attempt
            .build();
    connection.subscribe(
        event -> {
          if (event instanceof LifecycleEvent.Reconnected back) {
            System.err.println("back at " + back.endpoint().orElseThrow()); // no token, no password
          }
        });
    connection.start();
    return connection;
  }

  /** Three replicas: each attempt takes the next; maxAttempts counts attempts, not rounds. */
  static Connection failover(Transport transport) {
    return Connection.builder()
        .transport(transport)
        .endpointResolver(
            EndpointResolver.list(
                List.of(
                    URI.create("ws://10.0.0.1:8181/ws"),
                    URI.create("ws://10.0.0.2:8181/ws"),
                    URI.create("ws://10.0.0.3:8181/ws"))))
        .policy(BackoffPolicy.builder().maxAttempts(9).build()) // three rounds
        .build();
  }

  /** A discovery endpoint answers with the WebSocket URL, which changes when the app restarts. */
  static EndpointResolver discovered(HttpClient http, URI discovery) {
    return attempt ->
        http.sendAsync(HttpRequest.newBuilder(discovery).build(), BodyHandlers.ofString())
            .thenApply(response -> URI.create(response.body().strip()));
  }

  // example:endpoints:end

  @TempDir Path dir;

  /**
   * Records the endpoint of every open; never completes it, or (refusing) fails it at once, so the
   * connection moves on to its next attempt after the backoff delay.
   */
  static final class Recording implements Transport {
    final LinkedBlockingQueue<URI> opened = new LinkedBlockingQueue<>();
    final boolean refusing;

    Recording() {
      this(false);
    }

    Recording(boolean refusing) {
      this.refusing = refusing;
    }

    @Override
    public CompletableFuture<Channel> open(URI endpoint, dev.tether.runtime.spi.ChannelListener l) {
      opened.add(endpoint);
      return refusing
          ? CompletableFuture.failedFuture(new IOException("connection refused: " + endpoint))
          : new CompletableFuture<>();
    }

    /** The next endpoint opened, waiting a bounded time; null if none came. */
    URI next() throws InterruptedException {
      return opened.poll(5, TimeUnit.SECONDS);
    }
  }

  @Test
  void followDaemonOpensWhatTheFileSays() throws Exception {
    Path file = dir.resolve("daemon.endpoint");
    Files.writeString(file, "ws://127.0.0.1:4711/ws?token=abc\n", StandardCharsets.UTF_8);
    Recording transport = new Recording();
    Connection c = followDaemon(transport, file);
    try {
      assertThat(transport.opened.poll(5, TimeUnit.SECONDS))
          .isEqualTo(URI.create("ws://127.0.0.1:4711/ws?token=abc"));
    } finally {
      c.close("test over");
    }
  }

  /** "read before every attempt": once the daemon has rewritten the file, attempts go there. */
  @Test
  void followDaemonReadsTheFileBeforeEveryAttempt() throws Exception {
    Path file = dir.resolve("daemon.endpoint");
    Files.writeString(file, "ws://127.0.0.1:4711/ws\n", StandardCharsets.UTF_8);
    Recording transport = new Recording(true);
    Connection c = followDaemon(transport, file);
    try {
      assertThat(transport.next()).isEqualTo(URI.create("ws://127.0.0.1:4711/ws"));
      Files.writeString(file, "ws://127.0.0.1:4712/ws\n", StandardCharsets.UTF_8);
      URI moved = URI.create("ws://127.0.0.1:4712/ws");
      URI opened = transport.next();
      // Attempts already under way may still have read the old file; a bounded number of them.
      for (int i = 0; i < 3 && opened != null && !opened.equals(moved); i++) {
        opened = transport.next();
      }
      assertThat(opened).as("an attempt after the rewrite").isEqualTo(moved);
    } finally {
      c.close("test over");
    }
  }

  /** "each attempt takes the next": the replicas in order, then round again. */
  @Test
  void failoverTakesTheNextReplicaOnEachAttempt() throws Exception {
    Recording transport = new Recording(true);
    Connection c = failover(transport);
    c.start();
    try {
      List<URI> opened = new ArrayList<>();
      for (int i = 0; i < 4; i++) {
        opened.add(transport.next());
      }
      assertThat(opened)
          .containsExactly(
              URI.create("ws://10.0.0.1:8181/ws"),
              URI.create("ws://10.0.0.2:8181/ws"),
              URI.create("ws://10.0.0.3:8181/ws"),
              URI.create("ws://10.0.0.1:8181/ws"));
    } finally {
      c.close("test over");
    }
  }

  @Test
  void failoverStartsAtTheFirstReplica() throws Exception {
    Recording transport = new Recording();
    Connection c = failover(transport);
    c.start();
    try {
      assertThat(transport.opened.poll(5, TimeUnit.SECONDS))
          .isEqualTo(URI.create("ws://10.0.0.1:8181/ws"));
    } finally {
      c.close("test over");
    }
  }

  @Test
  void discoveredAsksTheDiscoveryEndpoint() throws Exception {
    HttpServer server =
        HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext(
        "/json/version",
        exchange -> {
          byte[] body =
              "ws://127.0.0.1:9222/devtools/browser/1234\n".getBytes(StandardCharsets.UTF_8);
          exchange.sendResponseHeaders(200, body.length);
          exchange.getResponseBody().write(body);
          exchange.close();
        });
    server.start();
    try {
      URI discovery = URI.create("http://" + hostPort(server) + "/json/version");
      URI found =
          discovered(HttpClient.newHttpClient(), discovery)
              .resolve(new EndpointResolver.ResolveContext("t", 1, false))
              .toCompletableFuture()
              .get(5, TimeUnit.SECONDS);
      assertThat(found).isEqualTo(URI.create("ws://127.0.0.1:9222/devtools/browser/1234"));
    } finally {
      server.stop(0);
    }
  }

  private static String hostPort(HttpServer server) {
    InetSocketAddress a = server.getAddress();
    String host = a.getAddress().getHostAddress();
    return (host.contains(":") ? "[" + host + "]" : host) + ":" + a.getPort();
  }
}
