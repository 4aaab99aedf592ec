package dev.tether.rpc;

import static dev.tether.rpc.RpcFixture.failure;
import static dev.tether.rpc.RpcFixture.ms;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tether.machine.Cause;
import dev.tether.machine.ConnectionState;
import dev.tether.machine.LifecycleEvent;
import dev.tether.stub.StubConnection;
import dev.tether.stub.rpc.PeerError;
import dev.tether.stub.rpc.ScriptedRpcPeer.PeerDialect;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/**
 * Write liveness (R5) in the JSON-RPC layer, on virtual time: a peer that stops reading loses the
 * channel ({@code WRITE_TIMEOUT}) and fails what was in flight; a heartbeat probe that could not be
 * sent is a miss, and only an answer proves the peer alive.
 */
class RpcWriteLivenessTest {
  static final Duration LONG = Duration.ofHours(1);

  final RpcFixture vm = new RpcFixture(PeerDialect.VM_SERVICE);

  RpcConnection start(RpcConnectionBuilder b) {
    RpcConnection c = vm.start(b);
    assertThat(c.state()).isInstanceOf(ConnectionState.Connected.class);
    return c;
  }

  /** A probe every second, 200 ms to answer, 3 misses. */
  RpcConnectionBuilder probingEverySecond() {
    return vm.builder(Dialect.vmService())
        .heartbeat(new Heartbeat(ms(1000), ms(200), 3, Optional.empty()));
  }

  Cause lastLossCause() {
    return vm.events.stream()
        .filter(LifecycleEvent.Reconnecting.class::isInstance)
        .map(e -> ((LifecycleEvent.Reconnecting) e).cause())
        .reduce((a, b) -> b)
        .orElseThrow(() -> new AssertionError("no Reconnecting event in " + vm.events));
  }

  List<CompletableFuture<JsonNode>> requests(RpcConnection c, int n) {
    List<CompletableFuture<JsonNode>> fs = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      fs.add(RpcFixture.f(c.request("echo", null)));
    }
    vm.clock.runUntilIdle();
    return fs;
  }

  @Test
  void unsendableHeartbeatProbeCountedAsProofOfLife() {
    RpcConnection c = start(probingEverySecond());
    vm.clock.advance(Duration.ofSeconds(3));
    assertThat(vm.peer.received("getVersion")).isEqualTo(3);
    vm.failSend = frame -> frame.contains("getVersion"); // the channel stays open: writes fail
    vm.clock.runUntil(() -> c.state() instanceof ConnectionState.Reconnecting, LONG);
    assertThat(c.state()).isInstanceOf(ConnectionState.Reconnecting.class);
    Cause cause = lastLossCause();
    assertThat(cause.kind()).isEqualTo(Cause.Kind.HEARTBEAT_MISSED);
    assertThat(cause.message()).contains("3 heartbeat probes", "could not be sent");
    assertThat(c.stats().heartbeatMisses()).isEqualTo(3);
    assertThat(c.stats().sendFailures()).isEqualTo(3);
  }

  @Test
  void probeAnsweredWithAnErrorProvesThePeerAlive() {
    vm.peer.handle(
        "getVersion",
        p -> {
          throw new PeerError(-32000, "busy", null);
        });
    RpcConnection c = start(probingEverySecond());
    vm.clock.advance(Duration.ofSeconds(10));
    assertThat(vm.peer.received("getVersion")).isEqualTo(10);
    assertThat(c.stats().remoteErrors()).isEqualTo(10);
    assertThat(c.stats().heartbeatMisses()).isZero();
    assertThat(c.state()).isInstanceOf(ConnectionState.Connected.class);
  }

  @Test
  void peerThatStopsReadingLosesTheChannelAndFailsWhatWasInFlight() {
    RpcConnection c = start(vm.builder(Dialect.vmService()).writeTimeout(Duration.ofSeconds(2)));
    vm.server.connections().get(0).stopServerReading();
    List<CompletableFuture<JsonNode>> inFlight =
        requests(c, StubConnection.WRITE_BUFFER_FRAMES + 6); // the last 6 never drain
    vm.clock.advance(Duration.ofSeconds(2).minusNanos(1));
    assertThat(inFlight).noneMatch(CompletableFuture::isDone);
    vm.clock.advance(Duration.ofNanos(1));

    assertThat(lastLossCause().kind()).isEqualTo(Cause.Kind.WRITE_TIMEOUT);
    for (CompletableFuture<JsonNode> f : inFlight) {
      assertThat(failure(f))
          .isInstanceOfSatisfying(
              RpcException.ConnectionLost.class,
              lost -> {
                assertThat(lost.connectionCause().kind()).isEqualTo(Cause.Kind.WRITE_TIMEOUT);
                // Handed to the channel, never drained: some of it may have reached the peer.
                assertThat(lost.written()).isTrue();
              });
    }
    vm.clock.runUntil(() -> c.state() instanceof ConnectionState.Connected, LONG);
    CompletableFuture<JsonNode> after = RpcFixture.f(c.request("echo", null));
    vm.clock.runUntilIdle();
    assertThat(after).isCompleted();
  }

  @Test
  void probeLostToAWriteTimeoutIsAMiss() {
    RpcConnection c =
        start(
            vm.builder(Dialect.vmService())
                .writeTimeout(Duration.ofSeconds(2))
                .heartbeat(new Heartbeat(Duration.ofSeconds(10), ms(5000), 3, Optional.empty())));
    vm.server.connections().get(0).stopServerReading();
    requests(c, StubConnection.WRITE_BUFFER_FRAMES); // fill the socket buffer; these drained
    vm.clock.advance(Duration.ofSeconds(10)); // the probe is the first write that stays pending
    assertThat(c.stats().heartbeatMisses()).isZero();
    vm.clock.advance(Duration.ofSeconds(2));
    assertThat(lastLossCause().kind()).isEqualTo(Cause.Kind.WRITE_TIMEOUT);
    assertThat(c.stats().heartbeatMisses()).isEqualTo(1);
  }
}
