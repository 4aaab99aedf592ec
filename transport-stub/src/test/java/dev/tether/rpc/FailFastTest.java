package dev.tether.rpc;

import static dev.tether.rpc.RpcFixture.JSON;
import static dev.tether.rpc.RpcFixture.f;
import static dev.tether.rpc.RpcFixture.failure;
import static dev.tether.rpc.RpcFixture.ms;
import static dev.tether.rpc.RpcFixture.result;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tether.machine.ConnectionState;
import dev.tether.stub.StubEndpoint;
import dev.tether.stub.rpc.ScriptedRpcPeer.PeerDialect;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/**
 * {@link FailFast}: a request that does not wait for ready waits for the attempt in progress as
 * long as none of this outage has failed (gRPC's {@code IDLE}/{@code CONNECTING}), fails at once
 * after one has (gRPC's sticky {@code TRANSIENT_FAILURE}), and {@link FailFast#WHEN_NOT_CONNECTED}
 * keeps the old fail-at-once behaviour. On virtual time.
 */
class FailFastTest {
  static final Duration LONG = Duration.ofMinutes(5);
  static final Duration ACCEPT_AFTER = Duration.ofMillis(800);

  final RpcFixture vm = new RpcFixture(PeerDialect.PLAIN);

  RpcConnection start(FailFast mode) {
    return vm.start(vm.builder(Dialect.plain()).failFast(mode));
  }

  RpcConnection start() {
    return vm.start(vm.builder(Dialect.plain()));
  }

  /** Seed of this test: {@code rpc.start(); rpc.request(...)} failed at once with NotConnected. */
  @Test
  void obviousFirstProgramWorksAgainstAServerThatAcceptsAfterADelay() {
    vm.server.latency(ACCEPT_AFTER);
    RpcConnection rpc = start();
    CompletableFuture<JsonNode> version = f(rpc.request("getVersion", null));
    vm.clock.runUntilIdle();
    assertThat(version).as("waits for the first attempt").isNotDone();
    assertThat(rpc.stats().waiting()).isOne();

    vm.clock.runUntil(version::isDone, LONG);
    assertThat(vm.clock.now()).isEqualTo(ACCEPT_AFTER);
    assertThat(result(version).get("major").asInt()).isEqualTo(3);
    assertThat(rpc.stats().notConnected()).isZero();
    assertThat(rpc.stats().waiting()).isZero();
  }

  @Test
  void strictOptionFailsAtOnceWhileTheFirstAttemptIsUnderWay() {
    vm.server.latency(ACCEPT_AFTER);
    RpcConnection rpc = start(FailFast.WHEN_NOT_CONNECTED);
    CompletableFuture<JsonNode> version = f(rpc.request("getVersion", null));
    vm.clock.runUntilIdle();
    assertThat(failure(version))
        .isInstanceOf(RpcException.NotConnected.class)
        .hasMessageContaining("Connecting (1/10)");
    assertThat(rpc.stats().notConnected()).isOne();
  }

  @Test
  void requestMadeBeforeStartWaitsForTheConnection() {
    RpcConnection rpc = vm.builder(Dialect.plain()).build();
    CompletableFuture<JsonNode> echo = f(rpc.request("echo", JSON.arrayNode().add(1)));
    vm.clock.runUntilIdle();
    assertThat(echo).isNotDone();
    rpc.start();
    vm.clock.runUntil(echo::isDone, LONG);
    assertThat(result(echo).get(0).asInt()).isEqualTo(1);
  }

  @Test
  void strictOptionFailsARequestMadeBeforeStart() {
    RpcConnection rpc = vm.builder(Dialect.plain()).failFast(FailFast.WHEN_NOT_CONNECTED).build();
    CompletableFuture<JsonNode> echo = f(rpc.request("echo", null));
    vm.clock.runUntilIdle();
    assertThat(failure(echo))
        .isInstanceOf(RpcException.NotConnected.class)
        .hasMessageContaining("Idle");
  }

  @Test
  void requestWaitingForTheFirstAttemptFailsNotConnectedWhenItFails() {
    vm.server.mode(StubEndpoint.Mode.REFUSE).latency(ACCEPT_AFTER);
    RpcConnection rpc = start();
    CompletableFuture<JsonNode> echo = f(rpc.request("echo", null));
    vm.clock.advance(ACCEPT_AFTER.minusNanos(1));
    assertThat(echo).isNotDone();
    vm.clock.advance(Duration.ofNanos(1));
    assertThat(rpc.state()).isInstanceOf(ConnectionState.Connecting.class);
    assertThat(failure(echo))
        .isInstanceOf(RpcException.NotConnected.class)
        .hasMessageContaining("failed")
        .hasMessageContaining("Connecting (2/10)");
    assertThat(rpc.stats().waiting()).isZero();
  }

