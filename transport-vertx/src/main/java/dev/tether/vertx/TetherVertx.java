package dev.tether.vertx;

import dev.tether.runtime.Connection;
import dev.tether.runtime.ConnectionBuilder;
import dev.tether.vertx.impl.Endpoint;
import io.vertx.core.Vertx;
import java.net.URI;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Builds {@link Connection}s wired to a {@link VertxTransport} and a {@link VertxScheduler}.
 *
 * <pre>{@code
 * TetherVertx tether = TetherVertx.create();          // Tether manages a Vertx
 * Connection c = tether.newConnection(URI.create("ws://127.0.0.1:8181/ws"),
 *     b -> b.policy(BackoffPolicy.defaults()).frameListener(myListener));
 * c.subscribe(event -> System.out.println(event));
 * c.start();
 * }</pre>
 *
 * <p>Two ways to get a Vert.x instance:
 *
 * <ul>
 *   <li>{@link #using(Vertx)}: your own {@link Vertx}; Tether never closes it.
 *   <li>{@link #create()}: Tether creates a {@link Vertx} with the first connection and closes it
 *       (with the transport) when the last of its connections terminates; a later connection
 *       creates a fresh one. A connection that is never started nor closed keeps it alive.
 * </ul>
 *
 * <p>Each connection runs on its own Vert.x event-loop context ({@link VertxScheduler#create}).
 * Thread-safe.
 */
public final class TetherVertx {
  private static final Logger log = LoggerFactory.getLogger(TetherVertx.class);

  private final Vertx userVertx;
  private final VertxTransportOptions options;

  // Guarded by this.
  private Vertx vertx;
  private VertxTransport transport;
  private int liveConnections;

  private TetherVertx(Vertx userVertx, VertxTransportOptions options) {
    this.userVertx = userVertx;
    this.options = options;
  }

  /** A factory that manages its own {@link Vertx}, with default transport options. */
  public static TetherVertx create() {
    return create(VertxTransportOptions.defaults());
  }

  /** A factory that manages its own {@link Vertx}, with {@code options}. */
  public static TetherVertx create(VertxTransportOptions options) {
    return new TetherVertx(null, Objects.requireNonNull(options, "options"));
  }

  /** A factory on the caller's {@link Vertx}, which Tether never closes. */
  public static TetherVertx using(Vertx vertx) {
    return using(vertx, VertxTransportOptions.defaults());
  }

  /** A factory on the caller's {@link Vertx} with {@code options}; Tether never closes it. */
  public static TetherVertx using(Vertx vertx, VertxTransportOptions options) {
    return new TetherVertx(
        Objects.requireNonNull(vertx, "vertx"), Objects.requireNonNull(options, "options"));
  }

  /** A connection to {@code endpoint} with the builder's defaults; not yet started. */
  public Connection newConnection(URI endpoint) {
    return newConnection(endpoint, b -> {});
  }

  /**
   * A connection to {@code endpoint}, not yet started. {@code configure} may set the policy,
   * handshake, frame listener, random source and name; the transport, scheduler and endpoint are
   * set by this factory afterwards.
   *
   * @throws IllegalArgumentException if the endpoint's scheme is not ws, wss, tcp or unix, or it
   *     lacks a part its scheme needs
   */
  public Connection newConnection(URI endpoint, Consumer<ConnectionBuilder> configure) {
    Endpoint.parse(endpoint); // fail at the call site, not on the first attempt
    Objects.requireNonNull(configure, "configure");
    ConnectionBuilder builder = Connection.builder();
    configure.accept(builder);
    VertxTransport t = acquire();
    Connection connection;
    try {
      connection =
          builder
              .endpoint(endpoint)
              .transport(t)
              .scheduler(VertxScheduler.create(t.vertx()))
              .build();
    } catch (RuntimeException e) {
      release();
      throw e;
    }
    connection.terminated().whenComplete((state, err) -> release());
    return connection;
  }

  /** Connections built by this factory that have not terminated. */
  public synchronized int liveConnections() {
    return liveConnections;
  }

  /** Whether this factory currently holds a Vert.x instance it created. */
  public synchronized boolean holdsManagedVertx() {
    return userVertx == null && vertx != null;
  }

  /** The Vert.x instance connections currently run on, if any is held. */
  public synchronized Optional<Vertx> currentVertx() {
    return Optional.ofNullable(vertx);
  }

  private synchronized VertxTransport acquire() {
    if (transport == null) {
      vertx = userVertx != null ? userVertx : Vertx.vertx();
      transport = VertxTransport.create(vertx, options);
    }
    liveConnections++;
    return transport;
  }

  private synchronized void release() {
    liveConnections--;
    if (liveConnections > 0) {
      return;
    }
    transport.close();
    transport = null;
    if (userVertx == null) {
      vertx.close().onFailure(t -> log.warn("closing the managed Vert.x instance failed", t));
    }
    vertx = null;
  }
}
