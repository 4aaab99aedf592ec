package dev.tether.process;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tether.machine.BackoffPolicy;
import dev.tether.machine.Cause;
import dev.tether.machine.LifecycleEvent;
import dev.tether.rpc.RpcConnection;
import dev.tether.runtime.framing.Framing;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * An {@link RpcConnection} on a {@link ProcessTransport}: restarting a child is a reconnect, the
 * handshake hook runs on every new process, and process ends are causes.
 */
class RpcOverProcessTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  static final BackoffPolicy QUICK =
      BackoffPolicy.builder()
          .exponential(Duration.ofMillis(20), 2.0, Duration.ofMillis(100))
          .maxAttempts(3)
          .build();

  private final Children children = new Children();
  private final LinkedBlockingQueue<LifecycleEvent> events = new LinkedBlockingQueue<>();
  private final List<Long> handshakePids = new CopyOnWriteArrayList<>();
  private RpcConnection rpc;

  @AfterEach
  void nothingLeftBehind() throws Exception {
    handshakePids.forEach(children::track);
    children.closeAndAssertAllGone(rpc);
  }

  private RpcConnection connect(ProcessEndpoint endpoint, ProcessTransportOptions options) {
    ProcessTransport transport = ProcessTransport.create(endpoint, options);
    rpc =
        RpcConnection.builder()
            .transport(transport)
            .endpoint(transport.uri())
            .policy(QUICK)
            .requestTimeout(Duration.ofSeconds(10))
            .handshakeHook(
                (caller, epoch) ->
                    caller
                        .request("pid", null)
                        .thenAccept(pid -> handshakePids.add(children.track(pid.asLong()))))
            .build();
    rpc.subscribe(events::add);
    rpc.start();
    return rpc;
  }

  private <T extends LifecycleEvent> T await(Class<T> type) throws InterruptedException {
    return Children.await(events, type);
  }

  private JsonNode echo(String text) throws Exception {
    return rpc.request("echo", JSON.createObjectNode().put("text", text))
        .toCompletableFuture()
        .get(10, TimeUnit.SECONDS);
  }

  @Test
  void requestAndResponseOverContentLength() throws Exception {
    connect(
        Children.peer("--framing", "content-length"),
        ProcessTransportOptions.builder().framing(Framing.contentLength()).build());
    await(LifecycleEvent.Connected.class);
    assertThat(echo("hello").path("text").asText()).isEqualTo("hello");
    assertThat(handshakePids).hasSize(1);
  }

  @Test
  void killedChildIsRestartedAndTheHandshakeReplayed() throws Exception {
    connect(Children.peer(), Children.FAST);
    await(LifecycleEvent.Connected.class);
    long first = handshakePids.get(0);
    ProcessHandle.of(first).orElseThrow().destroyForcibly();

    LifecycleEvent.Reconnecting lost = await(LifecycleEvent.Reconnecting.class);
    assertThat(lost.cause().kind()).isEqualTo(Cause.Kind.CHANNEL_CLOSED);
    assertThat(lost.cause().message())
        .contains("process " + first)
        .contains("exited with code 137 (killed by signal 9, SIGKILL)");
    await(LifecycleEvent.Reconnected.class);
    assertThat(handshakePids).hasSize(2).doesNotHaveDuplicates();
    assertThat(Children.alive(first)).isFalse();
    assertThat(echo("again").path("text").asText()).isEqualTo("again");

    rpc.close();
    assertThat(await(LifecycleEvent.Closed.class)).isNotNull();
    Children.awaitGone(handshakePids, Children.WAIT);
  }

  @Test
  void childCrashingBeforeItAnswersEndsWithItsExitAndStderrAsCause() throws Exception {
    connect(
        ProcessEndpoint.of(
            "node", "-e", "console.error('fatal: cannot read config.json'); process.exit(4)"),
        Children.FAST);
    LifecycleEvent.PermanentlyDisconnected end =
        await(LifecycleEvent.PermanentlyDisconnected.class);
    assertThat(end.cause().message())
        .contains("exited with code 4;")
        .contains("stderr (1 line): fatal: cannot read config.json");
    assertThat(handshakePids).isEmpty();
  }

  @Test
  void commandNotFoundEndsWithAClearReason() throws Exception {
    connect(ProcessEndpoint.of("tether-no-such-server", "--stdio"), Children.FAST);
    LifecycleEvent.PermanentlyDisconnected end =
        await(LifecycleEvent.PermanentlyDisconnected.class);
    // Final by the default classifier: one attempt, not the policy's retries.
    assertThat(end.cause().kind()).isEqualTo(Cause.Kind.FATAL);
    assertThat(end.attempts()).isEqualTo(1);
    assertThat(end.cause().detail())
        .contains(new Cause.Detail.CommandNotFound("tether-no-such-server"));
    assertThat(end.cause().message())
        .contains("cannot start [tether-no-such-server, --stdio]")
        .contains("No such file or directory");
  }
}
