package dev.tether.vertx;

import static dev.tether.vertx.Loopback.WAIT;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tether.machine.BackoffPolicy;
import dev.tether.machine.Cause;
import dev.tether.machine.LifecycleEvent;
import dev.tether.runtime.LifecycleQueue;
import io.vertx.core.http.HttpServer;
import java.net.URI;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The default failure classifier over real loopback WebSockets: an upgrade refused with 401 ends
 * the connection at once ({@code FATAL}, one attempt, not ten), and a server that closes with 1012
 * (service restart) is reconnected to without the backoff delay. Nothing is measured by the clock:
 * the policies' delays are an hour, so a reconnect that happens at all happened without it.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class FailureVerdictSocketTest {
  /** A delay no test waits out: a reconnect that happens did not wait for it. */
  static final BackoffPolicy HOUR =
      BackoffPolicy.builder()
          .exponential(Duration.ofHours(1), 2.0, Duration.ofHours(2))
          .maxAttempts(10)
          .build();

  private final Rig rig = new Rig();
  private HttpServer server;

  @AfterEach
  void tearDown() throws Exception {
    if (server != null) {
      server
          .close()
          .toCompletionStage()
          .toCompletableFuture()
          .get(WAIT.toSeconds(), TimeUnit.SECONDS);
    }
    rig.close();
  }

  @Test
  void upgradeRefusedWith401EndsFatalAfterOneAttempt() throws Exception {
    AtomicInteger requests = new AtomicInteger();
    server =
        rig.vertx()
            .createHttpServer()
            .requestHandler(
                req -> {
                  requests.incrementAndGet();
                  req.response().setStatusCode(401).end("token expired");
                });
    Rig.Client client = rig.connect(listen(), HOUR);
    LifecycleQueue events = client.events();

    assertThat(Loopback.next(events)).isInstanceOf(LifecycleEvent.Connecting.class);
    LifecycleEvent end = Loopback.next(events);

    assertThat(end).isInstanceOf(LifecycleEvent.PermanentlyDisconnected.class);
    LifecycleEvent.PermanentlyDisconnected pd = (LifecycleEvent.PermanentlyDisconnected) end;
    assertThat(pd.attempts()).isEqualTo(1);
    assertThat(pd.cause().kind()).isEqualTo(Cause.Kind.FATAL);
    assertThat(pd.cause().message()).contains("rejected with HTTP 401");
    assertThat(pd.cause().detail()).contains(new Cause.Detail.UpgradeRejected(401));
    assertThat(requests.get()).isEqualTo(1);
    assertThat(client.scheduler().pendingTimers()).isZero();
  }

  @Test
  void serverClosingWith1012IsReconnectedWithoutTheBackoffDelay() throws Exception {
    AtomicInteger upgrades = new AtomicInteger();
    server =
        rig.vertx()
            .createHttpServer()
            .webSocketHandler(
                ws -> {
                  if (upgrades.incrementAndGet() == 1) {
                    ws.close((short) 1012, "service restart");
                  }
                });
    Rig.Client client = rig.connect(listen(), HOUR);

    client.await(LifecycleEvent.Connected.class);
    LifecycleEvent.Reconnecting lost = client.await(LifecycleEvent.Reconnecting.class);
    assertThat(lost.attempt()).isEqualTo(1);
    assertThat(lost.delay()).isZero();
    assertThat(lost.cause().detail()).contains(new Cause.Detail.CloseCode(1012));

    LifecycleEvent.Reconnected back = client.await(LifecycleEvent.Reconnected.class);
    assertThat(back.attempts()).isEqualTo(1);
    assertThat(upgrades.get()).isEqualTo(2);
  }

  private URI listen() throws Exception {
    server
        .listen(0, "127.0.0.1")
        .toCompletionStage()
        .toCompletableFuture()
        .get(WAIT.toSeconds(), TimeUnit.SECONDS);
    return URI.create("ws://127.0.0.1:" + server.actualPort() + "/ws");
  }
}
