package dev.tether.rpc;

import static dev.tether.rpc.RpcFixture.JSON;
import static dev.tether.rpc.RpcFixture.f;
import static dev.tether.rpc.RpcFixture.failure;
import static dev.tether.rpc.RpcFixture.result;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tether.machine.ConnectionState;
import dev.tether.stub.rpc.ScriptedRpcPeer.PeerDialect;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.Test;

/** The future {@code request()} returns: only the connection settles it, and where it runs. */
class RequestFutureTest {
  final RpcFixture vm = new RpcFixture(PeerDialect.VM_SERVICE);
  final RpcConnection c = vm.start(vm.builder(Dialect.vmService()));

  /** An executor that runs nothing until the test says so, and knows when it is running. */
  final List<Runnable> executorTasks = new ArrayList<>();

  final Executor executor = executorTasks::add;
  boolean onExecutor;

  void runExecutor() {
    while (!executorTasks.isEmpty()) {
      onExecutor = true;
      try {
        executorTasks.remove(0).run();
      } finally {
        onExecutor = false;
      }
    }
  }

  /** Seed of this test: a caller completing the returned future changed what every holder saw. */
  @Test
  void callerCannotCompleteObtrudeOrCancelTheRequestsFuture() {
    vm.peer.delay("echo", Duration.ofSeconds(1));
    CompletionStage<JsonNode> stage = c.request("echo", JSON.arrayNode().add("real"));
    CompletableFuture<JsonNode> f = stage.toCompletableFuture();
    List<ThrowingCallable> corruptions =
        List.of(
            () -> f.complete(JSON.textNode("fake")),
            () -> f.completeExceptionally(new IllegalStateException("fake")),
            () -> f.obtrudeValue(JSON.textNode("fake")),
            () -> f.obtrudeException(new IllegalStateException("fake")),
            () -> f.completeAsync(() -> JSON.textNode("fake")),
            () -> f.completeAsync(() -> JSON.textNode("fake"), Runnable::run),
            () -> f.orTimeout(1, TimeUnit.NANOSECONDS),
            () -> f.completeOnTimeout(JSON.textNode("fake"), 1, TimeUnit.NANOSECONDS));
    for (ThrowingCallable corruption : corruptions) {
      assertThatThrownBy(corruption)
          .isInstanceOf(UnsupportedOperationException.class)
          .hasMessageContaining("settled only by the connection");
    }
    assertThat(f.cancel(true)).isFalse();
    assertThat(f).isNotDone();
    assertThat(f.isCancelled()).isFalse();

    vm.clock.advance(Duration.ofSeconds(1));
    assertThat(result(f).get(0).asText()).isEqualTo("real");
    assertThat(c.stats().succeeded()).isOne();
    assertThat(c.stats().inFlight()).isZero();
  }

  @Test
  void derivedStagesAreTheCallersOwn() {
    vm.peer.delay("echo", Duration.ofSeconds(1));
    CompletableFuture<JsonNode> mine = f(c.request("echo", JSON.arrayNode())).copy();
    assertThat(mine.complete(JSON.textNode("mine"))).isTrue();
    vm.clock.advance(Duration.ofSeconds(1));
    assertThat(mine.join().asText()).isEqualTo("mine");
    assertThat(c.stats().succeeded()).isOne();
  }

  /** B2's allocation work: the stage returned is the request's own future, not a copy. */
  @Test
  void returnedStageIsTheRequestsOwnFuture() {
    CompletionStage<JsonNode> stage = c.request("echo", null);
    assertThat(stage.toCompletableFuture()).isSameAs(stage);
  }

  @Test
  void dependentStagesRunOnTheConnectionsContextByDefault() {
    List<Boolean> inContext = new ArrayList<>();
    var unused = c.request("echo", null).thenRun(() -> inContext.add(vm.clock.inContext()));
    vm.clock.runUntilIdle();
    assertThat(inContext).containsExactly(true);
  }

  @Test
  void requestOptionsExecutorRunsEveryCompletionOffTheContext() {
    List<String> ran = new ArrayList<>();
    CompletableFuture<JsonNode> r =
        f(c.request("echo", JSON.arrayNode().add(1), RequestOptions.defaults().executor(executor)));
    assertThat(r.defaultExecutor()).isSameAs(executor);
    var attached = r.thenRun(() -> ran.add("thenRun on executor: " + onExecutor));
    var async = r.thenRunAsync(() -> ran.add("thenRunAsync on executor: " + onExecutor));
    vm.clock.runUntilIdle();
    assertThat(r).as("the answer arrived, the executor has not run yet").isNotDone();
    assertThat(c.stats().succeeded()).isOne();
    assertThat(c.stats().inFlight()).isZero();

    runExecutor();
    assertThat(result(r).get(0).asInt()).isEqualTo(1);
    assertThat(attached).isDone();
    assertThat(async).isDone();
    assertThat(ran)
        .containsExactlyInAnyOrder("thenRun on executor: true", "thenRunAsync on executor: true");
  }

  @Test
  void requestOptionsExecutorAlsoCompletesFailures() {
    vm.server.down();
    vm.peer.restart();
    // Past the first reconnect attempt's failure: requests now fail fast (FailFast's default).
    vm.clock.runUntil(
        () -> c.state() instanceof ConnectionState.Reconnecting r && r.attempt() > 1,
        Duration.ofMinutes(1));
    CompletableFuture<JsonNode> r =
        f(c.request("echo", null, RequestOptions.defaults().executor(executor)));
    vm.clock.runUntilIdle();
    assertThat(r).isNotDone();
    runExecutor();
    assertThat(failure(r)).isInstanceOf(RpcException.NotConnected.class);
  }

  @Test
  void rejectingExecutorStillSettlesTheRequestAndSaysSo() {
    Executor rejecting =
        task -> {
          throw new RejectedExecutionException("executor shut down (test)");
        };
    CompletableFuture<JsonNode> r =
        f(
            c.request(
                "echo", JSON.arrayNode().add(2), RequestOptions.defaults().executor(rejecting)));
    String log = RpcFixture.stderrOf(vm.clock::runUntilIdle);
    assertThat(result(r).get(0).asInt()).isEqualTo(2);
    assertThat(log).contains("WARN").contains("rejected the completion");
  }
}
