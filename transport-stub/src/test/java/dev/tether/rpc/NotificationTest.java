package dev.tether.rpc;

import static dev.tether.rpc.RpcFixture.JSON;
import static dev.tether.rpc.RpcFixture.f;
import static dev.tether.rpc.RpcFixture.failure;
import static dev.tether.rpc.RpcFixture.result;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tether.machine.BackoffPolicy;
import dev.tether.machine.ConnectionState;
import dev.tether.machine.LifecycleEvent;
import dev.tether.stub.rpc.ScriptedRpcPeer.PeerDialect;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.junit.jupiter.api.Test;

/**
 * Notifications to the server ({@link RpcCaller#notify}): written without an id, in call order with
 * requests, only on a channel that is up, never queued for a later one.
 */
class NotificationTest {
  final RpcFixture vm = new RpcFixture(PeerDialect.PLAIN);

  static <T> CompletableFuture<T> n(CompletionStage<T> s) {
    return s.toCompletableFuture();
  }

  @Test
  void notificationIsWrittenWithoutAnIdInTheEnvelope() {
    RpcConnection c = vm.start(vm.builder(Dialect.plain()));
    long framesOut = c.stats().framesOut();

    CompletableFuture<Void> sent = n(c.notify("initialized", JSON.objectNode().put("a", 1)));
    vm.clock.runUntilIdle();

    assertThat(sent).isCompleted();
    assertThat(vm.sent)
        .last()
        .isEqualTo("{\"jsonrpc\":\"2.0\",\"method\":\"initialized\",\"params\":{\"a\":1}}");
    assertThat(vm.peer.received("initialized")).isEqualTo(1);
    assertThat(c.stats().framesOut()).isEqualTo(framesOut + 1);
    assertThat(c.stats().inFlight()).isZero();
    assertThat(c.stats().settled()).as("not a request").isZero();
  }

  @Test
  void bareNotificationHasNoJsonrpcMember() {
    RpcConnection c = vm.start(vm.builder(Dialect.plain()).envelope(Envelope.BARE));

    CompletableFuture<Void> sent = n(c.notify("exit", null));
    vm.clock.runUntilIdle();

    assertThat(sent).isCompleted();
    assertThat(vm.sent).last().isEqualTo("{\"method\":\"exit\"}");
  }

  @Test
  void notificationWhileDownFailsNotConnectedAndIsNeverWrittenLater() {
    RpcConnection c = vm.builder(Dialect.plain()).build();

    CompletableFuture<Void> early = n(c.notify("textDocument/didOpen", JSON.objectNode()));
    c.start();
    vm.clock.runUntilIdle();

    assertThat(c.state()).isEqualTo(new ConnectionState.Connected(1));
    assertThat(failure(early)).isInstanceOf(RpcException.NotConnected.class);
    assertThat(vm.peer.received("textDocument/didOpen")).isZero();
  }

  /** Seed of this test: a notification scheduled a hop of its own and was overtaken by requests. */
  @Test
  void notificationKeepsItsPlaceAmongRequestsMadeOffTheContext() {
    RpcConnection c = vm.start(vm.builder(Dialect.plain()));
    int before = vm.sent.size();

    CompletableFuture<?> first = f(c.request("echo", JSON.arrayNode().add(1)));
    CompletableFuture<Void> opened = n(c.notify("textDocument/didOpen", JSON.objectNode()));
    CompletableFuture<?> second = f(c.request("echo", JSON.arrayNode().add(2)));
    vm.clock.runUntilIdle();

    assertThat(result(opened)).isNull();
    assertThat(result(first)).isNotNull();
    assertThat(result(second)).isNotNull();
    assertThat(vm.sent.subList(before, vm.sent.size()))
        .satisfiesExactly(
            a -> assertThat(a).contains("\"params\":[1]"),
            b -> assertThat(b).contains("textDocument/didOpen").doesNotContain("\"id\""),
            d -> assertThat(d).contains("\"params\":[2]"));
  }

  @Test
  void hookNotificationIsWrittenOnItsChannelBeforeConnected() {
    List<LifecycleEvent> seenWhenWritten = new ArrayList<>();
    vm.start(
        vm.builder(Dialect.plain())
            .handshakeHook(
                (caller, epoch) ->
                    caller
                        .request("echo", JSON.arrayNode().add("initialize"))
                        .thenCompose(r -> caller.notify("initialized", JSON.objectNode()))
                        .thenRun(() -> seenWhenWritten.addAll(vm.events))));

    assertThat(vm.peer.received("initialized")).isEqualTo(1);
    assertThat(vm.events).last().isInstanceOf(LifecycleEvent.Connected.class);
    assertThat(vm.sent.indexOf("{\"jsonrpc\":\"2.0\",\"method\":\"initialized\",\"params\":{}}"))
        .isGreaterThan(0);
    assertThat(seenWhenWritten).noneMatch(e -> e instanceof LifecycleEvent.Connected);
  }

  @Test
  void lateHookNotificationIsNeverWrittenOnALaterChannel() {
    Duration connectTimeout = Duration.ofSeconds(2);
    List<RpcCaller> callers = new ArrayList<>();
    RpcConnection c =
        vm.start(
            vm.builder(Dialect.plain())
                .policy(BackoffPolicy.builder().connectTimeout(connectTimeout).build())
                .handshakeHook(
                    (caller, epoch) -> {
                      callers.add(caller);
                      return callers.size() == 1
                          ? new CompletableFuture<>() // the first attempt hangs, then times out
                          : CompletableFuture.completedFuture(null);
                    }));
    vm.clock.runUntil(() -> c.state() instanceof ConnectionState.Connected, Duration.ofHours(1));
    assertThat(callers).hasSize(2);

    CompletableFuture<Void> late = n(callers.get(0).notify("initialized", null));
    vm.clock.runUntilIdle();

    assertThat(failure(late)).isInstanceOf(RpcException.ConnectionLost.class);
    assertThat(vm.peer.received("initialized")).isZero();
  }
}
