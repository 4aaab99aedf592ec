package dev.tether.peer;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tether.stub.StubEndpoint;
import dev.tether.stub.StubNetwork;
import dev.tether.stub.VirtualScheduler;
import dev.tether.stub.peer.ScriptedPeerServer;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.junit.jupiter.api.Test;

/** {@link PeerClient} against a scripted peer on virtual time: every outcome, exactly (P1). */
class PeerClientTest {
  static final String URI_TEXT = "stub://peer";
  static final URI ENDPOINT = URI.create(URI_TEXT);
  static final SendOptions OPTIONS =
      new SendOptions(Duration.ofSeconds(1), Duration.ofSeconds(2), Duration.ofSeconds(3));

  final VirtualScheduler scheduler = new VirtualScheduler();
  final StubNetwork network = new StubNetwork(scheduler);
  final ScriptedPeerServer server = ScriptedPeerServer.on(network, URI_TEXT);

  private <T> T run(CompletionStage<T> stage) {
    CompletableFuture<T> f = stage.toCompletableFuture();
    assertThat(scheduler.runUntil(f::isDone, Duration.ofMinutes(1))).isTrue();
    return f.join();
  }

  private SendOutcome send(String message) {
    return run(
        PeerClient.connectAndSend(server.transport(), scheduler, ENDPOINT, message, OPTIONS));
  }

  @Test
  void confirmingServerYieldsDelivered() {
    server.snapshot("{\"status\":\"busy\"}");
    SendOutcome outcome = send("hello");
    assertThat(outcome)
        .isEqualTo(
            new SendOutcome.Delivered(new ConnectTraffic(List.of(), 0, "{\"status\":\"busy\"}")));
    assertThat(server.notifies()).containsExactly("hello");
    assertThat(server.framesBeforeSnapshot()).isZero();
    assertThat(network.openChannels()).isZero();
  }

  @Test
  void silentServerYieldsWrittenUnconfirmedAfterTheConfirmTimeout() {
    server.reply(ScriptedPeerServer.Reply.SILENT);
    SendOutcome outcome = send("hello");
    assertThat(outcome)
        .isEqualTo(
            new SendOutcome.WrittenUnconfirmed(
                new ConnectTraffic(List.of(), 0, "{\"status\":\"idle\"}"), Duration.ofSeconds(3)));
    assertThat(scheduler.now()).isEqualTo(Duration.ofSeconds(3));
    assertThat(server.notifies()).containsExactly("hello");
    assertThat(network.openChannels()).isZero();
  }

  @Test
  void threeAlertsAndATwoMebibyteSnapshotAreReadBeforeTheNotify() {
    String big = "x".repeat(2 * 1024 * 1024);
    server
        .alert("{\"n\":1}")
        .alert("{\"n\":2}")
        .alert("{\"n\":3}")
        .alertInterval(Duration.ofMillis(1500)) // each under the 2 s read timeout; 4.5 s in all
        .snapshot("{\"status\":\"ok\",\"blob\":\"" + big + "\"}");
    SendOutcome outcome = send("after the snapshot");
    assertThat(outcome).isInstanceOf(SendOutcome.Delivered.class);
    ConnectTraffic traffic = ((SendOutcome.Delivered) outcome).traffic();
    assertThat(traffic.alerts()).containsExactly("{\"n\":1}", "{\"n\":2}", "{\"n\":3}");
    assertThat(traffic.snapshot())
        .hasSize(big.length() + "{\"status\":\"ok\",\"blob\":\"\"}".length());
    assertThat(server.framesBeforeSnapshot()).isZero();
    assertThat(server.notifies()).containsExactly("after the snapshot");
  }

  @Test
  void serverClosingBeforeTheSnapshotFailsWithoutWriting() {
    server.alert("{\"n\":1}").alert("{\"n\":2}").closeBeforeSnapshot();
    SendOutcome outcome = send("hello");
    assertThat(outcome)
        .isEqualTo(new SendOutcome.ClosedBeforeSnapshot(2, "CHANNEL_CLOSED: peer closed"));
    assertThat(server.notifies()).isEmpty();
  }

  @Test
  void serverThatNeverSendsASnapshotTimesOutInTheSnapshotPhase() {
    server.alert("{\"n\":1}").withholdSnapshot();
    SendOutcome outcome = send("hello");
    assertThat(outcome)
        .isEqualTo(new SendOutcome.TimedOut(SendOutcome.Phase.SNAPSHOT, Duration.ofSeconds(2)));
    assertThat(scheduler.now()).isEqualTo(Duration.ofSeconds(2));
    assertThat(server.notifies()).isEmpty();
    assertThat(server.framesBeforeSnapshot()).isZero();
    assertThat(network.openChannels()).isZero();
  }

  @Test
  void refusedEndpointFailsAsRefused() {
    server.endpoint().mode(StubEndpoint.Mode.REFUSE);
    assertThat(send("hello")).isEqualTo(new SendOutcome.Refused("connection refused: " + URI_TEXT));
  }

  @Test
  void hangingConnectTimesOutInTheConnectPhase() {
    server.endpoint().mode(StubEndpoint.Mode.HANG);
    assertThat(send("hello"))
        .isEqualTo(new SendOutcome.TimedOut(SendOutcome.Phase.CONNECT, Duration.ofSeconds(1)));
  }

  @Test
  void rejectingServerYieldsRejectedWithCodeAndMessage() {
    server.rejectWith("full", "inbox full");
    assertThat(send("hello")).isEqualTo(new SendOutcome.Rejected("full", "inbox full"));
  }

  @Test
  void serverClosingAfterTheNotifyFailsAsClosedBeforeConfirmation() {
    server.reply(ScriptedPeerServer.Reply.CLOSE);
    assertThat(send("hello"))
        .isEqualTo(
            new SendOutcome.ClosedBeforeConfirmation(
                "CHANNEL_CLOSED: peer closed without answering"));
    assertThat(server.notifies()).containsExactly("hello");
  }

  @Test
  void probeReportsTheSnapshotStatusWithoutWriting() {
    server.snapshot("{\"status\":\"working\"}");
    ProbeResult result = run(PeerClient.probe(server.transport(), scheduler, ENDPOINT));
    assertThat(result).isEqualTo(new ProbeResult(true, Optional.of("working"), ""));
    assertThat(server.notifies()).isEmpty();
    assertThat(network.openChannels()).isZero();
  }

  @Test
  void probeOfASilentPeerIsUnreachableAfterTheDefaultTimeout() {
    server.withholdSnapshot();
    ProbeResult result = run(PeerClient.probe(server.transport(), scheduler, ENDPOINT));
    assertThat(result.reachable()).isFalse();
    assertThat(result.detail()).isEqualTo("timed out in phase SNAPSHOT after 500 ms");
    assertThat(scheduler.now()).isEqualTo(Duration.ofMillis(500));
  }

  @Test
  void probeOfARefusedEndpointIsUnreachable() {
    ProbeResult result =
        run(PeerClient.probe(server.transport(), scheduler, URI.create("stub://nobody")));
    assertThat(result)
        .isEqualTo(
            new ProbeResult(false, Optional.empty(), "refused: no such host: stub://nobody"));
  }
}
