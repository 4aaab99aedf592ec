package dev.tether.vertx.peer;

import static dev.tether.vertx.Loopback.WAIT;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tether.peer.ConsentOptions;
import dev.tether.peer.ConsentOutcome;
import dev.tether.peer.FileMetadataStore;
import dev.tether.peer.PeerRegistry;
import dev.tether.peer.SendOptions;
import dev.tether.vertx.Rig;
import dev.tether.vertx.VertxScheduler;
import dev.tether.vertx.peer.ConsentHandler.ConsentRequest;
import dev.tether.vertx.peers.NodePeer;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetSocket;
import io.vertx.core.parsetools.RecordParser;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Registration with the target's consent ({@link PeerRegistry#registerWithConsent}) over real
 * sockets: against {@link VertxPeerServer}, against a Node peer started by the test, and against
 * hostile targets. Every outcome is checked on disk afterwards, through a fresh store.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class ConsentRegistrationTest {
  /** Short enough to keep the unconfirmed cases quick; a local peer answers in milliseconds. */
  static final SendOptions QUICK =
      SendOptions.defaults().withConfirmTimeout(Duration.ofMillis(500));

  @TempDir Path dir;

  private final Rig rig = new Rig();
  private final Vertx vertx = rig.vertx();
  private final List<VertxPeerServer> servers = new ArrayList<>();
  private final List<NetServer> rawServers = new ArrayList<>();
  private final List<ConsentRequest> seen = new CopyOnWriteArrayList<>();
  private NodePeer node;
  private PeerRegistry registry;

  @BeforeEach
  void setUp() throws IOException {
    registry = open(ConsentOptions.defaults().withSend(QUICK));
    registry.add("ann");
    registry.add("bob");
    registry.add("cy");
    registry.register("ann", "cy"); // an older relation every outcome must leave intact
  }

  @AfterEach
  void tearDown() throws Exception {
    if (node != null) {
      node.close();
    }
    servers.forEach(VertxPeerServer::close);
    for (NetServer s : rawServers) {
      s.close().await(WAIT.toMillis(), TimeUnit.MILLISECONDS);
    }
    rig.close();
  }

  private PeerRegistry open(ConsentOptions options) throws IOException {
    return PeerRegistry.open(
        FileMetadataStore.open(dir.resolve("store")),
        rig.transport(),
        VertxScheduler.create(vertx),
        options);
  }

  @Test
  void consentedRegistrationWritesBothSides() throws Exception {
    URI bob = bob(ConsentHandler.accepting(Set.of("ann")), true);

    ConsentOutcome outcome = registry.registerWithConsent("ann", "bob", bob);

    assertThat(outcome).isInstanceOf(ConsentOutcome.Consented.class);
    assertThat(onDisk())
        .containsEntry("ann", List.of("bob", "cy"))
        .containsEntry("bob", List.of("ann"));
    assertThat(seen).extracting(ConsentRequest::kind).containsExactly(ConsentRequest.Kind.REGISTER);
    assertThat(seen.get(0).source()).isEqualTo("ann");
  }

  @Test
  void endpointComesFromTheTargetsRecord() throws Exception {
    registry.setEndpoint("bob", bob(ConsentHandler.accepting(Set.of("ann")), true));
    registry.register("bob", "cy"); // a later write keeps the endpoint

    ConsentOutcome outcome = registry.registerWithConsent("ann", "bob");

    assertThat(outcome).isInstanceOf(ConsentOutcome.Consented.class);
    assertThat(onDisk().get("bob")).containsExactly("ann", "cy");
  }

  @Test
  void refusalChangesNothingAndShowsTheReason() throws Exception {
    URI bob = bob(ConsentHandler.refuseAll(), true);

    ConsentOutcome outcome = registry.registerWithConsent("ann", "bob", bob);

    assertThat(outcome)
        .isEqualTo(
            new ConsentOutcome.Refused(
                VertxPeerServer.CODE_UNKNOWN_SOURCE, "pod \"ann\" is not accepted as a peer here"));
    assertUnchanged();
  }

  @Test
  void serverWithoutAConsentHandlerRefusesEverySource() throws Exception {
    VertxPeerServer server =
        VertxPeerServer.builder(vertx, "bob", m -> Verdict.accept()).tcp(0).build();
    servers.add(server);
    URI bob = server.start().toCompletableFuture().get(WAIT.toMillis(), TimeUnit.MILLISECONDS);

    ConsentOutcome outcome = registry.registerWithConsent("ann", "bob", bob);

    assertThat(outcome).isInstanceOf(ConsentOutcome.Refused.class);
    assertThat(((ConsentOutcome.Refused) outcome).code())
        .isEqualTo(VertxPeerServer.CODE_UNKNOWN_SOURCE);
    assertUnchanged();
  }

  @Test
  void unreachableTargetChangesNothing() throws Exception {
    URI nobody = URI.create("unix://" + dir.resolve("nobody.sock"));

    ConsentOutcome outcome = registry.registerWithConsent("ann", "bob", nobody);

    assertThat(outcome).isInstanceOf(ConsentOutcome.Unreachable.class);
    assertThat(((ConsentOutcome.Unreachable) outcome).mayHaveReached()).isFalse();
    assertUnchanged();
  }

  @Test
  void noEndpointAnywhereIsUnreachable() throws Exception {
    ConsentOutcome outcome = registry.registerWithConsent("ann", "bob");

    assertThat(outcome.describe()).contains("no endpoint for \"bob\"");
    assertUnchanged();
  }

  @Test
  void metadataOnlyIsAnExplicitOption() throws Exception {
    URI nobody = URI.create("unix://" + dir.resolve("nobody.sock"));
    PeerRegistry explicit =
        open(ConsentOptions.defaults().withSend(QUICK).withMetadataOnlyIfUnreachable(true));

    ConsentOutcome outcome = explicit.registerWithConsent("ann", "bob", nobody);

    assertThat(outcome).isInstanceOf(ConsentOutcome.MetadataOnly.class);
    assertThat(onDisk().get("bob")).containsExactly("ann");
  }

  @Test
  void unconfirmedChangesNothingAndWithdraws() throws Exception {
    URI bob = bob(ConsentHandler.accepting(Set.of("ann")), false);

    ConsentOutcome outcome = registry.registerWithConsent("ann", "bob", bob);

    assertThat(outcome).isEqualTo(new ConsentOutcome.Unconfirmed(QUICK.confirmTimeout()));
    assertUnchanged();
    assertThat(seen)
        .extracting(ConsentRequest::kind)
        .containsExactly(ConsentRequest.Kind.REGISTER, ConsentRequest.Kind.UNREGISTER);
  }

  @Test
  void nodePeerConsentsAndRefuses() throws Exception {
    node = NodePeer.consent("bob", List.of("ann")).start();

    assertThat(registry.registerWithConsent("cy", "bob", node.endpoint()))
        .isInstanceOf(ConsentOutcome.Refused.class)
        .extracting(ConsentOutcome::describe)
        .isEqualTo("refused with code unknown-source: cy is not accepted by bob");
    assertThat(onDisk().get("bob")).isEmpty();

    assertThat(registry.registerWithConsent("ann", "bob", node.endpoint()))
        .isInstanceOf(ConsentOutcome.Consented.class);
    assertThat(onDisk())
        .containsEntry("ann", List.of("bob", "cy"))
        .containsEntry("bob", List.of("ann"));
    assertThat(node.output()).contains("GOT peer.register cy", "GOT peer.register ann");
    node.kill();

    assertThat(registry.registerWithConsent("cy", "bob", node.endpoint()))
        .isInstanceOf(ConsentOutcome.Unreachable.class);
    assertThat(onDisk().get("bob")).containsExactly("ann");
  }

  // ---------------------------------------------------------------- hostile targets

  @Test
  void ackForAnotherIdIsNotConsent() throws Exception {
    URI bad =
        hostile(
            Misbehaviour.ANSWER,
            (socket, request) ->
                socket.write(line("{\"event\":\"ack\",\"data\":{\"id\":\"nope\"}}")));

    ConsentOutcome outcome = registry.registerWithConsent("ann", "bob", bad);

    assertThat(outcome).isInstanceOf(ConsentOutcome.Unconfirmed.class);
    assertUnchanged();
  }

  @Test
  void ackBeforeTheSnapshotIsNotConsent() throws Exception {
    URI bad = hostile(Misbehaviour.ACK_BEFORE_SNAPSHOT, null);

    ConsentOutcome outcome = registry.registerWithConsent("ann", "bob", bad);

    assertThat(outcome).isInstanceOf(ConsentOutcome.Unreachable.class);
    assertThat(outcome.describe()).contains("protocol violation");
    assertUnchanged();
  }

  @Test
  void tenMebibyteRefusalIsCutAndChangesNothing() throws Exception {
    String huge = "x".repeat(10 * 1024 * 1024);
    URI bad =
        hostile(
            Misbehaviour.ANSWER,
            (socket, request) ->
                socket.write(
                    line(
                        "{\"event\":\"error\",\"data\":{\"id\":\""
                            + request.path("id").asText()
                            + "\",\"code\":\"spam\",\"message\":\""
                            + huge
                            + "\"}}")));

    // 10 MiB take a while on a loaded machine: the default confirmation timeout leaves room.
    ConsentOutcome outcome = open(ConsentOptions.defaults()).registerWithConsent("ann", "bob", bad);

    assertThat(outcome).isInstanceOf(ConsentOutcome.Refused.class);
    assertThat(((ConsentOutcome.Refused) outcome).message().length())
        .isLessThan(PeerRegistry.MAX_REASON_CHARS + 100);
    assertUnchanged();
  }

  @Test
  void targetThatNeverReadsIsUnconfirmed() throws Exception {
    URI bad = hostile(Misbehaviour.NEVER_READ, null);

    ConsentOutcome outcome = registry.registerWithConsent("ann", "bob", bad);

    assertThat(outcome).isInstanceOf(ConsentOutcome.Unconfirmed.class);
    assertUnchanged();
  }

  // ---------------------------------------------------------------- helpers

  private URI bob(ConsentHandler handler, boolean confirming) throws Exception {
    ConsentHandler recording =
        request -> {
          seen.add(request);
          return handler.onConsent(request);
        };
    VertxPeerServer server =
        VertxPeerServer.builder(vertx, "bob", m -> Verdict.accept())
            .unix(dir.resolve("bob.sock"))
            .consent(recording)
            .confirming(confirming)
            .build();
    servers.add(server);
    return server.start().toCompletableFuture().get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** How a hostile target behaves. */
  enum Misbehaviour {
    /** Sends an ack before its snapshot. */
    ACK_BEFORE_SNAPSHOT,
    /** Sends its snapshot and never reads. */
    NEVER_READ,
    /** Sends its snapshot and answers each request line with the given answer. */
    ANSWER
  }

  private URI hostile(Misbehaviour how, BiConsumer<NetSocket, JsonNode> answer) throws Exception {
    NetServer server = vertx.createNetServer();
    server.connectHandler(
        socket -> {
          if (how == Misbehaviour.ACK_BEFORE_SNAPSHOT) {
            socket.write(line("{\"event\":\"ack\",\"data\":{\"id\":\"1\"}}"));
          }
          socket.write(line("{\"event\":\"snapshot\",\"data\":{}}"));
          if (how == Misbehaviour.NEVER_READ) {
            socket.pause();
            return;
          }
          socket.handler(
              RecordParser.newDelimited(
                  "\n",
                  b -> {
                    try {
                      answer.accept(socket, VertxPeerServer.JSON.readTree(b.getBytes()));
                    } catch (IOException e) {
                      socket.close();
                    }
                  }));
        });
    rawServers.add(server);
    int port =
        server.listen(0, "127.0.0.1").await(WAIT.toMillis(), TimeUnit.MILLISECONDS).actualPort();
    return URI.create("tcp://127.0.0.1:" + port);
  }

  private static Buffer line(String json) {
    return Buffer.buffer(json + "\n");
  }

  private void assertUnchanged() throws IOException {
    assertThat(onDisk())
        .isEqualTo(Map.of("ann", List.of("cy"), "bob", List.of(), "cy", List.of("ann")));
    assertThat(dir.resolve("store/intent.json")).doesNotExist();
  }

  private Map<String, List<String>> onDisk() throws IOException {
    PeerRegistry fresh = PeerRegistry.open(FileMetadataStore.open(dir.resolve("store")));
    Map<String, List<String>> lists = new TreeMap<>();
    for (String pod : fresh.pods()) {
      lists.put(pod, fresh.peers(pod));
    }
    return lists;
  }
}
