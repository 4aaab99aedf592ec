package dev.tether.rpc;

import static dev.tether.rpc.RpcFixture.JSON;
import static dev.tether.rpc.RpcFixture.f;
import static dev.tether.rpc.RpcFixture.result;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tether.machine.LifecycleEvent;
import dev.tether.stub.StubConnection;
import dev.tether.stub.rpc.ScriptedRpcPeer.PeerDialect;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * Read backpressure of the RPC layer (R4) on the stub transport: a full {@link
 * Delivery.Overflow#PAUSE} lane parks notifications up to the look-ahead, then the socket stops
 * reading (frames stay with the server, in order) instead of the channel being lost; answers still
 * get through.
 */
class InboundFlowTest {
  /** maxBacklogFrames 16 gives a look-ahead of 8. */
  private static final int MAX_BACKLOG = 16;

  private static final int LOOK_AHEAD = MAX_BACKLOG / 2;

  private static final int EVENTS = 100;

  private final RpcFixture vm = new RpcFixture(PeerDialect.VM_SERVICE);
  private final List<Runnable> laneTasks = new ArrayList<>();
  private final List<Integer> got = new ArrayList<>();

  private RpcConnection connectWithStalledConsumer() {
    return connectWithStalledConsumer(
        vm.builder(Dialect.vmService()).maxBacklogFrames(MAX_BACKLOG));
  }

  private RpcConnection connectWithStalledConsumer(RpcConnectionBuilder builder) {
    RpcConnection c = vm.start(builder);
    c.listen(
        "Isolate",
        e -> got.add(e.asInt()),
        Delivery.queued(laneTasks::add, 1, Delivery.Overflow.PAUSE));
    vm.clock.runUntilIdle();
    for (int i = 0; i < EVENTS; i++) {
      vm.peer.emit("Isolate", JSON.numberNode(i));
    }
    vm.clock.runUntilIdle();
    return c;
  }

  private StubConnection link() {
    return vm.server.connections().get(0);
  }

  private RpcClient client(RpcConnection c) {
    return (RpcClient) c;
  }

  /** Runs the consumer: one queued lane task at a time, each followed by the network. */
  private void consume() {
    while (!laneTasks.isEmpty()) {
      laneTasks.remove(0).run();
      vm.clock.runUntilIdle();
    }
  }

  @Test
  void stalledPauseConsumerStopsReadingInsteadOfLosingTheChannel() {
    RpcConnection c = connectWithStalledConsumer();
    assertThat(link().clientReadingPaused()).as("the socket stopped reading").isTrue();
    assertThat(link().unread(StubConnection.Side.CLIENT))
        .as("the rest waits with the server")
        .isPositive();
    assertThat(c.stats().framesIn()).isLessThan(EVENTS);
    assertThat(vm.events)
        .extracting(LifecycleEvent::name)
        .containsExactly("Connecting", "Connected");
    assertThat(c.stats().backlogOverflows()).isZero();
    consume();
    assertThat(got).containsExactlyElementsOf(IntStream.range(0, EVENTS).boxed().toList());
    assertThat(link().clientReadingPaused()).isFalse();
    assertThat(c.stats().eventsDropped()).isZero();
    assertThat(vm.events)
        .extracting(LifecycleEvent::name)
        .containsExactly("Connecting", "Connected");
  }

  @Test
  void parkedNotificationsNeverExceedTheLookAhead() {
    RpcConnection c = connectWithStalledConsumer();
    int most = client(c).parkedForTest();
    while (!laneTasks.isEmpty()) {
      laneTasks.remove(0).run();
      vm.clock.runUntilIdle();
      most = Math.max(most, client(c).parkedForTest());
    }
    assertThat(most).isEqualTo(LOOK_AHEAD);
  }

  @Test
  void requestMadeWhileStreamIsPausedStillSettles() {
    RpcConnection c = connectWithStalledConsumer();
    // Reading is paused: the answer is queued behind the unread events, on the same socket.
    CompletableFuture<JsonNode> r = f(c.request("echo", JSON.arrayNode().add(7)));
    vm.clock.runUntilIdle();
    assertThat(r).as("behind the unread events").isNotDone();
    consume();
    assertThat(result(r).get(0).asInt()).isEqualTo(7);
    // Within the look-ahead (a lane full, a few events parked, reading on) it settles at once.
    for (int i = 0; i < 3; i++) {
      vm.peer.emit("Isolate", JSON.numberNode(EVENTS + i));
    }
    vm.clock.runUntilIdle();
    assertThat(link().clientReadingPaused()).isFalse();
    CompletableFuture<JsonNode> quick = f(c.request("echo", JSON.arrayNode().add(8)));
    vm.clock.runUntilIdle();
    assertThat(result(quick).get(0).asInt()).isEqualTo(8);
    assertThat(c.stats().timeouts()).isZero();
  }

  @Test
  void heartbeatTimeoutWhileAStalledConsumerHoldsReadingCostsTheConnection() {
    RpcConnection c =
        connectWithStalledConsumer(
            vm.builder(Dialect.vmService())
                .maxBacklogFrames(MAX_BACKLOG)
                .heartbeat(
                    new Heartbeat(
                        Duration.ofSeconds(1), Duration.ofMillis(200), 2, Optional.empty())));
    assertThat(link().clientReadingPaused()).isTrue();
    // The probes' answers wait behind the unread events: ten intervals of a stalled consumer.
    vm.clock.advance(Duration.ofSeconds(10));
    assertThat(vm.events)
        .extracting(LifecycleEvent::name)
        .as("a slow consumer is not a dead peer")
        .containsExactly("Connecting", "Connected");
    assertThat(c.stats().heartbeatMisses()).isZero();
    consume();
    assertThat(got).containsExactlyElementsOf(IntStream.range(0, EVENTS).boxed().toList());
    assertThat(vm.events)
        .extracting(LifecycleEvent::name)
        .containsExactly("Connecting", "Connected");
  }
}
