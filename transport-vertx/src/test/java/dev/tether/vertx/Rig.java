package dev.tether.vertx;

import static dev.tether.vertx.Loopback.WAIT;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tether.machine.BackoffPolicy;
import dev.tether.machine.ConnectionState;
import dev.tether.machine.LifecycleEvent;
import dev.tether.runtime.Connection;
import dev.tether.runtime.ConnectionBuilder;
import dev.tether.runtime.LifecycleQueue;
import io.vertx.core.Vertx;
import java.net.URI;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * One test's client side: a Vert.x instance, a transport on it, and connections built on them with
 * a frame recorder and a lifecycle queue. Create one per test and {@link #close()} it in
 * {@code @AfterEach}.
 */
public final class Rig implements AutoCloseable {
  private final Vertx vertx = Vertx.vertx();
  private VertxTransport transport;

  /** The Vert.x instance. */
  public Vertx vertx() {
    return vertx;
  }

  /** The transport, created with default options on first use. */
  public VertxTransport transport() {
    return transport == null ? transport(VertxTransportOptions.defaults()) : transport;
  }

  /**
   * Creates the transport with {@code options}.
   *
   * @throws IllegalStateException if it exists already
   */
  public VertxTransport transport(VertxTransportOptions options) {
    if (transport != null) {
      throw new IllegalStateException("transport already created");
    }
    transport = VertxTransport.create(vertx, options);
    return transport;
  }

  /** Builds, subscribes and starts a connection to {@code endpoint} on its own context. */
  public Client connect(URI endpoint, BackoffPolicy policy) {
    return connect(endpoint, policy, Connection.builder());
  }

  /** As {@link #connect(URI, BackoffPolicy)}, on a builder with options of the test's own. */
  public Client connect(URI endpoint, BackoffPolicy policy, ConnectionBuilder builder) {
    VertxScheduler scheduler = VertxScheduler.create(vertx);
    Loopback.Frames frames = new Loopback.Frames();
    LifecycleQueue events = LifecycleQueue.bounded();
    Connection c =
        builder
            .transport(transport())
            .scheduler(scheduler)
            .endpoint(endpoint)
            .policy(policy)
            .frameListener(frames)
            .build();
    c.subscribe(events);
    c.start();
    return new Client(c, scheduler, frames, events, transport());
  }

  @Override
  public void close() {
    if (transport != null) {
      transport.close();
    }
    Loopback.close(vertx);
  }

  /** A started connection with what it recorded. */
  public record Client(
      Connection connection,
      VertxScheduler scheduler,
      Loopback.Frames frames,
      LifecycleQueue events,
      VertxTransport transport) {

    /** Sends {@code text} on the current channel and waits until it is written. */
    public void send(String text) throws Exception {
      Loopback.send(connection, scheduler, text).get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Waits for {@code type}, skipping attempts (see {@link Loopback#await}). */
    public <T extends LifecycleEvent> T await(Class<T> type) throws InterruptedException {
      return Loopback.await(events, type, WAIT);
    }

    /**
     * The peer is gone for good: PermanentlyDisconnected arrives within the policy's bound, and
     * then nothing — no event, no open channel, no live timer (I4).
     */
    public void assertEndsQuietly(BackoffPolicy policy) throws Exception {
      long since = System.nanoTime();
      Duration bound = Loopback.terminalBound(policy);
      Loopback.await(events, LifecycleEvent.PermanentlyDisconnected.class, bound);
      assertThat(Duration.ofNanos(System.nanoTime() - since)).isLessThan(bound);
      assertThat(
              connection
                  .terminated()
                  .toCompletableFuture()
                  .get(WAIT.toMillis(), TimeUnit.MILLISECONDS))
          .isInstanceOf(ConnectionState.PermanentlyDisconnected.class);
      assertThat(events.poll(Loopback.QUIET)).isNull();
      assertThat(transport.openChannels()).isZero();
      assertThat(scheduler.pendingTimers()).isZero();
    }
  }
}
