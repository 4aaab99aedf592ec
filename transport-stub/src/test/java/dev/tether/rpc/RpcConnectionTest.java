package dev.tether.rpc;

import static dev.tether.rpc.RpcFixture.JSON;
import static dev.tether.rpc.RpcFixture.f;
import static dev.tether.rpc.RpcFixture.failure;
import static dev.tether.rpc.RpcFixture.ms;
import static dev.tether.rpc.RpcFixture.result;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tether.machine.BackoffPolicy;
import dev.tether.machine.Cause;
import dev.tether.machine.ConnectionState;
import dev.tether.machine.LifecycleEvent;
import dev.tether.stub.rpc.PeerError;
import dev.tether.stub.rpc.ScriptedRpcPeer.PeerDialect;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The JSON-RPC layer on virtual time against the scripted peer: I6, I7, heartbeat, R1 edges. */
class RpcConnectionTest {
  static final Duration LONG = Duration.ofHours(1);

  RpcFixture vm = new RpcFixture(PeerDialect.VM_SERVICE);

  RpcConnection connectVm() {
    return vm.start(vm.builder(Dialect.vmService()));
  }

  /** Some Reconnecting event names a cause of {@code kind} whose message contains {@code words}. */
  void assertLostWith(Cause.Kind kind, String... words) {
    assertThat(vm.events)
        .filteredOn(LifecycleEvent.Reconnecting.class::isInstance)
        .map(e -> ((LifecycleEvent.Reconnecting) e).cause())
        .anySatisfy(
            cause -> {
              assertThat(cause.kind()).isEqualTo(kind);
              for (String w : words) {
                assertThat(cause.message()).contains(w);
              }
            });
  }

  // ------------------------------------------------------------------ requests (I6)

  @Test
  void requestSettlesWithTheResult() {
    RpcConnection c = connectVm();
    CompletableFuture<JsonNode> r = f(c.request("echo", JSON.objectNode().put("x", 1)));
    vm.clock.runUntilIdle();
    assertThat(result(r).get("x").asInt()).isEqualTo(1);
    assertThat(c.stats().succeeded()).isEqualTo(1);
    assertThat(c.stats().inFlight()).isZero();
  }

  @Test
  void remoteErrorCarriesCodeMessageAndData() {
    RpcConnection c = connectVm();
    vm.peer.handle(
        "boom",
        p -> {
          throw new PeerError(42, "nope", JSON.textNode("why"));
        });
    CompletableFuture<JsonNode> r = f(c.request("boom", null));
    vm.clock.runUntilIdle();
    assertThat(failure(r))
        .isInstanceOfSatisfying(
            RpcException.RemoteError.class,
            e -> {
              assertThat(e.code()).isEqualTo(42);
              assertThat(e.remoteMessage()).isEqualTo("nope");
              assertThat(e.data().asText()).isEqualTo("why");
            });
    assertThat(c.stats().remoteErrors()).isEqualTo(1);
  }

  @Test
  void requestTimesOutLeavesNoSlotAndTheLateAnswerIsCounted() {
    RpcConnection c = vm.start(vm.builder(Dialect.vmService()).requestTimeout(ms(500)));
    vm.peer.delay("echo", Duration.ofSeconds(2));
    CompletableFuture<JsonNode> r = f(c.request("echo", null));
    vm.clock.advance(ms(499));
    assertThat(r).isNotDone();
    vm.clock.advance(ms(1));
    assertThat(failure(r)).isInstanceOf(RpcException.Timeout.class);
    assertThat(c.stats().inFlight()).isZero();
    vm.clock.advance(Duration.ofSeconds(2));
    assertThat(c.stats().unmatchedResponses()).isEqualTo(1);
  }

