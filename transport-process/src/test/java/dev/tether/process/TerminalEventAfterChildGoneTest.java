package dev.tether.process;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tether.machine.BackoffPolicy;
import dev.tether.machine.Cause;
import dev.tether.machine.LifecycleEvent;
import dev.tether.rpc.HandshakeHook;
import dev.tether.rpc.RpcCaller;
import dev.tether.rpc.RpcConnection;
import dev.tether.runtime.spi.Channel;
import dev.tether.runtime.spi.ChannelListener;
import dev.tether.runtime.spi.Transport;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * P5 as a listener sees it: when a process connection's terminal event arrives, and when {@code
 * terminated()} completes, none of its children nor their remembered descendants is in the process
 * table any more, whatever ended the connection. Each test reads the process table inside the
 * listener, at the moment the terminal event is delivered.
 */
class TerminalEventAfterChildGoneTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  private static final BackoffPolicy QUICK = RpcOverProcessTest.QUICK;

  private final Children children = new Children();
  private final List<Long> pids = new CopyOnWriteArrayList<>(); // children and grandchildren
  private final List<ProcessChannel> opened = new CopyOnWriteArrayList<>();
  private final LinkedBlockingQueue<LifecycleEvent> events = new LinkedBlockingQueue<>();
  private final CompletableFuture<List<Long>> aliveAtTerminalEvent = new CompletableFuture<>();
  private final CompletableFuture<List<Long>> aliveAtTerminated = new CompletableFuture<>();
  private final CompletableFuture<Void> handshakeNeverEnds = new CompletableFuture<>();
  private RpcConnection rpc;

  @AfterEach
  void nothingLeftBehind() throws Exception {
    handshakeNeverEnds.completeExceptionally(new IllegalStateException("test over"));
    try {
      if (rpc != null) {
        rpc.close();
        rpc.terminated().toCompletableFuture().get(10, TimeUnit.SECONDS);
      }
      children.assertAllGone();
    } finally {
      children.killAll();
    }
  }

  @Test
  void closedArrivesOnlyAfterTheChildAndItsGrandchildAreGone() throws Exception {
    connect(Children.peer("--grandchild"), QUICK, this::rememberGrandchild);
    await(LifecycleEvent.Connected.class);
    assertThat(pids).hasSize(2);

    rpc.close();

    assertThat(await(LifecycleEvent.Closed.class)).isNotNull();
    assertNothingAliveAtTheEnd();
  }

  @Test
  void closedOfAChildIgnoringSigtermArrivesAfterTheKill() throws Exception {
    connect(Children.peer("--ignore-sigterm", "--grandchild"), QUICK, this::rememberGrandchild);
    await(LifecycleEvent.Connected.class);

    rpc.close();

    assertThat(await(LifecycleEvent.Closed.class)).isNotNull();
    assertNothingAliveAtTheEnd();
    assertThat(opened.get(0).stderrTail()).contains("ignoring SIGTERM");
  }

  @Test
  void closeDuringAnAttemptWaitsForTheChildBeingSetUp() throws Exception {
    CompletableFuture<Long> handshakeStarted = new CompletableFuture<>();
    connect(
        Children.peer("--ignore-sigterm"),
        QUICK,
        (caller, epoch) -> {
          handshakeStarted.complete(lastOpened().handle().pid());
          return handshakeNeverEnds;
        });
    handshakeStarted.get(10, TimeUnit.SECONDS);

    rpc.close();

    assertThat(await(LifecycleEvent.Closed.class)).isNotNull();
    assertNothingAliveAtTheEnd();
  }

  @Test
  void permanentlyDisconnectedAfterFailedAttemptsWaitsForEveryChild() throws Exception {
    connect(
        Children.peer("--ignore-sigterm"),
        QUICK,
        (caller, epoch) ->
            caller
                .request("pid", null)
                .thenCompose(
                    pid ->
                        CompletableFuture.failedFuture(
                            new IllegalStateException("server " + pid + " refused"))));

    LifecycleEvent.PermanentlyDisconnected end =
        await(LifecycleEvent.PermanentlyDisconnected.class);

    assertThat(end.cause().kind()).isEqualTo(Cause.Kind.HANDSHAKE_FAILED);
    assertThat(opened).hasSize(3);
    assertNothingAliveAtTheEnd();
  }

  @Test
  void flappingEndWaitsForTheCrashedChildsGrandchild() throws Exception {
    BackoffPolicy oneLossAllowed =
        BackoffPolicy.builder()
            .exponential(Duration.ofMillis(20), 2.0, Duration.ofMillis(100))
            .maxAttempts(3)
            .flapLimit(1, Duration.ofMinutes(1))
            .build();
    connect(Children.peer("--grandchild"), oneLossAllowed, this::rememberGrandchild);
    await(LifecycleEvent.Connected.class);
    crashTheChild();
    await(LifecycleEvent.Reconnected.class);
    crashTheChild();

    LifecycleEvent.PermanentlyDisconnected end =
        await(LifecycleEvent.PermanentlyDisconnected.class);

    assertThat(end.cause().kind()).isEqualTo(Cause.Kind.FLAPPING);
    assertThat(pids).hasSize(4);
    assertNothingAliveAtTheEnd();
  }

  // ------------------------------------------------------------------ helpers

  private void connect(ProcessEndpoint endpoint, BackoffPolicy policy, HandshakeHook hook) {
    Transport transport = new Remembering(ProcessTransport.create(endpoint, Children.FAST));
    rpc =
        RpcConnection.builder()
            .transport(transport)
            .endpoint(endpoint.uri())
            .policy(policy)
            .requestTimeout(Duration.ofSeconds(10))
            .handshakeHook(hook)
            .build();
    rpc.subscribe(
        e -> {
          if (e.isTerminal()) {
            aliveAtTerminalEvent.complete(aliveNow()); // read in the listener, at delivery
          }
          events.add(e);
        });
    rpc.terminated().thenRun(() -> aliveAtTerminated.complete(aliveNow()));
    rpc.start();
  }

  /**
   * The handshake: asks the child for its grandchild's pid, and has the waiter remember it now
   * rather than at its next poll, so the teardown knows it.
   */
  private CompletionStage<Void> rememberGrandchild(RpcCaller caller, long unusedEpoch) {
    ProcessChannel channel = lastOpened();
    return caller
        .request("grandchild", null)
        .thenAccept(
            grandchild -> {
              pids.add(children.track(grandchild.asLong()));
              channel.rememberDescendantsNow();
            });
  }

  /** Asks the current child to exit with code 3: a crash, as the connection sees it. */
  private void crashTheChild() {
    var unused = rpc.request("exit", JSON.createObjectNode().put("code", 3));
  }

  private ProcessChannel lastOpened() {
    return opened.get(opened.size() - 1);
  }

  private List<Long> aliveNow() {
    return pids.stream().filter(Children::alive).toList();
  }

  private void assertNothingAliveAtTheEnd() throws Exception {
    assertThat(aliveAtTerminalEvent.get(10, TimeUnit.SECONDS))
        .as("processes alive when the terminal event was delivered (of %s)", pids)
        .isEmpty();
    assertThat(aliveAtTerminated.get(10, TimeUnit.SECONDS))
        .as("processes alive when terminated() completed (of %s)", pids)
        .isEmpty();
  }

  private <T extends LifecycleEvent> T await(Class<T> type) throws InterruptedException {
    return Children.await(events, type);
  }

  /** The process transport, remembering every channel it opens and its child's pid. */
  private final class Remembering implements Transport {
    private final ProcessTransport transport;

    Remembering(ProcessTransport transport) {
      this.transport = transport;
    }

    @Override
    public CompletionStage<Channel> open(URI endpoint, ChannelListener listener) {
      return transport
          .open(endpoint, listener)
          .thenApply(
              channel -> {
                ProcessChannel process = (ProcessChannel) channel;
                opened.add(process);
                pids.add(children.track(process.handle().pid()));
                return channel;
              });
    }
  }
}
