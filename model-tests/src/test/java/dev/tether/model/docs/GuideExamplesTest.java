package dev.tether.model.docs;

import static java.nio.charset.StandardCharsets.UTF_8;
import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tether.machine.BackoffPolicy;
import dev.tether.machine.ConnectionState;
import dev.tether.peer.ConsentOptions;
import dev.tether.peer.ConsentOutcome;
import dev.tether.peer.FileMetadataStore;
import dev.tether.peer.PeerClient;
import dev.tether.peer.PeerRegistry;
import dev.tether.peer.SendOptions;
import dev.tether.peer.SendOutcome;
import dev.tether.runtime.Connection;
import dev.tether.runtime.LifecycleQueue;
import dev.tether.runtime.spi.Scheduler;
import dev.tether.runtime.spi.Transport;
import dev.tether.session.SessionsConfig;
import dev.tether.session.SessionsRuntime;
import dev.tether.session.TelemetrySample;
import dev.tether.stub.StubEndpoint;
import dev.tether.stub.StubNetwork;
import dev.tether.stub.VirtualScheduler;
import dev.tether.vertx.TetherVertx;
import dev.tether.vertx.TlsOptions;
import dev.tether.vertx.VertxTransportOptions;
import dev.tether.vertx.peer.MessageQueue;
import dev.tether.vertx.peer.VertxPeerServer;
import dev.tether.vertx.testserver.VmServiceServer;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The smaller examples of the guides (docs/sessions.md, docs/simulation.md, docs/transports.md,
 * docs/peers.md): each compiles here, and those that need no outside server run.
 */
@Timeout(value = 60, unit = SECONDS)
class GuideExamplesTest {
  private static final Logger log = LoggerFactory.getLogger(GuideExamplesTest.class);

  // example:sessions:begin
  /** Two apps, one status bar: the bar shows the active session's state, derived (S1). */
  static SessionsRuntime sessions(Transport transport, Scheduler scheduler) {
    SessionsRuntime sessions =
        new SessionsRuntime(
            scheduler,
            SessionsConfig.defaults(), // at most 9 sessions; telemetry rings of 60/50/300
            (id, run) ->
                Connection.builder()
                    .transport(transport)
                    .endpoint(URI.create("ws://127.0.0.1:8181/" + id))
                    .scheduler(scheduler)
                    .build(),
            (id, connection, epoch) -> // your telemetry poll, e.g. RPCs over the connection
            CompletableFuture.completedFuture(
                    List.<TelemetrySample>of(new TelemetrySample.Memory(64_000_000, 128_000_000))),
            Duration.ofSeconds(1));
    sessions.add("app-1");
    sessions.add("app-2");
    sessions.activate("app-1");
    return sessions; // sessions.snapshot().statusLabel(): "Connected", "Reconnecting (2/10)", …
  }

  // example:sessions:end

  @Test
  void sessionsShowTheActiveSessionsStatus() {
    VirtualScheduler clock = new VirtualScheduler();
    StubNetwork network = new StubNetwork(clock);
    network.endpoint("ws://127.0.0.1:8181/app-1");
    SessionsRuntime runtime = sessions(network.transport(), clock);
    clock.runUntilIdle();
    assertThat(runtime.snapshot().statusLabel()).startsWith("Connected");
    runtime.close();
    clock.runUntilIdle();
  }

  // example:stub-transport:begin
  /** An outage in virtual time: nothing sleeps, and the same seed gives the same run. */
  static Connection healsAfterAnOutage() {
    VirtualScheduler clock = new VirtualScheduler();
    StubNetwork network = new StubNetwork(clock);
    StubEndpoint server = network.endpoint("stub://server");
    Connection c =
        Connection.builder()
            .transport(network.transport())
            .endpoint(URI.create("stub://server"))
            .scheduler(clock)
            .random(new SplittableRandom(1))
            .build();
    c.start();
    clock.runUntilIdle(); // Connected (epoch 1)
    server.down(); // refuse new connections, drop open ones
    clock.advance(Duration.ofSeconds(1));
    server.up();
    clock.runUntil(() -> c.state() instanceof ConnectionState.Connected, Duration.ofMinutes(1));
    return c; // Connected (epoch 2), after a Reconnected event
  }

  // example:stub-transport:end

  @Test
  void stubTransportExampleReconnects() {
    Connection c = healsAfterAnOutage();
    assertThat(c.state()).isEqualTo(new ConnectionState.Connected(2));
    c.close();
  }

  // example:vertx-quickstart:begin
  /** Tether creates a Vertx with the first connection and closes it with the last. */
  static Connection printFrames(TetherVertx tether) {
    Connection c =
        tether.newConnection(
            URI.create("ws://127.0.0.1:8181/ws"),
            b ->
                b.policy(BackoffPolicy.defaults())
                    .frameListener((epoch, frame) -> System.out.println(new String(frame, UTF_8))));
    LifecycleQueue events = LifecycleQueue.bounded();
    c.subscribe(events);
    c.start();
    return c; // c.close() when done: TetherVertx.create()'s Vertx goes with the last connection
  }

  // example:vertx-quickstart:end

  // example:tls:begin
  /** Trust a private CA or a self-signed server certificate; verification stays on. */
  static VertxTransportOptions trusting(Path serverCertPem) {
    return VertxTransportOptions.builder()
        .tls(TlsOptions.builder().trustPemCertificate(serverCertPem).build())
        .build();
  }