  /** Seed defect: pending requests hung for up to 120 s after a disconnect. */
  @Test
  void pendingRequestFailsAtDisconnectNotMinutesLater() {
    RpcConnection c = connectVm();
    vm.peer.delay("echo", Duration.ofMinutes(10));
    CompletableFuture<JsonNode> r = f(c.request("echo", null));
    vm.clock.advance(Duration.ofSeconds(1));
    Duration lostAt = vm.clock.now();
    List<Duration> settledAt = new ArrayList<>();
    var unused = r.whenComplete((v, e) -> settledAt.add(vm.clock.now()));
    vm.server.dropAll(Cause.of(Cause.Kind.CHANNEL_CLOSED, "gone"));
    vm.clock.runUntilIdle();
    assertThat(settledAt).containsExactly(lostAt);
    assertThat(failure(r))
        .isInstanceOfSatisfying(
            RpcException.ConnectionLost.class,
            e -> assertThat(e.connectionCause().kind()).isEqualTo(Cause.Kind.CHANNEL_CLOSED));
    assertThat(c.stats().inFlight()).isZero();
  }

  /** Seed defect: a global tracker's slot leaked when a resubscribe failed to send. */
  @Test
  void resubscribeSendFailureLeaksNoSlot() {
    RpcConnection c = connectVm();
    c.listen("Isolate", e -> {});
    vm.clock.runUntilIdle();
    assertThat(vm.peer.subscriptions()).containsExactly("Isolate");
    int[] failures = {1};
    vm.failSend = text -> text.contains("streamListen") && failures[0]-- > 0;
    vm.peer.restart();
    vm.clock.runUntil(() -> c.state() instanceof ConnectionState.Connected, LONG);
    assertLostWith(Cause.Kind.HANDSHAKE_FAILED);
    assertThat(c.stats().sendFailures()).isEqualTo(1);
    assertThat(c.stats().inFlight()).isZero();
    assertThat(vm.peer.subscriptions()).containsExactly("Isolate");
  }

  @Test
  void encodeFailureSettlesWithSendFailedAndLeavesNoSlot() {
    RpcConnection c = connectVm();
    CompletableFuture<JsonNode> r =
        f(c.request("echo", JSON.objectNode().putPOJO("x", new Object())));
    vm.clock.runUntilIdle();
    assertThat(failure(r)).isInstanceOf(RpcException.SendFailed.class);
    assertThat(c.stats().inFlight()).isZero();
    assertThat(c.stats().sendFailures()).isEqualTo(1);
  }

  @Test
  void requestsFromOffTheContextShareOneHopAndGoOutInCallOrder() {
    RpcConnection c = connectVm();
    List<Long> order = new ArrayList<>();
    vm.peer.handle(
        "echo",
        params -> {
          order.add(params.get("n").asLong());
          return params;
        });
    long tasksBefore = vm.clock.pendingTasks();
    List<CompletableFuture<JsonNode>> all = new ArrayList<>();
    for (int n = 0; n < 5; n++) {
      all.add(f(c.request("echo", JSON.objectNode().put("n", n)))); // the test thread: off-context
    }
    assertThat(vm.clock.pendingTasks() - tasksBefore).as("one hop for the five").isOne();
    vm.clock.runUntilIdle();
    assertThat(order).containsExactly(0L, 1L, 2L, 3L, 4L);
    assertThat(all).allSatisfy(r -> assertThat(r).isCompleted());
    c.request("echo", JSON.objectNode().put("n", 5)); // a later call hops again
    vm.clock.runUntilIdle();
    assertThat(order).endsWith(5L);
  }

  @Test
  void paramsAreCapturedWhenTheRequestIsMade() {
    RpcConnection c = connectVm();
    com.fasterxml.jackson.databind.node.ObjectNode params = JSON.objectNode().put("x", 1);
    CompletableFuture<JsonNode> r = f(c.request("echo", params));
    params.put("x", 2).put("later", true); // before the connection's context has sent it
    vm.clock.runUntilIdle();
    assertThat(result(r).toString()).isEqualTo("{\"x\":1}");
  }

