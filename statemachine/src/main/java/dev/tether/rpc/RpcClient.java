package dev.tether.rpc;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tether.machine.Cause;
import dev.tether.machine.ConnectionState;
import dev.tether.machine.LifecycleEvent;
import dev.tether.rpc.Counters.C;
import dev.tether.runtime.Connection;
import dev.tether.runtime.ConnectionBuilder;
import dev.tether.runtime.Handshake;
import dev.tether.runtime.LifecycleListener;
import dev.tether.runtime.Subscription;
import dev.tether.runtime.spi.Channel;
import dev.tether.runtime.spi.Scheduler;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CompletionStage;

/**
 * The {@link RpcConnection} implementation: the API façade, the one place where its parts are wired
 * together (the constructor), and what they all do when a channel comes, is up, or goes. Each part
 * has one job:
 *
 * <ul>
 *   <li>{@link Link}: the configuration, counters and connection every part shares, and where the
 *       channel of the moment stands;
 *   <li>{@link Requests}: hands requests to the context, sends, replays and settles them ({@link
 *       Ledger}, {@link Deadlines});
 *   <li>{@link InboundFrames}: the first hop of every inbound frame, which has the {@link Codec}
 *       classify it and passes it on: a response to {@link Requests#respond}, a notification to
 *       {@link Streams#arrived};
 *   <li>{@link Streams}: the desired streams and their handlers, read flow control ({@link
 *       InboundGate}), what is dropped at the end;
 *   <li>{@link ServerSubscriptions}: the streams' subscriptions on the current channel;
 *   <li>{@link ChannelSetup}: the handshake on one channel (the hook, then the streams, I7);
 *   <li>{@link HeartbeatLoop}: probes while a channel is up, only if a heartbeat is configured.
 * </ul>
 *
 * <p>How I6 holds: the {@link Ledger} holds every unsettled request, and {@link #channelGone} fails
 * (or queues for replay) everything in flight at the moment the machine reports the channel lost
 * (every loss emits Connecting, Reconnecting or a terminal event at once). How I7 holds: the
 * handshake completes only when every subscription request sent on the new channel has settled, and
 * the driver reports Connected/Reconnected only after the handshake.
 *
 * <p>Thread-safe: the public methods may be called from any thread; the parts' state is confined to
 * the connection's context, and public methods hop onto it. {@link #run} and {@link #onEvent} are
 * the underlying connection's callbacks, on its context.
 */
final class RpcClient implements RpcConnection, Handshake, LifecycleListener {
  /** Immutable wiring, copied from the builder. */
  record Config(
      String name,
      Dialect dialect,
      Scheduler scheduler,
      Duration requestTimeout,
      boolean waitForReady,
      FailFast failFast,
      int waitCapacity,
      Heartbeat heartbeat,
      Dialect.RpcCall probe,
      int maxFrameBytes,
      int maxBacklogFrames,
      HandshakeHook hook,
      Envelope envelope,
      IdlessErrors idlessErrors,
      Serving serving) {}

  private final Link link;
  private final Requests requests;
  private final Streams streams;
  private final ServerSubscriptions subscriptions;
  private final HeartbeatLoop heartbeat; // null without a heartbeat
  private final InboundFrames frames;

  /**
   * Wires the parts, and builds the underlying connection from {@code connection} (its scheduler
   * already set) with this client as its handshake and lifecycle listener, not yet started.
   */
  RpcClient(Config config, ConnectionBuilder connection) {
    link = new Link(config);
    Codec codec = Codec.of(config.envelope());
    requests = new Requests(link, codec);
    streams = new Streams(link);
    subscriptions = new ServerSubscriptions(link, requests, streams);
    streams.attach(subscriptions);
    heartbeat =
        config.heartbeat() == null ? null : new HeartbeatLoop(link, requests, streams.gate());
    frames = new InboundFrames(link, codec, requests, streams);
    Connection c = connection.handshake(this).frameListener(frames).build();
    link.attach(c);
    c.subscribe(this);
  }

  // ---------------------------------------------------------------- public API

  @Override
  public void start() {
    link.connection().start();
  }

  @Override
  public ConnectionState state() {
    return link.connection().state();
  }

  @Override
  public CompletionStage<JsonNode> request(String method, JsonNode params, RequestOptions options) {
    return requests.request(method, params, options);
  }

  @Override
  public CompletionStage<Void> notify(String method, JsonNode params) {
    return requests.notify(method, params);
  }