  @Test
  void failsFastOnceAnAttemptHasFailedAlsoWhileTheNextOneIsDialling() {
    vm.server.mode(StubEndpoint.Mode.REFUSE).latency(ACCEPT_AFTER);
    RpcConnection rpc = start();
    vm.clock.advance(ACCEPT_AFTER); // attempt 1 refused: waiting for attempt 2's backoff delay
    CompletableFuture<JsonNode> inBackoff = f(rpc.request("echo", null));
    vm.clock.runUntilIdle();
    assertThat(failure(inBackoff)).isInstanceOf(RpcException.NotConnected.class);

    vm.clock.advance(Duration.ofMillis(300)); // past the delay (200 ms ± 20 %): attempt 2 dials
    assertThat(vm.server.refused()).as("attempt 2 is still dialling").isOne();
    CompletableFuture<JsonNode> dialling = f(rpc.request("echo", null));
    vm.clock.runUntilIdle();
    assertThat(failure(dialling))
        .isInstanceOf(RpcException.NotConnected.class)
        .hasMessageContaining("Connecting (2/10)");
  }

  @Test
  void requestMadeRightAfterALossWaitsForTheFirstReconnectAttempt() {
    RpcConnection rpc = start();
    vm.server.latency(ACCEPT_AFTER);
    vm.peer.restart();
    vm.clock.runUntilIdle();
    assertThat(rpc.state()).isInstanceOf(ConnectionState.Reconnecting.class);
    CompletableFuture<JsonNode> echo = f(rpc.request("echo", JSON.arrayNode().add(2)));
    vm.clock.runUntil(echo::isDone, LONG);
    assertThat(result(echo).get(0).asInt()).isEqualTo(2);
    assertThat(rpc.stats().reconnects()).isOne();
  }

  @Test
  void requestMadeAfterTheFirstReconnectAttemptFailedFailsAtOnce() {
    RpcConnection rpc = start();
    vm.server.down();
    vm.clock.runUntil(
        () -> rpc.state() instanceof ConnectionState.Reconnecting r && r.attempt() == 2, LONG);
    CompletableFuture<JsonNode> echo = f(rpc.request("echo", null));
    vm.clock.runUntilIdle();
    assertThat(failure(echo))
        .isInstanceOf(RpcException.NotConnected.class)
        .hasMessageContaining("Reconnecting (2/10)");
  }

  @Test
  void requestWaitingForAnAttemptTimesOutAtItsDeadline() {
    vm.server.mode(StubEndpoint.Mode.HANG);
    RpcConnection rpc = start();
    CompletableFuture<JsonNode> echo =
        f(rpc.request("echo", null, RequestOptions.defaults().timeout(ms(1500))));
    vm.clock.advance(ms(1500).minusNanos(1));
    assertThat(echo).isNotDone();
    vm.clock.advance(Duration.ofNanos(1));
    assertThat(failure(echo))
        .isInstanceOf(RpcException.Timeout.class)
        .hasMessageContaining("waited for the connection, Connecting (1/10), and was not sent");
    assertThat(rpc.stats().waiting()).isZero();
    assertThat(rpc.stats().timeouts()).isOne();
  }

  @Test
  void requestsWaitingForAnAttemptShareTheBoundedWaitQueue() {
    vm.server.latency(ACCEPT_AFTER);
    RpcConnection rpc = vm.start(vm.builder(Dialect.plain()).waitForReady(false, 2));
    CompletableFuture<JsonNode> a = f(rpc.request("echo", JSON.arrayNode().add("a")));
    CompletableFuture<JsonNode> b = f(rpc.request("echo", JSON.arrayNode().add("b")));
    CompletableFuture<JsonNode> full = f(rpc.request("echo", JSON.arrayNode().add("c")));
    vm.clock.runUntilIdle();
    assertThat(failure(full)).isInstanceOf(RpcException.Rejected.class);
    vm.clock.runUntil(() -> a.isDone() && b.isDone(), LONG);
    assertThat(result(a).get(0).asText()).isEqualTo("a");
    assertThat(result(b).get(0).asText()).isEqualTo("b");
  }

  @Test
  void waitForReadyRequestWaitsThroughFailedAttempts() {
    vm.server.mode(StubEndpoint.Mode.REFUSE).latency(ACCEPT_AFTER);
    RpcConnection rpc = start();
    CompletableFuture<JsonNode> ready =
        f(
            rpc.request(
                "echo", JSON.arrayNode().add(3), RequestOptions.defaults().waitForReady(true)));
    CompletableFuture<JsonNode> plain = f(rpc.request("echo", null));
    vm.clock.advance(ACCEPT_AFTER);
    assertThat(failure(plain)).isInstanceOf(RpcException.NotConnected.class);
    assertThat(ready).isNotDone();
    vm.server.up();
    vm.clock.runUntil(ready::isDone, LONG);
    assertThat(result(ready).get(0).asInt()).isEqualTo(3);
  }
}
