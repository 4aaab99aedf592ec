package dev.tether.bench;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.vertx.core.Vertx;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketConnectOptions;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Both hosts of B7's server do what the storm relies on: answer {@code listen} once bound, count
 * the connection and its WebSocket upgrade, and end every connection when killed. The smoke pass
 * runs B7 in process; this keeps the child-JVM host of the quick and full profiles from rotting.
 */
class StormHostTest {
  /** Bound on each wait of these tests: loopback connects take milliseconds. */
  private static final long WAIT_SECONDS = 30;

  private Vertx vertx;
  private WebSocketClient client;

  @BeforeEach
  void client() {
    vertx = Rigs.singleLoop();
    client = vertx.createWebSocketClient();
  }

  @AfterEach
  void closeClient() {
    Rigs.await(vertx.close());
  }

  @Test
  void inProcessHostCountsTheUpgradeAndItsKillClosesTheSocket() throws Exception {
    try (StormHost host = StormHost.inProcess()) {
      listenCountAndKill(host);
    }
  }

  @Test
  void childHostCountsTheUpgradeAndItsKillClosesTheSocketAndLeavesNoChild() throws Exception {
    Set<Long> before = liveChildren();
    try (StormHost host = StormHost.child(false)) {
      listenCountAndKill(host);
    }
    Set<Long> left = liveChildren();
    left.removeAll(before);
    assertThat(left).as("children of this JVM left by the host").isEmpty();
  }

  /**
   * The server counts a connection when it accepts it, not when the client's first bytes arrive:
   * with Vert.x's default HTTP/2 cleartext detection the connection handler waited for the upgrade
   * request, so a client whose event loops were a second behind made the returning server look as
   * if it accepted nothing for that second (B7, run E: first accept 1.1-1.7 s after the bind).
   */
  @Test
  void serverCountsAConnectionThatHasSentNothingYet() throws Exception {
    try (StormHost host = StormHost.inProcess();
        Socket silent = new Socket()) {
      host.listen(0);
      silent.connect(
          new InetSocketAddress(InetAddress.getLoopbackAddress(), host.endpoint().getPort()));
      JsonNode stats = statsOnceCounted(host, "accepted");
      assertThat(stats.path("accepted").asInt()).as("connections accepted").isEqualTo(1);
      assertThat(stats.path("upgraded").asInt()).as("upgrades").isZero();
    }
  }

  /** The warm-up's connections go to a server of their own: the storm's server counts none. */
  @Test
  void warmUpConnectsThroughAServerOfItsOwnAndCountsNothing() {
    Vertx serverVertx = Rigs.singleLoop();
    try {
      StormServer server = new StormServer(serverVertx);
      server.warmUp(2);
      server.listen(0);
      JsonNode stats = server.stats();
      assertThat(stats.path("warmUpConnections").asInt()).isEqualTo(2);
      assertThat(stats.path("accepted").asInt()).isZero();
      assertThat(stats.path("upgraded").asInt()).isZero();
    } finally {
      Rigs.await(serverVertx.close());
    }
  }

  /**
   * The backlog reported is the kernel's cap whole, at least Linux's smallest default of 128 where
   * it is known (a read of the sysctl file from a non-zero offset gave "4" of 4096).
   */
  @Test
  void backlogReadFromProcIsNotItsFirstDigit() {
    int backlog = StormServer.effectiveBacklog();
    if (backlog != -1) {
      assertThat(backlog).isBetween(128, StormServer.ACCEPT_BACKLOG);
    }
  }

  private void listenCountAndKill(StormHost host) throws Exception {
    long bound = host.listen(0);
    assertThat(bound).as("bound, on this JVM's clock").isLessThanOrEqualTo(System.nanoTime());
    URI endpoint = host.endpoint();
    WebSocket ws =
        Rigs.await(
            client.connect(
                new WebSocketConnectOptions()
                    .setHost(endpoint.getHost())
                    .setPort(endpoint.getPort())
                    .setURI(endpoint.getPath())));
    CompletableFuture<Void> closed = new CompletableFuture<>();
    ws.closeHandler(v -> closed.complete(null));

    // The client may see its upgrade answered before the server's handler has counted it.
    JsonNode stats = statsOnceCounted(host, "upgraded");
    assertThat(stats.path("accepted").asInt()).as("connections accepted").isEqualTo(1);
    assertThat(stats.path("upgraded").asInt()).as("upgrades").isEqualTo(1);
    assertThat(stats.path("firstAcceptedMillis").asDouble()).isNotNegative();
    assertThat(stats.path("firstUpgradedMillis").asDouble())
        .isGreaterThanOrEqualTo(stats.path("firstAcceptedMillis").asDouble());

    host.kill();
    closed.get(WAIT_SECONDS, TimeUnit.SECONDS);
  }

  /** The host's stats once {@code count} is at least 1, or after {@link #WAIT_SECONDS}. */
  private static JsonNode statsOnceCounted(StormHost host, String count) {
    JsonNode stats = host.stats();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_SECONDS);
    while (stats.path(count).asInt() < 1 && System.nanoTime() < deadline) {
      Thread.onSpinWait();
      stats = host.stats();
    }
    return stats;
  }

  private static Set<Long> liveChildren() {
    return ProcessHandle.current()
        .children()
        .filter(ProcessHandle::isAlive)
        .map(ProcessHandle::pid)
        .collect(Collectors.toSet());
  }
}