  @Test
  void callbacksOnTheReturnedStageReceiveTheRpcExceptionItself() {
    RpcConnection c = connectVm();
    List<Throwable> seen = new ArrayList<>();
    c.request("echo", JSON.objectNode().putPOJO("x", new Object()))
        .whenComplete((v, e) -> seen.add(e));
    vm.clock.runUntilIdle();
    assertThat(seen).singleElement().isInstanceOf(RpcException.SendFailed.class);
  }

  @Test
  void ownThreadStopsAtTerminationAndLaterRequestsStillSettle() throws Exception {
    RpcConnection c =
        RpcConnection.builder()
            .transport(
                (uri, listener) ->
                    CompletableFuture.failedFuture(new java.io.IOException("refused")))
            .endpoint(RpcFixture.SERVER)
            .policy(BackoffPolicy.builder().failFastOnFirstConnect(true).build())
            .build();
    c.start();
    assertThat(c.terminated().toCompletableFuture().get(10, TimeUnit.SECONDS))
        .isInstanceOf(ConnectionState.PermanentlyDisconnected.class);
    CompletableFuture<JsonNode> late = f(c.request("echo", null));
    assertThat(catchThrowable(() -> late.get(10, TimeUnit.SECONDS)))
        .hasCauseInstanceOf(RpcException.ConnectionLost.class);
  }

  @Test
  void idsNeverRepeatOverTheConnectionsLife() throws Exception {
    RpcConnection c = connectVm();
    c.listen("Isolate", e -> {});
    for (int round = 0; round < 3; round++) {
      for (int i = 0; i < 5; i++) {
        c.request("echo", null);
      }
      vm.clock.runUntilIdle();
      vm.peer.restart();
      vm.clock.advance(Duration.ofSeconds(5));
    }
    ObjectMapper m = new ObjectMapper();
    Set<Long> ids = new HashSet<>();
    for (String frame : vm.sent) {
      assertThat(ids.add(m.readTree(frame).get("id").asLong())).as(frame).isTrue();
    }
    assertThat(ids).hasSize(vm.sent.size()).hasSizeGreaterThanOrEqualTo(15 + 3);
  }

  @Test
  void failsFastWhileNotConnected() {
    vm.server.down();
    RpcConnection c = vm.start(vm.builder(Dialect.vmService()));
    CompletableFuture<JsonNode> r = f(c.request("echo", null));
    vm.clock.runUntilIdle();
    assertThat(failure(r)).isInstanceOf(RpcException.NotConnected.class);
    assertThat(c.stats().notConnected()).isEqualTo(1);
  }

  @Test
  void waitForReadyQueuesBoundedUntilConnectedOrDeadline() {
    vm.server.down();
    RpcConnection c =
        vm.start(vm.builder(Dialect.vmService()).waitForReady(true, 2).requestTimeout(ms(1500)));
    CompletableFuture<JsonNode> a = f(c.request("echo", JSON.arrayNode().add(1)));
    CompletableFuture<JsonNode> b =
        f(c.request("echo", JSON.arrayNode().add(2), RequestOptions.defaults().timeout(LONG)));
    CompletableFuture<JsonNode> full = f(c.request("echo", null));
    vm.clock.runUntilIdle();
    assertThat(failure(full)).isInstanceOf(RpcException.Rejected.class);
    assertThat(c.stats().waiting()).isEqualTo(2);
    vm.clock.advance(ms(1500));
    assertThat(failure(a)).isInstanceOf(RpcException.Timeout.class);
    vm.server.up();
    vm.clock.runUntil(b::isDone, LONG);
    assertThat(result(b).get(0).asInt()).isEqualTo(2);
    assertThat(c.stats().waiting()).isZero();
    assertThat(c.stats().inFlight()).isZero();
  }

