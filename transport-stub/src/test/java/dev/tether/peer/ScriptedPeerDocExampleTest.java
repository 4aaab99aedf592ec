package dev.tether.peer;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tether.stub.StubNetwork;
import dev.tether.stub.VirtualScheduler;
import dev.tether.stub.peer.ScriptedPeerServer;
import java.net.URI;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The peers guide's example of testing a sender against a scripted peer, run as printed. */
class ScriptedPeerDocExampleTest {

  // example:scripted-peer:begin
  /** A peer that sends an alert and a snapshot first, then acks: the client must wait (P1). */
  static SendOutcome sendToScriptedBob() {
    VirtualScheduler scheduler = new VirtualScheduler();
    StubNetwork network = new StubNetwork(scheduler);
    ScriptedPeerServer server =
        ScriptedPeerServer.on(network, "stub://bob")
            .alert("{\"level\":\"warn\"}")
            .alertInterval(Duration.ofMillis(100))
            .snapshot("{\"status\":\"busy\"}")
            .reply(ScriptedPeerServer.Reply.ACK); // or SILENT, CLOSE, rejectWith(code, message)
    var sent =
        PeerClient.connectAndSend(
                server.transport(), // wraps the network's: the server sees each connection
                scheduler,
                URI.create("stub://bob"),
                "hi",
                SendOptions.defaults())
            .toCompletableFuture();
    scheduler.runUntil(sent::isDone, Duration.ofMinutes(1));
    if (server.framesBeforeSnapshot() != 0) {
      throw new AssertionError("P1: the client wrote before the snapshot");
    }
    return sent.join(); // Delivered, with the alert and the snapshot in its traffic
  }

  // example:scripted-peer:end

  @Test
  void exampleIsDelivered() {
    assertThat(sendToScriptedBob()).isInstanceOf(SendOutcome.Delivered.class);
  }
}
