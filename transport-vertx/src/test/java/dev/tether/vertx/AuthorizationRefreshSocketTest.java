package dev.tether.vertx;

import static dev.tether.vertx.Loopback.WAIT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tether.machine.Cause;
import dev.tether.machine.LifecycleEvent;
import dev.tether.runtime.Connection;
import dev.tether.runtime.spi.ConnectParameters;
import dev.tether.runtime.spi.ConnectParametersProvider;
import io.vertx.core.http.HttpServer;
import java.net.URI;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * An {@code Authorization} header refreshed on each attempt, over real loopback WebSockets: a
 * server that accepts only {@code Bearer <its current token>} and answers 401 otherwise (final by
 * the default classifier) restarts with a new token; the client's provider reads the current token
 * on every attempt, so {@code Reconnected} follows and the server saw the new token. A token frozen
 * at build time ends {@code FATAL} instead.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class AuthorizationRefreshSocketTest {
  private final Rig rig = new Rig();
  private final Queue<String> seen = new ConcurrentLinkedQueue<>(); // Authorization, per upgrade
  private final Queue<Integer> refused = new ConcurrentLinkedQueue<>();
  private HttpServer server;
  private int port;

  @AfterEach
  void tearDown() throws Exception {
    stopServer();
    rig.close();
  }

  @Test
  void aTokenReadOnEveryAttemptReconnectsAfterTheServerRestartsWithANewOne() throws Exception {
    AtomicReference<String> current = new AtomicReference<>("token-1"); // what a refresher keeps
    startServer("token-1");
    Rig.Client client = connect(ConnectParametersProvider.current(() -> bearer(current.get())));
    client.await(LifecycleEvent.Connected.class);
    assertThat(seen).containsExactly("Bearer token-1");

    stopServer(); // the server restarts on its port, now accepting only token-2
    current.set("token-2");
    startServer("token-2");

    client.await(LifecycleEvent.Reconnected.class);
    assertThat(seen).startsWith("Bearer token-1").endsWith("Bearer token-2");
    assertThat(refused).isEmpty(); // the fresh token avoided the 401, which would be FATAL
  }

  @Test
  void aTokenFrozenAtBuildTimeEndsFatalWithTheServersRefusal() throws Exception {
    startServer("token-1");
    Rig.Client client = connect(ConnectParametersProvider.fixed(bearer("token-1")));
    client.await(LifecycleEvent.Connected.class);

    stopServer();
    startServer("token-2");

    LifecycleEvent.PermanentlyDisconnected end =
        client.await(LifecycleEvent.PermanentlyDisconnected.class);
    assertThat(end.cause().kind()).isEqualTo(Cause.Kind.FATAL);
    assertThat(end.cause().detail()).contains(new Cause.Detail.UpgradeRejected(401));
    assertThat(refused).containsExactly(401);
    assertThat(end.toString()).doesNotContain("token-1");
  }

  @Test
  void aRefusedUpgradeNamesTheEndpointWithoutItsQuery() throws Exception {
    startServer("token-1");
    Rig.Client client =
        rig.connect(
            URI.create("ws://127.0.0.1:" + port + "/ws?token=s3cr3t-q"),
            EndpointFileSocketTest.QUICK);
    LifecycleEvent.PermanentlyDisconnected end =
        client.await(LifecycleEvent.PermanentlyDisconnected.class);
    assertThat(end.cause().message())
        .contains("WebSocket upgrade to ws://127.0.0.1:" + port + "/ws rejected with HTTP 401")
        .doesNotContain("s3cr3t-q");
  }

  @Test
  void socketEndpointsRefuseHeadersAndNoEndpointTakesEnvironment() {
    RecordingListener ignore = new RecordingListener();
    VertxTransport t = rig.transport();
    assertThatThrownBy(() -> t.open(URI.create("tcp://127.0.0.1:9"), bearer("t0ken"), ignore))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "a tcp endpoint has no upgrade request: headers [Authorization] cannot be sent");
    ConnectParameters env = ConnectParameters.none().withEnv("TOKEN", "t0ken");
    assertThatThrownBy(() -> t.open(URI.create("ws://127.0.0.1:9/ws"), env, ignore))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "a ws endpoint starts no process: environment variables [TOKEN] cannot be applied");
    ConnectParameters handshake = ConnectParameters.none().withHeader("upgrade", "t0ken");
    assertThatThrownBy(() -> t.open(URI.create("ws://127.0.0.1:9/ws"), handshake, ignore))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageNotContaining("t0ken")
        .hasMessageContaining("belongs to the WebSocket handshake");
  }

  private static ConnectParameters bearer(String token) {
    return ConnectParameters.none().withHeader("Authorization", "Bearer " + token);
  }

  /** Connects to the server's port with {@code provider}, retrying every 20 ms. */
  private Rig.Client connect(ConnectParametersProvider provider) {
    return rig.connect(
        URI.create("ws://127.0.0.1:" + port + "/ws"),
        EndpointFileSocketTest.QUICK,
        Connection.builder().connectParameters(provider));
  }

  /** Listens on {@link #port} (a free one the first time), accepting only {@code token}. */
  private void startServer(String token) throws Exception {
    String expected = "Bearer " + token;
    server =
        rig.vertx()
            .createHttpServer()
            .requestHandler(
                req -> {
                  String auth = req.getHeader("Authorization");
                  seen.add(String.valueOf(auth));
                  if (expected.equals(auth)) {
                    req.toWebSocket();
                  } else {
                    refused.add(401);
                    req.response().setStatusCode(401).end("bad token");
                  }
                });
    server
        .listen(port, "127.0.0.1")
        .toCompletionStage()
        .toCompletableFuture()
        .get(WAIT.toSeconds(), TimeUnit.SECONDS);
    port = server.actualPort();
  }

  private void stopServer() throws Exception {
    if (server != null) {
      server
          .close()
          .toCompletionStage()
          .toCompletableFuture()
          .get(WAIT.toSeconds(), TimeUnit.SECONDS);
      server = null;
    }
  }
}
