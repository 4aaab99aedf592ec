package dev.tether.vertx;

import static dev.tether.vertx.Loopback.WAIT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tether.machine.ConnectionState;
import dev.tether.machine.LifecycleEvent;
import dev.tether.runtime.Connection;
import dev.tether.runtime.LifecycleQueue;
import dev.tether.vertx.testserver.VmServiceServer;
import io.vertx.core.Vertx;
import io.vertx.core.internal.VertxInternal;
import java.net.URI;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 60, unit = TimeUnit.SECONDS)
class TetherVertxTest {
  private Vertx serverVertx;
  private VmServiceServer server;
  private URI endpoint;

  @BeforeEach
  void setUp() throws Exception {
    serverVertx = Vertx.vertx();
    server = VmServiceServer.builder(serverVertx).tcp().build();
    endpoint = server.start().toCompletableFuture().get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
  }

  @AfterEach
  void tearDown() throws Exception {
    server.close();
    Loopback.close(serverVertx);
  }

  @Test
  void managedVertxIsClosedWithTheLastConnection() throws Exception {
    TetherVertx tether = TetherVertx.create();
    assertThat(tether.holdsManagedVertx()).isFalse();
    Connection first = connected(tether);
    Connection second = connected(tether);
    assertThat(tether.liveConnections()).isEqualTo(2);
    Vertx managed = tether.currentVertx().orElseThrow();

    first.close();
    first.terminated().toCompletableFuture().get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
    assertThat(tether.holdsManagedVertx()).isTrue();

    second.close();
    assertThat(
            second.terminated().toCompletableFuture().get(WAIT.toMillis(), TimeUnit.MILLISECONDS))
        .isInstanceOf(ConnectionState.Closed.class);
    RecordingListener.awaitTrue(() -> !tether.holdsManagedVertx(), "managed Vert.x released");
    assertThat(tether.liveConnections()).isZero();
    ((VertxInternal) managed)
        .closeFuture()
        .future()
        .toCompletionStage()
        .toCompletableFuture()
        .get(WAIT.toMillis(), TimeUnit.MILLISECONDS); // the managed instance closes

    Connection again = connected(tether); // a later connection gets a fresh instance
    assertThat(tether.currentVertx()).isPresent().get().isNotSameAs(managed);
    again.close();
    again.terminated().toCompletableFuture().get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
  }

  @Test
  void usersVertxIsNeverClosed() throws Exception {
    Vertx mine = Vertx.vertx();
    try {
      TetherVertx tether = TetherVertx.using(mine);
      Connection c = connected(tether);
      c.close();
      c.terminated().toCompletableFuture().get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
      RecordingListener.awaitTrue(() -> tether.liveConnections() == 0, "connection released");
      assertThat(((VertxInternal) mine).closeFuture().isClosed()).isFalse();
      CompletableFuture<Void> timer = new CompletableFuture<>();
      mine.setTimer(1, id -> timer.complete(null));
      timer.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
    } finally {
      Loopback.close(mine);
    }
  }

  @Test
  void unsupportedSchemeFailsAtTheCallSite() {
    TetherVertx tether = TetherVertx.create();
    assertThatThrownBy(() -> tether.newConnection(URI.create("http://127.0.0.1:1/")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'http'");
    assertThat(tether.holdsManagedVertx()).isFalse();
  }

  private Connection connected(TetherVertx tether) throws Exception {
    LifecycleQueue events = LifecycleQueue.bounded();
    Connection c = tether.newConnection(endpoint, b -> b.policy(Loopback.fastPolicy(3)));
    c.subscribe(events);
    c.start();
    Loopback.await(events, LifecycleEvent.Connected.class, WAIT);
    return c;
  }
}
