package dev.tether.vertx.peer;

import static dev.tether.vertx.Loopback.WAIT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tether.peer.ConnectTraffic;
import dev.tether.peer.FileMetadataStore;
import dev.tether.peer.PeerClient;
import dev.tether.peer.PeerRegistry;
import dev.tether.peer.ProbeResult;
import dev.tether.peer.SendOptions;
import dev.tether.peer.SendOutcome;
import dev.tether.vertx.Rig;
import io.vertx.core.Vertx;
import java.net.StandardProtocolFamily;
import java.net.URI;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link VertxPeerServer} over real sockets (127.0.0.1 and Unix sockets), driven by {@link
 * PeerClient} over the Vert.x transport and by a bare line client for protocol details.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class VertxPeerServerTest {
  @TempDir Path dir;

  private final Rig rig = new Rig();
  private final Vertx vertx = rig.vertx();
  private final MessageQueue queue = MessageQueue.bounded();
  private final List<VertxPeerServer> servers = new ArrayList<>();
  private final List<RawLineClient> clients = new ArrayList<>();

  @AfterEach
  void tearDown() throws Exception {
    for (RawLineClient c : clients) {
      c.close();
    }
    servers.forEach(VertxPeerServer::close);
    rig.close();
  }

  @Test
  void deliversOverUnixSocketAfterAlertsAndSnapshot() throws Exception {
    PeerRegistry registry = PeerRegistry.open(FileMetadataStore.open(dir.resolve("store")));
    registry.add("ann");
    registry.add("bob");
    registry.register("ann", "bob");
    VertxPeerServer server =
        started(
            builder("ann", queue).unix(dir.resolve("ann.sock")).registry(registry).status("busy"));
    server.alert("{\"n\":1}");
    server.alert("{\"n\":2}");
    server.alert("{\"n\":3}");

    SendOutcome outcome = send(server.endpoint(), "build finished", SendOptions.defaults());

    assertThat(outcome).isInstanceOf(SendOutcome.Delivered.class);
    ConnectTraffic traffic = ((SendOutcome.Delivered) outcome).traffic();
    assertThat(traffic.alerts()).containsExactly("{\"n\":1}", "{\"n\":2}", "{\"n\":3}");
    assertThat(traffic.snapshot())
        .isEqualTo("{\"name\":\"ann\",\"status\":\"busy\",\"peers\":[\"bob\"]}");
    PeerMessage received = queue.poll(WAIT).orElseThrow();
    assertThat(received.message()).isEqualTo("build finished");
  }

  @Test
  void deliversOverTcpOnLoopback() throws Exception {
    VertxPeerServer server = started(builder("bob", queue).tcp(0));
    assertThat(server.endpoint().toString()).startsWith("tcp://127.0.0.1:");

    SendOutcome outcome = send(server.endpoint(), "hi", SendOptions.defaults());

    assertThat(outcome).isInstanceOf(SendOutcome.Delivered.class);
    assertThat(((SendOutcome.Delivered) outcome).traffic().snapshot())
        .isEqualTo("{\"name\":\"bob\",\"status\":\"idle\"}");
    assertThat(queue.poll(WAIT).map(PeerMessage::message)).contains("hi");
  }

  @Test
  void rejectingHandlerYieldsRejectedWithCodeAndMessage() throws Exception {
    VertxPeerServer server =
        started(
            builder("bob", m -> Verdict.reject("busy", "try in 5 s")).unix(dir.resolve("b.sock")));

    assertThat(send(server.endpoint(), "hi", SendOptions.defaults()))
        .isEqualTo(new SendOutcome.Rejected("busy", "try in 5 s"));
  }

  @Test
  void throwingHandlerYieldsHandlerFailed() throws Exception {
    NotifyHandler broken =
        m -> {
          throw new IllegalStateException("disk full");
        };
    VertxPeerServer server = started(builder("bob", broken).tcp(0));

    assertThat(send(server.endpoint(), "hi", SendOptions.defaults()))
        .isEqualTo(new SendOutcome.Rejected(VertxPeerServer.CODE_HANDLER_FAILED, "disk full"));
  }

  @Test
  void fullQueueRejectsInsteadOfDropping() throws Exception {
    MessageQueue one = MessageQueue.bounded(1);
    VertxPeerServer server = started(builder("bob", one).tcp(0));

    assertThat(send(server.endpoint(), "first", SendOptions.defaults()))
        .isInstanceOf(SendOutcome.Delivered.class);
    assertThat(send(server.endpoint(), "second", SendOptions.defaults()))
        .isInstanceOf(SendOutcome.Rejected.class)
        .extracting(o -> ((SendOutcome.Rejected) o).code())
        .isEqualTo(MessageQueue.CODE_QUEUE_FULL);
    assertThat(one.poll(WAIT).map(PeerMessage::message)).contains("first");
  }

  @Test
  void silentServerYieldsWrittenUnconfirmedButGetsTheMessage() throws Exception {
    VertxPeerServer server =
        started(builder("old", queue).unix(dir.resolve("old.sock")).confirming(false));

    SendOutcome outcome =
        send(
            server.endpoint(),
            "hi",
            SendOptions.defaults().withConfirmTimeout(Duration.ofMillis(300)));

    assertThat(outcome).isInstanceOf(SendOutcome.WrittenUnconfirmed.class);
    assertThat(queue.poll(WAIT).map(PeerMessage::message)).contains("hi");
  }

  @Test
  void probeReportsReachableWithStatusOnBothKinds() throws Exception {
    VertxPeerServer unix =
        started(builder("ann", queue).unix(dir.resolve("ann.sock")).status("busy"));
    VertxPeerServer tcp = started(builder("bob", queue).tcp(0));
    tcp.status("draining");

    assertThat(probe(unix.endpoint())).isEqualTo(new ProbeResult(true, Optional.of("busy"), ""));
    assertThat(probe(tcp.endpoint())).isEqualTo(new ProbeResult(true, Optional.of("draining"), ""));
    assertThat(queue.size()).isZero();
  }

  @Test
  void probeOfMissingSocketIsUnreachableQuickly() throws Exception {
    long since = System.nanoTime();
    ProbeResult result = probe(URI.create("unix://" + dir.resolve("nobody.sock")));
    Duration took = Duration.ofNanos(System.nanoTime() - since);

    assertThat(result.reachable()).isFalse();
    assertThat(result.detail()).startsWith("refused:");
    assertThat(took).isLessThan(PeerClient.DEFAULT_PROBE_TIMEOUT);
  }

  @Test
  void twoMebibyteSnapshotIsDrainedBeforeTheNotify() throws Exception {
    String blob = "x".repeat(2 * 1024 * 1024);
    VertxPeerServer server =
        started(
            builder("big", queue)
                .unix(dir.resolve("big.sock"))
                .details(() -> "{\"blob\":\"" + blob + "\"}"));

    SendOutcome outcome = send(server.endpoint(), "hi", SendOptions.defaults());

    assertThat(outcome).isInstanceOf(SendOutcome.Delivered.class);
    String snapshot = ((SendOutcome.Delivered) outcome).traffic().snapshot();
    assertThat(snapshot.length()).isGreaterThan(blob.length());
    assertThat(snapshot).contains("\"details\":{\"blob\":\"xxx");
  }

  @Test
  void failingDetailsCloseTheConnectionBeforeAnySnapshot() throws Exception {
    VertxPeerServer server =
        started(
            builder("ann", queue)
                .tcp(0)
                .details(
                    () -> {
                      throw new IllegalStateException("no details today");
                    }));
    server.alert("{\"n\":1}");

    SendOutcome outcome = send(server.endpoint(), "hi", SendOptions.defaults());

    assertThat(outcome).isInstanceOf(SendOutcome.ClosedBeforeSnapshot.class);
    assertThat(((SendOutcome.ClosedBeforeSnapshot) outcome).alertsRead()).isEqualTo(1);
    assertThat(queue.size()).isZero();
  }

  @Test
  void alertBufferKeepsTheNewestAndCountsDropped() throws Exception {
    VertxPeerServer server = started(builder("ann", queue).tcp(0).maxBufferedAlerts(2));
    for (int n = 1; n <= 5; n++) {
      server.alert("{\"n\":" + n + "}");
    }

    SendOutcome outcome = send(server.endpoint(), "hi", SendOptions.defaults());

    assertThat(((SendOutcome.Delivered) outcome).traffic().alerts())
        .containsExactly("{\"n\":4}", "{\"n\":5}");
    assertThat(server.droppedAlerts()).isEqualTo(3);
    assertThat(server.bufferedAlerts()).isEqualTo(2);
    server.clearAlerts();
    assertThat(
            ((SendOutcome.Delivered) send(server.endpoint(), "again", SendOptions.defaults()))
                .traffic()
                .alerts())
        .isEmpty();
  }

  @Test
  void requestWrittenEarlyIsReadOnlyAfterTheSnapshot() throws Exception {
    CountDownLatch snapshotMayGo = new CountDownLatch(1);
    VertxPeerServer server =
        started(
            builder("ann", queue)
                .tcp(0)
                .details(
                    () -> {
                      await(snapshotMayGo);
                      return "{}";
                    }));
    server.alert("{\"n\":1}");
    RawLineClient client = rawClient(server);

    client.writeLine("{\"method\":\"notify\",\"id\":\"7\",\"params\":{\"message\":\"early\"}}");
    assertThat(client.nextLine()).isEqualTo("{\"event\":\"alert\",\"data\":{\"n\":1}}");
    assertThat(queue.size()).as("nothing read before the snapshot").isZero();
    snapshotMayGo.countDown();

    assertThat(client.nextLine()).startsWith("{\"event\":\"snapshot\"");
    assertThat(client.nextLine()).isEqualTo("{\"event\":\"ack\",\"data\":{\"id\":\"7\"}}");
    assertThat(queue.poll(WAIT).map(PeerMessage::message)).contains("early");
  }

  @Test
  void badRequestsGetPreciseErrorsAndAnOverlongLineCloses() throws Exception {
    VertxPeerServer server = started(builder("ann", queue).tcp(0).maxLineBytes(256));
    RawLineClient client = rawClient(server);
    assertThat(client.nextLine()).startsWith("{\"event\":\"snapshot\"");

    client.writeLine("{\"method\":\"shutdown\",\"id\":\"1\"}");
    assertThat(client.nextLine())
        .isEqualTo(
            "{\"event\":\"error\",\"data\":{\"id\":\"1\",\"code\":\"unknown-method\","
                + "\"message\":\"unknown method \\\"shutdown\\\"\"}}");
    client.writeLine("not json");
    assertThat(client.nextLine())
        .isEqualTo(
            "{\"event\":\"error\",\"data\":{\"id\":null,\"code\":\"malformed-request\","
                + "\"message\":\"not JSON\"}}");
    client.writeLine("{\"method\":\"notify\",\"id\":2,\"params\":{}}");
    assertThat(client.nextLine()).contains("\"id\":\"2\",\"code\":\"malformed-request\"");
    client.writeLine(
        "{\"method\":\"notify\",\"id\":\"3\",\"params\":{\"message\":\""
            + "y".repeat(300)
            + "\"}}");
    assertThat(client.nextLine()).contains("\"code\":\"line-too-long\"");
    client.awaitClosed();
    assertThat(queue.size()).isZero();
  }

  @Test
  void stopClosesConnectionsAndRemovesTheSocketFile() throws Exception {
    Path socket = dir.resolve("ann.sock");
    VertxPeerServer server = started(builder("ann", queue).unix(socket));
    RawLineClient client = rawClient(server);
    client.nextLine(); // the snapshot
    assertThat(socket).exists();

    server.stop().toCompletableFuture().get(WAIT.toMillis(), TimeUnit.MILLISECONDS);

    client.awaitClosed();
    assertThat(socket).doesNotExist();
    assertThat(server.running()).isFalse();
    assertThat(probe(server.endpoint()).reachable()).isFalse();
  }

  @Test
  void socketPathInUseOrNotASocketIsRefusedAndAStaleOneReplaced() throws Exception {
    Path socket = dir.resolve("ann.sock");
    started(builder("ann", queue).unix(socket));
    VertxPeerServer second = builder("ann2", queue).unix(socket).build();
    servers.add(second);
    assertThatThrownBy(() -> await(second.start())).hasMessageContaining("is in use");

    Path file = Files.writeString(dir.resolve("plain"), "data");
    VertxPeerServer onFile = builder("ann3", queue).unix(file).build();
    servers.add(onFile);
    assertThatThrownBy(() -> await(onFile.start())).hasMessageContaining("is not a socket");
    assertThat(file).hasContent("data");

    Path stale = dir.resolve("stale.sock");
    try (ServerSocketChannel dead = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
      dead.bind(UnixDomainSocketAddress.of(stale)); // closing leaves the file behind
    }
    assertThat(stale).exists();
    VertxPeerServer revived = started(builder("ann4", queue).unix(stale));
    assertThat(probe(revived.endpoint()).reachable()).isTrue();
  }

  @Test
  void clientRejectsAnUnsupportedSchemeOnTheCallersThread() {
    assertThatThrownBy(
            () ->
                VertxPeerClient.connectAndSend(
                    rig.transport(),
                    URI.create("http://127.0.0.1:1/"),
                    "hi",
                    SendOptions.defaults()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'http'");
  }

  @Test
  void builderRejectsBadNamesAndMissingAddress() {
    assertThatThrownBy(() -> VertxPeerServer.builder(vertx, "../x", queue))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("../x");
    assertThatThrownBy(() -> builder("ann", queue).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("unix(path) or tcp(port)");
    assertThatThrownBy(() -> builder("ann", queue).unix(dir.resolve("s".repeat(120))))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("longer than the 107");
    assertThatThrownBy(() -> builder("ann", queue).tcp(0).build().alert("[1]"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("must be a JSON object");
  }

  // ---------------------------------------------------------------- helpers

  private VertxPeerServer.Builder builder(String name, NotifyHandler handler) {
    return VertxPeerServer.builder(vertx, name, handler);
  }

  private VertxPeerServer started(VertxPeerServer.Builder builder) throws Exception {
    VertxPeerServer server = builder.build();
    servers.add(server);
    await(server.start());
    return server;
  }

  private SendOutcome send(URI endpoint, String message, SendOptions options) throws Exception {
    return await(VertxPeerClient.connectAndSend(rig.transport(), endpoint, message, options));
  }

  private ProbeResult probe(URI endpoint) throws Exception {
    return await(VertxPeerClient.probe(rig.transport(), endpoint));
  }

  private RawLineClient rawClient(VertxPeerServer server) throws Exception {
    RawLineClient client = RawLineClient.connect(server.endpoint());
    clients.add(client);
    return client;
  }

  private static <T> T await(CompletionStage<T> stage) throws Exception {
    try {
      return stage.toCompletableFuture().get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      throw e.getCause() instanceof Exception cause ? cause : e;
    }
  }

  private static void await(CountDownLatch latch) {
    try {
      assertThat(latch.await(WAIT.toMillis(), TimeUnit.MILLISECONDS)).isTrue();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