  @Test
  void idempotentRequestIsReplayedAfterReconnect() {
    RpcConnection c = connectVm();
    vm.peer.delay("echo", Duration.ofSeconds(1));
    CompletableFuture<JsonNode> once =
        f(c.request("echo", JSON.arrayNode().add("x"), RequestOptions.defaults().idempotent(true)));
    CompletableFuture<JsonNode> plain = f(c.request("echo", JSON.arrayNode().add("y")));
    vm.clock.advance(ms(100));
    vm.peer.restart();
    vm.clock.runUntil(once::isDone, LONG);
    assertThat(failure(plain)).isInstanceOf(RpcException.ConnectionLost.class);
    assertThat(result(once).get(0).asText()).isEqualTo("x");
    assertThat(c.stats().replayed()).isEqualTo(1);
  }

  @Test
  void closeFailsPendingRequestsAndWaitingOnes() {
    RpcConnection c = connectVm();
    vm.peer.silent(true);
    CompletableFuture<JsonNode> r = f(c.request("echo", null));
    vm.clock.runUntilIdle();
    c.close("bye");
    vm.clock.runUntilIdle();
    assertThat(failure(r))
        .isInstanceOf(RpcException.ConnectionLost.class)
        .hasMessageContaining("bye");
    CompletableFuture<JsonNode> after = f(c.request("echo", null));
    vm.clock.runUntilIdle();
    assertThat(failure(after)).isInstanceOf(RpcException.ConnectionLost.class);
    assertThat(vm.clock.pendingTasks()).isZero();
  }

