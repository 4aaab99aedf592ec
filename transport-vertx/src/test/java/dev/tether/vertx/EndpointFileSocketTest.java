package dev.tether.vertx;

import static dev.tether.vertx.Loopback.WAIT;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tether.machine.BackoffPolicy;
import dev.tether.machine.Cause;
import dev.tether.machine.LifecycleEvent;
import dev.tether.runtime.Connection;
import dev.tether.runtime.LifecycleQueue;
import dev.tether.runtime.spi.EndpointResolver;
import io.vertx.core.http.HttpServer;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A local daemon that writes where it listens to a file when it starts, over real loopback
 * WebSockets: when it restarts on a new port, {@link EndpointResolver#fromFile} reads the new one
 * on the next attempts and {@code Reconnected} names it.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class EndpointFileSocketTest {
  static final BackoffPolicy QUICK =
      BackoffPolicy.builder()
          .delays(List.of(Duration.ofMillis(20)))
          .jitter(0)
          .maxAttempts(1000)
          .build();

  private final Rig rig = new Rig();
  private final List<HttpServer> servers = new ArrayList<>();
  private Connection connection;
  @TempDir Path dir;

  @AfterEach
  void tearDown() throws Exception {
    if (connection != null) {
      connection.close("test over");
    }
    for (HttpServer s : servers) {
      s.close().toCompletionStage().toCompletableFuture().get(WAIT.toSeconds(), TimeUnit.SECONDS);
    }
    rig.close();
  }

  @Test
  void serverRestartingOnANewPortIsFollowedThroughItsEndpointFile() throws Exception {
    Path file = dir.resolve("daemon.endpoint");
    URI first = startDaemon(file);
    LifecycleQueue events = follow(file);
    assertThat(Loopback.await(events, LifecycleEvent.Connected.class, WAIT).endpoint())
        .contains(first.toString());

    // The new run listens before the old one is gone, so its port is certainly a different one.
    HttpServer old = servers.remove(0);
    URI second = startDaemon(file);
    assertThat(second).isNotEqualTo(first);
    old.close().toCompletionStage().toCompletableFuture().get(WAIT.toSeconds(), TimeUnit.SECONDS);

    LifecycleEvent.Reconnected back =
        Loopback.await(events, LifecycleEvent.Reconnected.class, WAIT);
    assertThat(back.endpoint()).isEqualTo(Optional.of(second.toString()));
    assertThat(connection.endpoint()).isEqualTo(second);
  }

  @Test
  void aMissingEndpointFileFailsTheAttemptWithResolveFailed() throws Exception {
    Path file = dir.resolve("not-yet-written");
    LifecycleQueue events = follow(file);
    LifecycleEvent.Connecting second = nextConnecting(events, 2);
    Cause failure = second.lastFailure().orElseThrow();
    assertThat(failure.kind()).isEqualTo(Cause.Kind.RESOLVE_FAILED);
    assertThat(failure.message()).isEqualTo("endpoint file " + file + " does not exist");

    URI up = startDaemon(file); // the daemon starts late: the next attempts find it
    assertThat(Loopback.await(events, LifecycleEvent.Connected.class, WAIT).endpoint())
        .contains(up.toString());
  }

  /** Starts a connection that reads its endpoint from {@code file}; returns its events. */
  private LifecycleQueue follow(Path file) {
    LifecycleQueue events = LifecycleQueue.bounded();
    connection =
        Connection.builder()
            .transport(rig.transport())
            .scheduler(VertxScheduler.create(rig.vertx()))
            .endpointResolver(EndpointResolver.fromFile(file))
            .policy(QUICK)
            .build();
    connection.subscribe(events);
    connection.start();
    return events;
  }

  private static LifecycleEvent.Connecting nextConnecting(LifecycleQueue events, int attempt)
      throws InterruptedException {
    while (true) {
      LifecycleEvent e = Loopback.next(events);
      if (e instanceof LifecycleEvent.Connecting c && c.attempt() == attempt) {
        return c;
      }
    }
  }

  /** Starts a WebSocket server on a free port and publishes its URL in {@code file}, atomically. */
  private URI startDaemon(Path file) throws Exception {
    HttpServer server = rig.vertx().createHttpServer().webSocketHandler(ws -> {});
    server
        .listen(0, "127.0.0.1")
        .toCompletionStage()
        .toCompletableFuture()
        .get(WAIT.toSeconds(), TimeUnit.SECONDS);
    servers.add(server);
    URI endpoint = URI.create("ws://127.0.0.1:" + server.actualPort() + "/ws");
    Path tmp = Files.createTempFile(dir, "endpoint", ".tmp");
    Files.writeString(tmp, endpoint + "\n", StandardCharsets.UTF_8);
    Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    return endpoint;
  }
}
