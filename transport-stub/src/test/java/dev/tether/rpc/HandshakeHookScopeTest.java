package dev.tether.rpc;

import static dev.tether.rpc.RpcFixture.JSON;
import static dev.tether.rpc.RpcFixture.f;
import static dev.tether.rpc.RpcFixture.failure;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tether.machine.BackoffPolicy;
import dev.tether.machine.ConnectionState;
import dev.tether.stub.rpc.ScriptedRpcPeer.PeerDialect;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/**
 * Requests a {@link HandshakeHook} makes through its caller belong to that attempt: once it is
 * abandoned they fail with {@link RpcException.ConnectionLost}, are never written on a later
 * channel, and settle even after termination.
 */
class HandshakeHookScopeTest {
  static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(2);
  static final Duration LONG = Duration.ofHours(1);

  final RpcFixture vm = new RpcFixture(PeerDialect.VM_SERVICE);

  /** The caller each attempt's hook was given, in attempt order. */
  final List<RpcCaller> callers = new ArrayList<>();

  /** A hook that keeps its caller and never finishes on the first attempt, at once afterwards. */
  final HandshakeHook firstAttemptHangs =
      (caller, epoch) -> {
        callers.add(caller);
        return callers.size() == 1
            ? new CompletableFuture<>()
            : CompletableFuture.completedFuture(null);
      };

  RpcConnectionBuilder builder() {
    return vm.builder(Dialect.vmService())
        .policy(BackoffPolicy.builder().connectTimeout(CONNECT_TIMEOUT).build());
  }

  /** Seed of this test: a hook's late request went out on the next attempt's channel. */
  @Test
  void lateHookRequestFromAnotherThreadIsNeverWrittenOnALaterChannel() {
    RpcConnection c = vm.start(builder().handshakeHook(firstAttemptHangs));
    vm.clock.runUntil(() -> c.state() instanceof ConnectionState.Connected, LONG);
    assertThat(callers).as("the first attempt timed out, the second connected").hasSize(2);

    // The first attempt's hook wakes up late, on the test thread (off the context).
    CompletableFuture<JsonNode> late = f(callers.get(0).request("echo", JSON.arrayNode().add(1)));
    vm.clock.runUntilIdle();

    assertThat(failure(late)).isInstanceOf(RpcException.ConnectionLost.class);
    assertThat(vm.peer.received("echo")).as("written on the second channel").isZero();
    assertThat(vm.sent).noneMatch(frame -> frame.contains("echo"));
    assertThat(c.stats().inFlight()).isZero();
  }

  @Test
  void hookRequestInFlightFailsWithConnectionLostWhenTheAttemptTimesOut() {
    vm.peer.delay("echo", LONG);
    List<CompletableFuture<JsonNode>> made = new ArrayList<>();
    RpcConnection c =
        vm.start(
            builder()
                .handshakeHook(
                    (caller, epoch) -> {
                      if (made.isEmpty()) {
                        made.add(f(caller.request("echo", null)));
                        return new CompletableFuture<>();
                      }
                      return CompletableFuture.completedFuture(null);
                    }));
    vm.clock.advance(CONNECT_TIMEOUT);
    assertThat(failure(made.get(0))).isInstanceOf(RpcException.ConnectionLost.class);
    vm.clock.runUntil(() -> c.state() instanceof ConnectionState.Connected, LONG);
    assertThat(c.stats().inFlight()).isZero();
  }

  @Test
  void theSucceededAttemptsCallerWorksUntilItsChannelIsLost() {
    RpcConnection c =
        vm.start(
            builder()
                .handshakeHook(
                    (caller, epoch) -> {
                      callers.add(caller);
                      return CompletableFuture.completedFuture(null);
                    }));
    CompletableFuture<JsonNode> onItsChannel = f(callers.get(0).request("echo", null));
    vm.clock.runUntilIdle();
    assertThat(onItsChannel).isCompleted();
    vm.peer.restart();
    vm.clock.runUntil(() -> c.stats().reconnects() == 1, LONG);
    CompletableFuture<JsonNode> afterLoss = f(callers.get(0).request("echo", null));
    vm.clock.runUntilIdle();
    assertThat(failure(afterLoss)).isInstanceOf(RpcException.ConnectionLost.class);
    assertThat(vm.peer.received("echo")).isOne();
  }

  /**
   * Seed of this test: a hook request queued before the connection ended ran after its scheduler
   * stopped; arming its deadline threw {@code RejectedExecutionException} and left it unsettled.
   */
  @Test
  void hookRequestQueuedBeforeTheEndSettlesAfterTheSchedulerStopped() {
    RpcFixture.StoppingScheduler scheduler = vm.new StoppingScheduler();
    RpcConnection c = vm.start(builder().scheduler(scheduler).handshakeHook(firstAttemptHangs));
    var unused = c.terminated().whenComplete((state, err) -> scheduler.stop());
    assertThat(callers).as("the first attempt is in its handshake").hasSize(1);

    c.close("bye"); // from the test thread: queued
    CompletableFuture<JsonNode> queued = f(callers.get(0).request("echo", null)); // queued after it
    Throwable thrown = catchThrowable(vm.clock::runUntilIdle);

    assertThat(thrown).as("a task of the connection threw").isNull();
    assertThat(c.state()).isInstanceOf(ConnectionState.Closed.class);
    assertThat(failure(queued)).isInstanceOf(RpcException.ConnectionLost.class);
    CompletableFuture<JsonNode> afterStop = f(callers.get(0).request("echo", null));
    assertThat(failure(afterStop)).isInstanceOf(RpcException.ConnectionLost.class);
    assertThat(vm.peer.received("echo")).isZero();
  }
}