  @Override
  public StreamSubscription listen(String stream, StreamHandler handler, Delivery delivery) {
    Objects.requireNonNull(stream, "stream");
    Objects.requireNonNull(handler, "handler");
    Objects.requireNonNull(delivery, "delivery");
    if (stream.isEmpty()) {
      throw new IllegalArgumentException("stream must not be empty");
    }
    return streams.listen(stream, handler, delivery);
  }

  @Override
  public Subscription subscribe(LifecycleListener listener) {
    return link.connection().subscribe(listener);
  }

  @Override
  public Subscription observeRequests(RequestListener listener) {
    return link.observeRequests(Objects.requireNonNull(listener, "listener"));
  }

  @Override
  public ConnectionStats stats() {
    return link.counters.snapshot();
  }

  @Override
  public Connection connection() {
    return link.connection();
  }

  @Override
  public void close(String reason) {
    link.connection().close(reason);
  }

  @Override
  public CompletionStage<ConnectionState> terminated() {
    return link.connection().terminated();
  }

  @Override
  public String toString() {
    return "RpcConnection[" + link.name() + ", " + link.config.dialect().name() + "]";
  }

  /** Checks a request's method and params at the API edge. */
  static void checkCall(String method, JsonNode params) {
    Objects.requireNonNull(method, "method");
    if (method.isEmpty()) {
      throw new IllegalArgumentException("method must not be empty");
    }
    if (params != null && !params.isObject() && !params.isArray()) {
      throw new IllegalArgumentException(
          "params must be an object, an array or null, was " + params.getNodeType());
    }
  }

  /** Tests only: hands {@code frame} to the first hop as the driver would. Call on the context. */
  void onFrame(long epoch, byte[] frame) {
    frames.onFrame(epoch, frame);
  }

  /** Tests only: notifications parked now. Call on the context. */
  int parkedForTest() {
    return streams.parked();
  }

  // ---------------------------------------------------------------- channel lifecycle

  /** The {@link Handshake} of the underlying connection: {@code ch} is the current channel now. */
  @Override
  public CompletionStage<Void> run(Channel ch, long epoch) {
    resetChannel(ch);
    ChannelSetup s = new ChannelSetup(link, requests, subscriptions);
    link.setup = s;
    return s.start(epoch);
  }

  /** The underlying connection's lifecycle events. */
  @Override
  public void onEvent(LifecycleEvent e) {
    if (e instanceof LifecycleEvent.Connected c) {
      up(c.epoch());
    } else if (e instanceof LifecycleEvent.Reconnected r) {
      link.counters.inc(C.RECONNECTS);
      up(r.epoch());
    } else {
      channelGone(e);
    }
  }

  private void up(long epoch) {
    link.upEpoch = epoch;
    link.setup = null;
    if (heartbeat != null) {
      heartbeat.start(epoch);
    }
    requests.sendWaiting(epoch);
  }

  /** The channel is gone (or there never was one): fail what was in flight, at once (I6). */
  private void channelGone(LifecycleEvent e) {
    Cause cause = causeOf(e);
    boolean end = e.isTerminal();
    String why =
        e instanceof LifecycleEvent.Closed closed
            ? "connection closed: " + closed.reason()
            : "channel lost: " + cause;
    resetChannel(null);
    link.terminal |= end;
    if (end) {
      // Quiet before any user code runs: failing a request completes its future here, and its
      // callback must not find the ended connection still holding another request's deadline timer.
      requests.disarmAll();
    }
    requests.failInFlight(why, cause, end);
    if (end) {
      streams.dropUndelivered();
      requests.failWaiting(why, cause);
    } else if (!link.config.failFast().waitsIn(e.state())) {
      requests.attemptFailed(e.state());
    }
  }

  private static Cause causeOf(LifecycleEvent e) {
    if (e instanceof LifecycleEvent.Reconnecting r) {
      return r.cause();
    }
    if (e instanceof LifecycleEvent.Connecting c) {
      return c.lastFailure().orElse(null);
    }
    if (e instanceof LifecycleEvent.PermanentlyDisconnected p) {
      return p.cause();
    }
    return null;
  }

  private void resetChannel(Channel next) {
    link.reset(next);
    subscriptions.reset();
    // The backlog and paused lanes outlive the channel: those events were received; they wait for
    // their consumer like the next channel's events will.
    if (heartbeat != null) {
      heartbeat.stop();
    }
  }
}
