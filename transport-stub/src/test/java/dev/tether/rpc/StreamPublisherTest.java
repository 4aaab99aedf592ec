package dev.tether.rpc;

import static dev.tether.rpc.RpcFixture.JSON;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tether.machine.Cause;
import dev.tether.stub.StubConnection;
import dev.tether.stub.rpc.ScriptedRpcPeer.PeerDialect;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Flow;
import org.junit.jupiter.api.Test;

/**
 * {@link StreamPublisher} on the stub transport and virtual time: a subscriber's demand is the
 * connection's read flow control (R4), and the connection's end is the stream's end.
 */
class StreamPublisherTest {
  private static final int PREFETCH = 4;
  private static final int EVENTS = 3000; // past the inbound look-ahead (1024) + the prefetch

  private final RpcFixture vm = new RpcFixture(PeerDialect.VM_SERVICE);

  /** Records signals; requests only what the test asks for. */
  static class Recorder implements Flow.Subscriber<JsonNode> {
    final List<JsonNode> items = new ArrayList<>();
    final List<String> signals = new ArrayList<>();
    Throwable error;
    Flow.Subscription subscription;

    @Override
    public void onSubscribe(Flow.Subscription s) {
      subscription = s;
      signals.add("subscribe");
    }

    @Override
    public void onNext(JsonNode item) {
      items.add(item);
    }

    @Override
    public void onError(Throwable t) {
      error = t;
      signals.add("error");
    }

    @Override
    public void onComplete() {
      signals.add("complete");
    }
  }

  private RpcConnection connect() {
    return vm.start(vm.builder(Dialect.vmService()));
  }

  private Recorder subscribe(StreamPublisher.Builder options) {
    Recorder r = new Recorder();
    options.executor(Runnable::run).prefetch(PREFETCH).build().subscribe(r);
    vm.clock.runUntilIdle();
    return r;
  }

  private void emit(int count) {
    for (int i = 0; i < count; i++) {
      vm.peer.emit("Isolate", JSON.numberNode(i));
    }
    vm.clock.runUntilIdle();
  }

  private StubConnection socket() {
    return vm.server.connections().get(0);
  }

  @Test
  void unmetDemandPausesReadingAndDemandResumesIt() {
    RpcConnection c = connect();
    Recorder r = subscribe(StreamPublisher.builder(c, "Isolate"));
    r.subscription.request(2);
    emit(EVENTS);

    assertThat(r.items).extracting(JsonNode::asInt).containsExactly(0, 1);
    assertThat(socket().clientReadingPaused()).as("the socket stopped reading").isTrue();
    assertThat(c.stats().framesIn()).as("the rest waits with the server").isLessThan(EVENTS);

    r.subscription.request(Long.MAX_VALUE);
    vm.clock.runUntilIdle();
    assertThat(r.items).hasSize(EVENTS);
    assertThat(r.items.get(EVENTS - 1).asInt()).isEqualTo(EVENTS - 1);
    assertThat(socket().clientReadingPaused()).isFalse();
    assertThat(c.stats().eventsDropped()).as("nothing dropped").isZero();
  }

  @Test
  void closeCompletesAfterTheDeliveredEvents() {
    RpcConnection c = connect();
    Recorder r = subscribe(StreamPublisher.builder(c, "Isolate"));
    r.subscription.request(10);
    emit(3);
    c.close();
    vm.clock.runUntilIdle();

    assertThat(r.items).hasSize(3);
    assertThat(r.signals).containsExactly("subscribe", "complete");
    assertThat(vm.peer.subscriptions()).as("unsubscribed at the end").isEmpty();
  }

  @Test
  void permanentDisconnectSignalsConnectionEnded() {
    RpcConnection c =
        vm.start(
            vm.builder(Dialect.vmService())
                .policy(dev.tether.machine.BackoffPolicy.builder().maxAttempts(1).build()));
    Recorder r = subscribe(StreamPublisher.builder(c, "Isolate"));
    vm.server.down();
    vm.server.dropAll(Cause.of(Cause.Kind.CHANNEL_CLOSED, "test"));
    vm.clock.advance(java.time.Duration.ofMinutes(5));

    assertThat(r.signals).containsExactly("subscribe", "error");
    assertThat(r.error).isInstanceOf(StreamPublisher.ConnectionEnded.class);
  }

