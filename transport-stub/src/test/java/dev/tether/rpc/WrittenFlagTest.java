package dev.tether.rpc;

import static dev.tether.rpc.RpcFixture.JSON;
import static dev.tether.rpc.RpcFixture.f;
import static dev.tether.rpc.RpcFixture.failure;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tether.machine.Cause;
import dev.tether.stub.rpc.ScriptedRpcPeer.PeerDialect;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/**
 * {@link RpcException.ConnectionLost#written()} on every path that fails a request with it: written
 * when it had been handed to a channel (it may have run), not written when it never left (safe to
 * retry). On virtual time.
 */
class WrittenFlagTest {
  final RpcFixture vm = new RpcFixture(PeerDialect.PLAIN);

  RpcConnection start() {
    return vm.start(vm.builder(Dialect.plain()));
  }

  static RpcException.ConnectionLost lost(CompletableFuture<JsonNode> f) {
    Throwable t = failure(f);
    assertThat(t).isInstanceOf(RpcException.ConnectionLost.class);
    return (RpcException.ConnectionLost) t;
  }

  @Test
  void requestInFlightWhenItsChannelIsLostWasWritten() {
    RpcConnection rpc = start();
    vm.peer.silent(true);
    CompletableFuture<JsonNode> r = f(rpc.request("echo", null));
    vm.clock.runUntilIdle();
    vm.server.dropAll(Cause.of(Cause.Kind.CHANNEL_CLOSED, "gone"));
    vm.clock.runUntilIdle();
    assertThat(lost(r).written()).isTrue();
    assertThat(lost(r)).hasMessageContaining("it was written and may have run");
    assertThat(vm.sent).anyMatch(frame -> frame.contains("echo"));
  }

  @Test
  void requestInFlightWhenTheConnectionIsClosedWasWritten() {
    RpcConnection rpc = start();
    vm.peer.silent(true);
    CompletableFuture<JsonNode> r = f(rpc.request("echo", null));
    vm.clock.runUntilIdle();
    rpc.close("bye");
    vm.clock.runUntilIdle();
    assertThat(lost(r).written()).isTrue();
  }

  @Test
  void requestWaitingForTheConnectionWhenItEndsWasNotWritten() {
    vm.server.latency(Duration.ofSeconds(1));
    RpcConnection rpc = start();
    CompletableFuture<JsonNode> waitingForAttempt = f(rpc.request("echo", null));
    CompletableFuture<JsonNode> waitingForReady =
        f(rpc.request("echo", null, RequestOptions.defaults().waitForReady(true)));
    vm.clock.runUntilIdle();
    rpc.close("bye");
    vm.clock.runUntilIdle();
    for (CompletableFuture<JsonNode> r : List.of(waitingForAttempt, waitingForReady)) {
      assertThat(lost(r).written()).isFalse();
      assertThat(lost(r)).hasMessageContaining("never written: safe to retry");
    }
    assertThat(vm.sent).isEmpty();
  }

  @Test
  void requestMadeAfterTheEndWasNotWritten() {
    RpcConnection rpc = start();
    rpc.close("bye");
    vm.clock.runUntilIdle();
    CompletableFuture<JsonNode> r = f(rpc.request("echo", null));
    vm.clock.runUntilIdle();
    assertThat(lost(r).written()).isFalse();
  }

  @Test
  void idempotentRequestWaitingForItsReplayWhenTheConnectionEndsWasWritten() {
    RpcConnection rpc = start();
    vm.peer.silent(true);
    CompletableFuture<JsonNode> r =
        f(rpc.request("echo", null, RequestOptions.defaults().idempotent(true)));
    vm.clock.runUntilIdle();
    vm.server.down(); // lost: the idempotent request waits to be sent again
    vm.clock.runUntilIdle();
    assertThat(r).isNotDone();
    assertThat(rpc.stats().waiting()).isOne();
    rpc.close("bye");
    vm.clock.runUntilIdle();
    assertThat(lost(r).written()).isTrue();
  }

  @Test
  void writeThatFailsIsSendFailedNotConnectionLost() {
    RpcConnection rpc = start();
    vm.failSend = frame -> frame.contains("echo");
    CompletableFuture<JsonNode> r = f(rpc.request("echo", JSON.arrayNode()));
    vm.clock.runUntilIdle();
    assertThat(failure(r)).isInstanceOf(RpcException.SendFailed.class);
  }

  @Test
  void hookRequestOfAnAttemptThatIsOverWasNotWritten() {
    List<RpcCaller> callers = new ArrayList<>();
    RpcConnection rpc =
        vm.start(
            vm.builder(Dialect.plain())
                .handshakeHook(
                    (caller, epoch) -> {
                      callers.add(caller);
                      return CompletableFuture.completedFuture(null);
                    }));
    vm.peer.restart();
    vm.clock.runUntil(() -> rpc.stats().reconnects() == 1, Duration.ofMinutes(1));
    CompletableFuture<JsonNode> late = f(callers.get(0).request("echo", null));
    vm.clock.runUntilIdle();
    assertThat(lost(late).written()).isFalse();
  }
}
