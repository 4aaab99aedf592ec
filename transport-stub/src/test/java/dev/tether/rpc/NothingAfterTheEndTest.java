package dev.tether.rpc;

import static dev.tether.rpc.RpcFixture.JSON;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.InstanceOfAssertFactories.STRING;

import dev.tether.machine.LifecycleEvent;
import dev.tether.stub.rpc.ScriptedRpcPeer.PeerDialect;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * I4 for streams: no stream handler is called after the terminal event; what was still held back or
 * queued for a handler then is dropped, counted with its reason and logged once.
 */
class NothingAfterTheEndTest {
  final RpcFixture vm = new RpcFixture(PeerDialect.VM_SERVICE);
  final RpcConnection c = vm.start(vm.builder(Dialect.vmService()));

  /** Everything that happened, in order: lifecycle events and handler calls. */
  final List<String> seen = new ArrayList<>();

  /** A queued delivery's executor that runs nothing until the test says so. */
  final List<Runnable> executor = new ArrayList<>();

  NothingAfterTheEndTest() {
    c.subscribe(e -> seen.add(e.name()));
    vm.clock.runUntilIdle();
    seen.clear();
  }

  /**
   * Listens to Isolate through a queue drained by {@link #executor}; events go to {@link #seen}.
   */
  StreamSubscription listenQueued(int capacity, Delivery.Overflow overflow) {
    StreamSubscription sub =
        c.listen(
            "Isolate",
            e -> seen.add("event " + e.asInt()),
            Delivery.queued(executor::add, capacity, overflow));
    vm.clock.runUntilIdle();
    return sub;
  }

  void emit(int n) {
    for (int i = 0; i < n; i++) {
      vm.peer.emit("Isolate", JSON.numberNode(i));
    }
    vm.clock.runUntilIdle();
  }

  void runExecutor() {
    while (!executor.isEmpty()) {
      executor.remove(0).run();
      vm.clock.runUntilIdle();
    }
  }

  /** Seed of this test: the second handler of a stream got the event after the first closed. */
  @Test
  void noHandlerRunsAfterAnotherHandlerClosedTheConnection() {
    c.listen(
        "Isolate",
        e -> {
          seen.add("first");
          c.close("seen enough");
        });
    c.listen("Isolate", e -> seen.add("second"));
    vm.clock.runUntilIdle();
    emit(1);
    assertThat(seen).containsExactly("first", "Closed");
  }

  /** Seed of this test: a queued lane's executor handed out events after the terminal event. */
  @Test
  void queuedEventsAreNotHandedOutAfterTheEndAndAreCountedAsDropped() {
    listenQueued(8, Delivery.Overflow.DROP_OLDEST);
    emit(3);
    String log =
        RpcFixture.stderrOf(
            () -> {
              c.close("bye");
              vm.clock.runUntilIdle();
            });
    runExecutor();
    assertThat(seen).containsExactly("Closed");
    assertThat(c.stats().eventsDroppedAtEnd()).isEqualTo(3);
    assertThat(c.stats().eventsDropped()).isEqualTo(3);
    assertThat(log.lines().filter(l -> l.contains("WARN") && l.contains("undelivered")))
        .singleElement(STRING)
        .contains("3 stream events undelivered");
  }

  /**
   * Seed of this test: events parked behind a full PAUSE lane were cleared at the end, uncounted.
   */
  @Test
  void eventsHeldBackByAFullPauseLaneAreCountedAsDroppedAtTheEnd() {
    listenQueued(1, Delivery.Overflow.PAUSE);
    emit(4); // one in the lane, three held back
    c.close("bye");
    vm.clock.runUntilIdle();
    runExecutor();
    assertThat(seen).containsExactly("Closed");
    assertThat(c.stats().eventsDroppedAtEnd()).isEqualTo(4);
    assertThat(c.stats().eventsDropped()).isEqualTo(4);
  }

  /** Seed of this test: cancel() returned, yet the lane's executor still handed out its events. */
  @Test
  void cancelStopsAQueuedLaneAtOnce() {
    StreamSubscription sub = listenQueued(8, Delivery.Overflow.DROP_OLDEST);
    emit(2);
    sub.cancel(); // off the context: the connection unregisters it later
    executor.forEach(Runnable::run); // before the context has run anything
    assertThat(seen).isEmpty();
  }

  @Test
  void cancelAfterTheEndLeavesNothingToHandOut() {
    StreamSubscription sub = listenQueued(8, Delivery.Overflow.DROP_OLDEST);
    emit(2);
    c.close("bye");
    vm.clock.runUntilIdle();
    sub.cancel();
    vm.clock.runUntilIdle();
    runExecutor();
    assertThat(seen).containsExactly("Closed");
    assertThat(vm.events).last().isInstanceOf(LifecycleEvent.Closed.class);
  }
}