  @Test
  void nonPositiveRequestSignalsIllegalArgumentNamingRule309() {
    RpcConnection c = connect();
    Recorder r = subscribe(StreamPublisher.builder(c, "Isolate"));
    r.subscription.request(0);
    vm.clock.runUntilIdle();

    assertThat(r.signals).containsExactly("subscribe", "error");
    assertThat(r.error).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("3.9");
    emit(3);
    assertThat(r.items).isEmpty();
  }

  @Test
  void completeAfterEndsRightAfterTheMarkedEvent() {
    RpcConnection c = connect();
    Recorder r =
        subscribe(StreamPublisher.builder(c, "Isolate").completeAfter(e -> e.asInt() == 2));
    r.subscription.request(100);
    emit(5);

    assertThat(r.items).extracting(JsonNode::asInt).containsExactly(0, 1, 2);
    assertThat(r.signals).containsExactly("subscribe", "complete");
    assertThat(vm.peer.subscriptions()).as("the stream was unsubscribed").isEmpty();
  }

  @Test
  void cancelStopsDeliveryAndUnsubscribes() {
    RpcConnection c = connect();
    Recorder r = subscribe(StreamPublisher.builder(c, "Isolate"));
    r.subscription.request(1);
    emit(1);
    r.subscription.cancel();
    r.subscription.request(5);
    emit(5);

    assertThat(r.items).hasSize(1);
    assertThat(r.signals).containsExactly("subscribe");
    assertThat(vm.peer.subscriptions()).isEmpty();
  }

  /**
   * A subscriber that requests inside {@code onSubscribe} and keeps it open while events arrive
   * (and, if {@code requestZero}, asks for zero instead): records every signal that overlaps it.
   */
  final class Holding extends Recorder {
    final boolean requestZero;
    final List<String> duringOnSubscribe = new ArrayList<>();
    boolean inOnSubscribe;

    Holding(boolean requestZero) {
      this.requestZero = requestZero;
    }

    @Override
    public void onSubscribe(Flow.Subscription s) {
      inOnSubscribe = true;
      super.onSubscribe(s);
      s.request(requestZero ? 0 : 10);
      vm.clock.runUntilIdle(); // the stream is subscribed on the server meanwhile
      emit(3);
      inOnSubscribe = false;
    }

    @Override
    public void onNext(JsonNode item) {
      if (inOnSubscribe) {
        duringOnSubscribe.add("next " + item);
      }
      super.onNext(item);
    }

    @Override
    public void onError(Throwable t) {
      if (inOnSubscribe) {
        duringOnSubscribe.add("error " + t);
      }
      super.onError(t);
    }
  }

  @Test
  void noOnNextBeforeOnSubscribeReturnsThoughItRequestedAndEventsArrived() {
    RpcConnection c = connect();
    Holding h = new Holding(false);
    StreamPublisher.builder(c, "Isolate")
        .executor(Runnable::run) // an executor that runs at once: any overlap is certain
        .prefetch(PREFETCH)
        .build()
        .subscribe(h);
    vm.clock.runUntilIdle();

    assertThat(h.duringOnSubscribe).as("signals inside onSubscribe (rule 1.3)").isEmpty();
    assertThat(h.items)
        .as("delivered once it returned")
        .extracting(JsonNode::asInt)
        .containsExactly(0, 1, 2);
  }

  @Test
  void errorForANonPositiveRequestInsideOnSubscribeWaitsUntilItReturns() {
    RpcConnection c = connect();
    Holding h = new Holding(true);
    StreamPublisher.builder(c, "Isolate")
        .executor(Runnable::run)
        .prefetch(PREFETCH)
        .build()
        .subscribe(h);
    vm.clock.runUntilIdle();

    assertThat(h.duringOnSubscribe).as("signals inside onSubscribe (rules 1.3, 3.9)").isEmpty();
    assertThat(h.signals).containsExactly("subscribe", "error");
    assertThat(h.error).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("3.9");
    assertThat(h.items).isEmpty();
  }

  @Test
  void cancelWithQueuedEventsCountsThemAsDroppedAndWarnsOnce() {
    RpcConnection c = connect();
    Recorder r = subscribe(StreamPublisher.builder(c, "Isolate"));
    emit(3); // queued: nothing was requested

    String log = RpcFixture.stderrOf(() -> r.subscription.cancel());
    vm.clock.runUntilIdle();

    assertThat(c.stats().eventsDropped()).isEqualTo(3);
    assertThat(log.lines().filter(l -> l.contains("WARN")))
        .singleElement()
        .asString()
        .contains("cancelled with 3 events queued");
    assertThat(r.items).isEmpty();
  }
}