  @Test
  void rejectsBadArgumentsAtTheEdge() {
    RpcConnection c = connectVm();
    assertThatThrownBy(() -> c.request("", null)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> c.request("m", JSON.numberNode(1)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("NUMBER");
    assertThatThrownBy(() -> c.listen("", e -> {})).isInstanceOf(IllegalArgumentException.class);
  }

  // ------------------------------------------------------------------ streams (I7)

  @Test
  void reconnectedImpliesEveryDesiredStreamIsSubscribed() {
    RpcConnection c = connectVm();
    c.listen("Isolate", e -> {});
    c.listen("Debug", e -> {});
    vm.clock.runUntilIdle();
    List<Set<String>> atReconnected = new ArrayList<>();
    c.subscribe(
        e -> {
          if (e instanceof LifecycleEvent.Reconnected) {
            atReconnected.add(vm.peer.subscriptions());
          }
        });
    vm.peer.restart();
    vm.clock.runUntil(() -> !atReconnected.isEmpty(), LONG);
    assertThat(atReconnected).containsExactly(Set.of("Isolate", "Debug"));
  }

  @Test
  void handlersShareOneServerSubscriptionAndTheLastCancelsIt() {
    RpcConnection c = connectVm();
    List<String> got = new ArrayList<>();
    StreamSubscription a = c.listen("Isolate", e -> got.add("a" + e.asInt()));
    StreamSubscription b = c.listen("Isolate", e -> got.add("b" + e.asInt()));
    vm.clock.runUntilIdle();
    assertThat(vm.peer.received("streamListen")).isEqualTo(1);
    vm.peer.emit("Isolate", JSON.numberNode(1));
    vm.clock.runUntilIdle();
    a.cancel();
    vm.clock.runUntilIdle();
    assertThat(vm.peer.subscriptions()).containsExactly("Isolate");
    b.cancel();
    vm.clock.runUntilIdle();
    assertThat(vm.peer.subscriptions()).isEmpty();
    assertThat(got).containsExactly("a1", "b1");
  }

  @Test
  void resubscriptionFailureIsReportedNotFireAndForget() {
    vm.peer.refuse("Secret");
    RpcConnection c = connectVm();
    List<RpcException> failures = new ArrayList<>();
    c.listen("Secret", RpcFixture.failuresInto(failures));
    vm.clock.runUntilIdle();
    vm.peer.restart();
    vm.clock.runUntil(() -> failures.size() == 2, LONG);
    assertThat(failures).hasSize(2).allMatch(f -> f.kind() == RpcException.Kind.REMOTE_ERROR);
    assertThat(c.stats().resubscribeFailures()).isEqualTo(2);
    assertThat(c.state()).isInstanceOf(ConnectionState.Connected.class);
  }

  @Test
  void throwingHandlerDoesNotStopOthers() {
    RpcConnection c = connectVm();
    List<JsonNode> got = new ArrayList<>();
    c.listen(
        "Isolate",
        e -> {
          throw new IllegalStateException("handler bug");
        });
    c.listen("Isolate", got::add);
    vm.clock.runUntilIdle();
    vm.peer.emitEvery("Isolate", ms(10), 3, n -> JSON.numberNode(n));
    vm.clock.advance(Duration.ofSeconds(1));
    assertThat(got).hasSize(3);
    assertThat(c.stats().handlerErrors()).isEqualTo(3);
  }

  @Test
  void rpcWebsocketsDialectSubscribesAndRoutesNotifications() {
    RpcFixture ws = new RpcFixture(PeerDialect.RPC_WEBSOCKETS);
    ws.peer.refuse("bad");
    RpcConnection c = ws.start(ws.builder(Dialect.rpcWebsockets()));
    List<JsonNode> got = new ArrayList<>();
    List<RpcException> refused = new ArrayList<>();
    c.listen("feed", got::add);
    c.listen("bad", RpcFixture.failuresInto(refused));
    ws.clock.runUntilIdle();
    ws.peer.emit("feed", JSON.arrayNode().add(7));
    ws.clock.runUntilIdle();
    assertThat(ws.peer.subscriptions()).containsExactly("feed");
    assertThat(got).hasSize(1);
    assertThat(refused).hasSize(1);
  }

  @Test
  void plainDialectDeliversEveryNotificationByMethod() {
    RpcFixture p = new RpcFixture(PeerDialect.PLAIN);
    RpcConnection c = p.start(p.builder(Dialect.plain()));
    List<JsonNode> got = new ArrayList<>();
    c.listen("tick", got::add);
    p.clock.runUntilIdle();
    p.peer.emit("tick", JSON.objectNode().put("n", 1));
    p.peer.emit("other", JSON.objectNode());
    p.clock.runUntilIdle();
    assertThat(got).hasSize(1);
    assertThat(c.stats().unroutedNotifications()).isEqualTo(1);
    assertThat(p.sent).isEmpty();
  }

  // ------------------------------------------------------------------ data lane

  /** Ten events into a queue of three whose executor runs only afterwards. */
  List<Integer> tenEventsThroughAQueueOfThree(RpcConnection c, Delivery.Overflow overflow) {
    List<Runnable> executor = new ArrayList<>();
    List<Integer> got = new ArrayList<>();
    c.listen("Isolate", e -> got.add(e.asInt()), Delivery.queued(executor::add, 3, overflow));
    vm.clock.runUntilIdle();
    for (int i = 0; i < 10; i++) {
      vm.peer.emit("Isolate", JSON.numberNode(i));
    }
    vm.clock.runUntilIdle();
    executor.forEach(Runnable::run);
    return got;
  }

  @Test
  void queuedDeliveryDropsOldestWhenFullAndCountsIt() {
    RpcConnection c = connectVm();
    assertThat(tenEventsThroughAQueueOfThree(c, Delivery.Overflow.DROP_OLDEST))
        .containsExactly(7, 8, 9);
    assertThat(c.stats().eventsDropped()).isEqualTo(7);
  }

  @Test
  void queuedDeliveryDropsNewestWhenFull() {
    RpcConnection c = connectVm();
    assertThat(tenEventsThroughAQueueOfThree(c, Delivery.Overflow.DROP_NEWEST))
        .containsExactly(0, 1, 2);
    assertThat(c.stats().eventsDropped()).isEqualTo(7);
  }

  @Test
  void pauseOverflowHoldsEventsBackAndLosesNothing() {
    RpcConnection c = connectVm();
    List<Runnable> executor = new ArrayList<>();
    List<Integer> got = new ArrayList<>();
    c.listen(
        "Isolate",
        e -> got.add(e.asInt()),
        Delivery.queued(executor::add, 2, Delivery.Overflow.PAUSE));
    vm.clock.runUntilIdle();
    for (int i = 0; i < 10; i++) {
      vm.peer.emit("Isolate", JSON.numberNode(i));
    }
    CompletableFuture<JsonNode> r = f(c.request("echo", JSON.arrayNode()));
    vm.clock.runUntilIdle();
    assertThat(r).as("answers still flow while events wait").isDone();
    assertThat(got).isEmpty();
    while (!executor.isEmpty()) {
      executor.remove(0).run();
      vm.clock.runUntilIdle();
    }
    assertThat(got).containsExactly(0, 1, 2, 3, 4, 5, 6, 7, 8, 9);
    assertThat(r).isDone();
    assertThat(c.stats().eventsDropped()).isZero();
  }

  @Test
  void pauseBacklogPastItsBoundLosesTheChannelWithAClearCause() {
    vm.canPause = false; // the last resort: only a transport that cannot pause reaches the bound
    RpcConnection c = vm.start(vm.builder(Dialect.vmService()).maxBacklogFrames(5));
    c.listen("Isolate", e -> {}, Delivery.queued(r -> {}, 1, Delivery.Overflow.PAUSE));
    vm.clock.runUntilIdle();
    for (int i = 0; i < 1 + 5 + 1; i++) {
      vm.peer.emit("Isolate", JSON.numberNode(i));
    }
    vm.clock.runUntilIdle();
    assertLostWith(Cause.Kind.PROTOCOL_ERROR, "backlog exceeded 5");
    assertThat(c.stats().backlogOverflows()).isEqualTo(1);
  }

  /** Seed defect: lifecycle events were dropped when a bounded channel was full (try_send). */
  @Test
  void lifecycleEventsAreNotHeldBackByAFullDataLane() {
    RpcConnection c = connectVm();
    List<Runnable> neverRun = new ArrayList<>();
    c.listen("Isolate", e -> {}, Delivery.queued(neverRun::add, 1, Delivery.Overflow.PAUSE));
    vm.clock.runUntilIdle();
    vm.peer.emit("Isolate", JSON.numberNode(1));
    vm.peer.emit("Isolate", JSON.numberNode(2));
    vm.clock.runUntilIdle();
    vm.peer.silent(true);
    CompletableFuture<JsonNode> r = f(c.request("echo", null));
    vm.clock.runUntilIdle();
    vm.peer.silent(false);
    vm.peer.restart();
    vm.clock.runUntil(() -> c.stats().reconnects() == 1, LONG);
    assertThat(vm.events)
        .extracting(LifecycleEvent::name)
        .containsSubsequence("Connected", "Reconnecting", "Reconnected");
    assertThat(failure(r)).isInstanceOf(RpcException.ConnectionLost.class);
    vm.peer.emit("Isolate", JSON.numberNode(3));
    CompletableFuture<JsonNode> after = f(c.request("echo", JSON.arrayNode().add(3)));
    vm.clock.runUntilIdle();
    assertThat(result(after).get(0).asInt()).as("answers flow while events wait").isEqualTo(3);
    neverRun.remove(0).run(); // the consumer catches up: held-back events of both channels flow
    vm.clock.runUntilIdle();
    while (!neverRun.isEmpty()) {
      neverRun.remove(0).run();
      vm.clock.runUntilIdle();
    }
    assertThat(c.stats().eventsReceived()).isEqualTo(3);
    assertThat(c.stats().eventsDropped()).isZero();
  }

  @Test
  void failingHandshakeHookFailsTheAttempt() {
    int[] calls = {0};
    RpcConnection c =
        vm.start(
            vm.builder(Dialect.vmService())
                .handshakeHook(
                    (caller, epoch) ->
                        calls[0]++ == 0
                            ? CompletableFuture.failedFuture(
                                new IllegalStateException("no isolate"))
                            : CompletableFuture.completedFuture(null)));
    vm.clock.runUntil(() -> c.state() instanceof ConnectionState.Connected, LONG);
    assertThat(vm.events.get(1))
        .isInstanceOfSatisfying(
            LifecycleEvent.Connecting.class,
            e -> {
              assertThat(e.lastFailure().orElseThrow().kind())
                  .isEqualTo(Cause.Kind.HANDSHAKE_FAILED);
              assertThat(e.lastFailure().orElseThrow().message()).contains("no isolate");
            });
  }

  // ------------------------------------------------------------------ heartbeat, frame size

  @Test
  void heartbeatMissesDeclareAHalfOpenChannelLost() {
    RpcConnection c =
        vm.start(
            vm.builder(Dialect.vmService())
                .heartbeat(new Heartbeat(ms(1000), ms(200), 3, java.util.Optional.empty())));
    vm.clock.advance(Duration.ofSeconds(5));
    assertThat(vm.peer.received("getVersion")).isEqualTo(5);
    assertThat(c.stats().heartbeatMisses()).isZero();
    vm.peer.silent(true);
    vm.clock.runUntil(() -> c.state() instanceof ConnectionState.Reconnecting, LONG);
    LifecycleEvent.Reconnecting r =
        (LifecycleEvent.Reconnecting) vm.events.get(vm.events.size() - 1);
    assertThat(r.cause().kind()).isEqualTo(Cause.Kind.HEARTBEAT_MISSED);
    assertThat(c.stats().heartbeatMisses()).isEqualTo(3);
    vm.peer.silent(false);
    vm.clock.runUntil(() -> c.state() instanceof ConnectionState.Connected, LONG);
  }

  @Test
  void heartbeatWithoutProbeIsRejectedAtBuild() {
    assertThatThrownBy(() -> vm.builder(Dialect.plain()).heartbeat(Heartbeat.defaults()).build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("plain");
  }

  @Test
  void oversizedFrameIsATransportFailureWithAClearCause() {
    RpcConnection c = vm.start(vm.builder(Dialect.vmService()).maxFrameBytes(1024));
    vm.peer.pushRaw(new byte[1025]);
    vm.clock.runUntilIdle();
    assertLostWith(Cause.Kind.FRAME_TOO_LARGE, "1025", "1024");
    assertThat(c.stats().oversizedFrames()).isEqualTo(1);
  }

  @Test
  void oversizedFrameDuringTheHandshakeFailsTheAttempt() {
    vm.peer.delay("streamListen", ms(100));
    RpcConnection c = vm.start(vm.builder(Dialect.vmService()).maxFrameBytes(1024));
    c.listen("Isolate", e -> {});
    vm.clock.runUntilIdle();
    vm.peer.restart();
    vm.clock.advance(ms(150)); // the reconnect attempt is now waiting for streamListen's answer
    vm.clock.runUntil(() -> vm.server.openCount() == 1, LONG);
    vm.peer.pushRaw(new byte[2048]);
    vm.clock.runUntilIdle();
    assertLostWith(Cause.Kind.HANDSHAKE_FAILED, "FRAME_TOO_LARGE", "2048");
    assertThat(c.stats().oversizedFrames()).isEqualTo(1);
    vm.clock.runUntil(() -> c.stats().reconnects() == 1, LONG);
    assertThat(vm.peer.subscriptions()).containsExactly("Isolate");
  }

  @Test
  void handshakeHookRunsOnEveryChannelBeforeConnected() {
    List<Long> hooks = new ArrayList<>();
    RpcConnection c =
        vm.start(
            vm.builder(Dialect.vmService())
                .handshakeHook(
                    (caller, epoch) ->
                        caller.request("getVersion", null).thenAccept(v -> hooks.add(epoch))));
    assertThat(hooks).containsExactly(1L);
    vm.peer.restart();
    vm.clock.runUntil(() -> hooks.size() == 2, LONG);
    assertThat(hooks).containsExactly(1L, 2L);
    assertThat(c.stats().inFlight()).isZero();
  }
}