  /** Throw-away local experiments only: each logs a WARN when the transport is created. */
  static List<TlsOptions> insecure() {
    return List.of(
        TlsOptions.builder().verifyHostName(false).build(), // a trusted certificate, another host
        TlsOptions.builder().insecureTrustAllCertificates(true).build()); // any certificate
  }

  // example:tls:end

  @Test
  void tlsExampleBuildsOptions(@TempDir Path dir) throws IOException {
    Path pem = dir.resolve("server-cert.pem");
    Files.writeString(pem, "-----BEGIN CERTIFICATE-----\n-----END CERTIFICATE-----\n");
    assertThat(trusting(pem)).isNotNull();
    assertThat(insecure()).hasSize(2);
  }

  // example:testserver:begin
  /** A newline-JSON test server on a Unix socket; stop() and start() again keep its address. */
  static VmServiceServer restartOnce(Vertx vertx, Path socket) throws Exception {
    VmServiceServer server =
        VmServiceServer.builder(vertx).unix(socket).eventInterval(Duration.ofMillis(50)).build();
    URI endpoint = server.start().toCompletableFuture().get(10, SECONDS); // unix:///…
    System.out.println("serving at " + endpoint); // .tcp(): tcp://127.0.0.1:<free port>
    server.stop().toCompletableFuture().get(10, SECONDS); // clients go Reconnecting
    server.start().toCompletableFuture().get(10, SECONDS); // same address: they reconnect
    return server;
  }

  // example:testserver:end

  @Test
  void testServerRestartsAtItsAddress(@TempDir Path dir) throws Exception {
    Vertx vertx = Vertx.vertx();
    try {
      VmServiceServer server = restartOnce(vertx, dir.resolve("vm.sock"));
      assertThat(server.endpoint().getScheme()).isEqualTo("unix");
      server.close();
    } finally {
      vertx.close().toCompletionStage().toCompletableFuture().get(20, SECONDS);
    }
  }

  // example:peer-send:begin
  /** Sends one message; only Delivered means the peer confirmed it (P1). */
  static CompletionStage<SendOutcome> tellBob(Transport transport, Scheduler scheduler) {
    CompletionStage<SendOutcome> sent =
        PeerClient.connectAndSend(
            transport,
            scheduler,
            URI.create("unix:///run/pods/bob.sock"),
            "build finished",
            SendOptions.defaults());
    return sent.whenComplete(
        (outcome, failure) -> {
          if (outcome instanceof SendOutcome.Delivered) {
            log.info("bob has it"); // the peer acked this message
          } else if (outcome instanceof SendOutcome.WrittenUnconfirmed) {
            log.warn("written, but bob never said"); // an older peer: maybe, maybe not
          } else if (outcome instanceof SendOutcome.Failed f) {
            log.warn("not delivered: {}", f);
          }
        });
  }

  // example:peer-send:end

  // example:peer-registry:begin
  /** Registers ann and bob as each other's peers: both sides or neither, crash or not (P2, P3). */
  static List<String> pair(Path dir) throws IOException {
    PeerRegistry registry = PeerRegistry.open(FileMetadataStore.open(dir)); // recovers first
    registry.add("ann");
    registry.add("bob");
    registry.register("ann", "bob"); // bob is ann's peer and ann is bob's — or neither
    List<String> peers = registry.peers("ann"); // [bob]
    registry.unregister("bob", "ann");
    return peers;
  }

  // example:peer-registry:end

  @Test
  void peerRegistryExamplePairsAndUnpairs(@TempDir Path dir) throws IOException {
    assertThat(pair(dir)).containsExactly("bob");
    assertThat(PeerRegistry.open(FileMetadataStore.open(dir)).peers("ann")).isEmpty();
  }

  // example:peer-consent:begin
  /** The relation is written only if bob's live process consents. */
  static ConsentOutcome askBob(Path dir, Transport transport, Scheduler scheduler)
      throws IOException {
    PeerRegistry registry =
        PeerRegistry.open(
            FileMetadataStore.open(dir), transport, scheduler, ConsentOptions.defaults());
    registry.setEndpoint("bob", URI.create("unix:///run/pods/bob.sock")); // kept in bob.json
    return registry.registerWithConsent("ann", "bob"); // Consented, Refused, Unreachable, …
  }

  // example:peer-consent:end

  // example:peer-server:begin
  /** Bob's endpoint on a Unix socket: alerts, then one snapshot, then it reads. */
  static void serveBob(Vertx vertx, Path socket, Path store) throws Exception {
    MessageQueue inbox = MessageQueue.bounded(); // or your own NotifyHandler
    VertxPeerServer server =
        VertxPeerServer.builder(vertx, "bob", inbox)
            .unix(socket) // or .tcp(7777), .tcp(0) for a free port
            .registry(PeerRegistry.open(FileMetadataStore.open(store))) // optional
            .status("ready")
            .build();
    URI endpoint = server.start().toCompletableFuture().get(10, SECONDS); // unix:///…/bob.sock
    server.alert("{\"level\":\"warn\",\"text\":\"disk 91% full\"}"); // to every new connection
    System.out.println("listening on " + endpoint);
    inbox.poll(Duration.ofSeconds(30)).ifPresent(m -> System.out.println(m.message()));
    server.stop().toCompletableFuture().get(10, SECONDS); // closes, removes the socket file
  }

  // example:peer-server:end
}
