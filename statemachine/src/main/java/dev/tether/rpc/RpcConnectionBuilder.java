package dev.tether.rpc;

import dev.tether.machine.BackoffPolicy;
import dev.tether.runtime.Connection;
import dev.tether.runtime.ConnectionBuilder;
import dev.tether.runtime.ExecutorScheduler;
import dev.tether.runtime.FailureClassifier;
import dev.tether.runtime.spi.ConnectParametersProvider;
import dev.tether.runtime.spi.EndpointResolver;
import dev.tether.runtime.spi.Scheduler;
import dev.tether.runtime.spi.Transport;
import java.net.URI;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.Executor;
import java.util.function.Consumer;
import java.util.random.RandomGenerator;

/**
 * Builds an {@link RpcConnection}. Required: {@link #transport} and {@link #endpoint} (or {@link
 * #endpointResolver}). Defaults: dialect {@link Dialect#plain()}, envelope {@link
 * Envelope#JSONRPC2}, no id-less error listener, request timeout {@link #DEFAULT_REQUEST_TIMEOUT},
 * fail fast as gRPC does ({@link FailFast#AFTER_FAILED_ATTEMPT}: wait for the attempt in progress,
 * fail at once after an attempt failed), wait-for-ready off (queue {@link
 * #DEFAULT_WAIT_QUEUE_CAPACITY}), no heartbeat, max frame {@link #DEFAULT_MAX_FRAME_BYTES}, no
 * handshake hook, {@link BackoffPolicy#defaults()}, write timeout {@link
 * ConnectionBuilder#DEFAULT_WRITE_TIMEOUT}, serves no method ({@link #serve}: requests from the
 * server are answered {@code -32601}), no notification handlers, and a dedicated thread (stopped at
 * termination) unless a {@link #scheduler} is given.
 *
 * <p>Not thread-safe; build on one thread.
 */
public final class RpcConnectionBuilder {
  /** Default deadline of a request. */
  public static final Duration DEFAULT_REQUEST_TIMEOUT = Duration.ofSeconds(30);

  /** Default bound on requests waiting for the connection: a burst, not a backlog. */
  public static final int DEFAULT_WAIT_QUEUE_CAPACITY = 256;

  /** Largest wait queue accepted; waiting requests hold their params in memory. */
  public static final int MAX_WAIT_QUEUE_CAPACITY = 1 << 16;

  /** Default largest inbound frame (R1): far above any normal payload, far below a heap. */
  public static final int DEFAULT_MAX_FRAME_BYTES = 16 * 1024 * 1024;

  /**
   * Default last-resort bound on inbound frames held back while a {@link Delivery.Overflow#PAUSE}
   * queue is full. Reading stops long before it (see {@link Delivery.Overflow#PAUSE}); only frames
   * a transport that cannot pause keeps delivering reach it.
   */
  public static final int DEFAULT_MAX_BACKLOG_FRAMES = 10_000;

  /**
   * Default deadline of a {@link #serve served} request's handler: the server waits for the answer,
   * and a handler that never finishes must not keep it waiting forever. As long as our own request
   * timeout, so a client and a server built on the same library wait alike.
   */
  public static final Duration DEFAULT_SERVE_TIMEOUT = DEFAULT_REQUEST_TIMEOUT;

  /**
   * Default bound on requests from the server in progress at once. The protocols that ask their
   * client things (language servers, tool servers, debug adapters) have a few in flight; 64 leaves
   * room for bursts while a flood is refused ({@link ServedError#OVERLOADED}) instead of queued.
   */
  public static final int DEFAULT_MAX_SERVED_IN_PROGRESS = 64;

  /** Largest {@link #maxServedInProgress} accepted: each holds a request's params in memory. */
  public static final int MAX_SERVED_IN_PROGRESS = 1 << 16;

  private final ConnectionBuilder connection = Connection.builder();
  private EndpointResolver resolver;
  private boolean hasTransport;
  private Scheduler scheduler;
  private String name;
  private Dialect dialect = Dialect.plain();
  private Duration requestTimeout = DEFAULT_REQUEST_TIMEOUT;
  private boolean waitForReady;
  private FailFast failFast = FailFast.AFTER_FAILED_ATTEMPT;
  private int waitQueueCapacity = DEFAULT_WAIT_QUEUE_CAPACITY;
  private Heartbeat heartbeat;
  private int maxFrameBytes = DEFAULT_MAX_FRAME_BYTES;
  private int maxBacklogFrames = DEFAULT_MAX_BACKLOG_FRAMES;
  private HandshakeHook hook;
  private Envelope envelope = Envelope.JSONRPC2;
  private Consumer<? super RpcException.RemoteError> idlessErrorListener;
  private final Map<String, Serving.Method> served = new LinkedHashMap<>();
  private final Map<String, NotificationHandler> notificationHandlers = new LinkedHashMap<>();
  private Executor serveExecutor;
  private int maxServedInProgress = DEFAULT_MAX_SERVED_IN_PROGRESS;

  RpcConnectionBuilder() {}

  /** The transport that opens channels. Required. */
  public RpcConnectionBuilder transport(Transport transport) {
    connection.transport(transport);
    hasTransport = true;
    return this;
  }

  /**
   * The endpoint to connect to. Required.
   *
   * @throws IllegalArgumentException if the URI has no scheme
   */
  public RpcConnectionBuilder endpoint(URI endpoint) {
    connection.endpoint(endpoint);
    this.resolver = EndpointResolver.fixed(endpoint);
    return this;
  }

  /**
   * Where each attempt connects, asked before every attempt; replaces {@link #endpoint}. See {@link
   * ConnectionBuilder#endpointResolver}.
   */
  public RpcConnectionBuilder endpointResolver(EndpointResolver resolver) {
    connection.endpointResolver(resolver);
    this.resolver = resolver;
    return this;
  }

  /**
   * Each attempt's upgrade headers and environment additions, asked before every attempt; see
   * {@link ConnectionBuilder#connectParameters}.
   */
  public RpcConnectionBuilder connectParameters(ConnectParametersProvider provider) {
    connection.connectParameters(provider);
    return this;
  }

  /** The context the connection is confined to (a virtual scheduler in tests). */
  public RpcConnectionBuilder scheduler(Scheduler scheduler) {
    this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
    return this;
  }

  /** The backoff policy. */
  public RpcConnectionBuilder policy(BackoffPolicy policy) {
    connection.policy(policy);
    return this;
  }

  /** The source of jitter draws; seed it for reproducible runs. */
  public RpcConnectionBuilder random(RandomGenerator random) {
    connection.random(random);
    return this;
  }

  /** A name for logs; defaults to the endpoint. */
  public RpcConnectionBuilder name(String name) {
    this.name = Objects.requireNonNull(name, "name");
    connection.name(name);
    return this;
  }

  /**
   * How long bytes handed to the channel may take to drain; see {@link
   * ConnectionBuilder#writeTimeout}. {@link Duration#ZERO} turns it off.
   *
   * @throws IllegalArgumentException if negative or longer than {@link
   *     ConnectionBuilder#MAX_WRITE_TIMEOUT}
   */
  public RpcConnectionBuilder writeTimeout(Duration timeout) {
    connection.writeTimeout(timeout);
    return this;
  }

  /** Which failures are final; see {@link ConnectionBuilder#failureClassifier}. */
  public RpcConnectionBuilder failureClassifier(FailureClassifier classifier) {
    connection.failureClassifier(classifier);
    return this;
  }

  /** The subscription dialect. */
  public RpcConnectionBuilder dialect(Dialect dialect) {
    this.dialect = Objects.requireNonNull(dialect, "dialect");
    return this;
  }

  /**
   * What request frames carry besides {@code id}, {@code method} and {@code params}: {@link
   * Envelope#JSONRPC2} (the default) or {@link Envelope#BARE} for protocols that refuse a {@code
   * jsonrpc} member. Responses are accepted with or without it either way.
   */
  public RpcConnectionBuilder envelope(Envelope envelope) {
    this.envelope = Objects.requireNonNull(envelope, "envelope");
    return this;
  }

  /**
   * Called with every error response that has a null or missing id (the server refused a frame it
   * could not tie to a request, e.g. one with a member it does not know), on the connection's
   * context: keep it short, never block. Such errors settle no request; they are also counted
   * ({@link ConnectionStats#idlessErrors}) and logged at {@code warn}. A listener that throws is
   * logged and counted as a handler error.
   */
  public RpcConnectionBuilder onIdlessError(Consumer<? super RpcException.RemoteError> listener) {
    this.idlessErrorListener = Objects.requireNonNull(listener, "listener");
    return this;
  }

  /**
   * The default request deadline.
   *
   * @throws IllegalArgumentException if not positive
   */
  public RpcConnectionBuilder requestTimeout(Duration timeout) {
    Objects.requireNonNull(timeout, "timeout");
    if (timeout.isNegative() || timeout.isZero()) {
      throw new IllegalArgumentException("requestTimeout must be positive, was " + timeout);
    }
    this.requestTimeout = timeout;
    return this;
  }

  /**
   * Whether requests wait for the connection by default (gRPC's {@code waitForReady}), in a queue
   * of at most {@code capacity} requests, each until its deadline. The same queue holds the
   * requests that wait for the attempt in progress (see {@link #failFast}).
   *
   * @throws IllegalArgumentException if {@code capacity} is not in 1..{@link
   *     #MAX_WAIT_QUEUE_CAPACITY}
   */
  public RpcConnectionBuilder waitForReady(boolean byDefault, int capacity) {
    if (capacity < 1 || capacity > MAX_WAIT_QUEUE_CAPACITY) {
      throw new IllegalArgumentException(
          "wait queue capacity must be in 1.." + MAX_WAIT_QUEUE_CAPACITY + ", was " + capacity);
    }
    this.waitForReady = byDefault;
    this.waitQueueCapacity = capacity;
    return this;
  }

  /**
   * When requests that do not wait for ready fail with {@link RpcException.NotConnected}: {@link
   * FailFast#AFTER_FAILED_ATTEMPT} (the default, gRPC's fail-fast: a request made while the attempt
   * in progress has not failed waits for it, within its deadline and in the wait queue) or {@link
   * FailFast#WHEN_NOT_CONNECTED} (at once whenever no channel is up).
   */
  public RpcConnectionBuilder failFast(FailFast failFast) {
    this.failFast = Objects.requireNonNull(failFast, "failFast");
    return this;
  }

  /** Enables the heartbeat. */
  public RpcConnectionBuilder heartbeat(Heartbeat heartbeat) {
    this.heartbeat = Objects.requireNonNull(heartbeat, "heartbeat");
    return this;
  }

  /**
   * The largest inbound frame; a larger one makes the channel count as lost ({@code
   * FRAME_TOO_LARGE}).
   *
   * @throws IllegalArgumentException if not positive
   */
  public RpcConnectionBuilder maxFrameBytes(int maxFrameBytes) {
    if (maxFrameBytes < 1) {
      throw new IllegalArgumentException("maxFrameBytes must be positive, was " + maxFrameBytes);
    }
    this.maxFrameBytes = maxFrameBytes;
    return this;
  }

  /**
   * Last-resort bound on inbound frames held back while a {@link Delivery.Overflow#PAUSE} queue is
   * full; reading stops at half of it, or at 1024 frames if that is less. Past it (a transport that
   * cannot pause) the channel counts as lost ({@code PROTOCOL_ERROR}).
   *
   * @throws IllegalArgumentException if not positive
   */
  public RpcConnectionBuilder maxBacklogFrames(int frames) {
    if (frames < 1) {
      throw new IllegalArgumentException("maxBacklogFrames must be positive, was " + frames);
    }
    this.maxBacklogFrames = frames;
    return this;
  }

  /**
   * Serves {@code method} to the server with the deadline {@link #DEFAULT_SERVE_TIMEOUT}; see
   * {@link #serve(String, Duration, ServedMethod)}.
   */
  public RpcConnectionBuilder serve(String method, ServedMethod handler) {
    return serve(method, DEFAULT_SERVE_TIMEOUT, handler);
  }

  /**
   * Serves {@code method}: every request the server sends for it is answered exactly once (I11), on
   * the channel it came on, with the handler's result or {@link ServedError}, {@link
   * ServedError#INTERNAL_ERROR} if the handler fails otherwise, or {@link ServedError#TIMED_OUT} if
   * it has not finished after {@code timeout}. Requests for methods nobody serves are answered
   * {@link ServedError#METHOD_NOT_FOUND} at once; at most {@link #maxServedInProgress} are in
   * progress, past it they are answered {@link ServedError#OVERLOADED} at once. An answer finished
   * after its channel was lost is dropped and counted ({@link ConnectionStats#servedDropped()}).
   *
   * @throws IllegalArgumentException if {@code method} is empty or already served, or {@code
   *     timeout} is not positive
   */
  public RpcConnectionBuilder serve(String method, Duration timeout, ServedMethod handler) {
    Objects.requireNonNull(method, "method");
    Objects.requireNonNull(timeout, "timeout");
    Objects.requireNonNull(handler, "handler");
    if (method.isEmpty()) {
      throw new IllegalArgumentException("served method must not be empty");
    }
    if (timeout.isNegative() || timeout.isZero()) {
      throw new IllegalArgumentException(
          "timeout of served method " + method + " must be positive, was " + timeout);
    }
    if (served.putIfAbsent(method, new Serving.Method(handler, timeout)) != null) {
      throw new IllegalArgumentException("method " + method + " is already served");
    }
    return this;
  }

  /**
   * Where {@link ServedMethod}s run. Without one they run on the connection's context (with the
   * default scheduler, the connection's own thread), where a handler that blocks stops the
   * connection reading, answering and probing until it returns: give an executor, or return a
   * stage, for slow work.
   */
  public RpcConnectionBuilder serveExecutor(Executor executor) {
    this.serveExecutor = Objects.requireNonNull(executor, "executor");
    return this;
  }

  /**
   * At most {@code max} requests from the server in progress at once (default {@link
   * #DEFAULT_MAX_SERVED_IN_PROGRESS}); past it each is answered {@link ServedError#OVERLOADED} at
   * once.
   *
   * @throws IllegalArgumentException if not in 1..{@link #MAX_SERVED_IN_PROGRESS}
   */
  public RpcConnectionBuilder maxServedInProgress(int max) {
    if (max < 1 || max > MAX_SERVED_IN_PROGRESS) {
      throw new IllegalArgumentException(
          "maxServedInProgress must be in 1.." + MAX_SERVED_IN_PROGRESS + ", was " + max);
    }
    this.maxServedInProgress = max;
    return this;
  }

  /**
   * Handles notifications of {@code method} that are not stream events: a notification goes to a
   * stream's listeners when the dialect reads it as an event of a stream someone {@link
   * RpcConnection#listen listens} to, otherwise to this handler, and with neither it is counted in
   * {@link ConnectionStats#unroutedNotifications()} (today's behaviour). So in the {@link
   * Dialect#plain() plain} dialect a method nobody listens to as a stream reaches its handler.
   *
   * @throws IllegalArgumentException if {@code method} is empty or already has a handler
   */
  public RpcConnectionBuilder onNotification(String method, NotificationHandler handler) {
    Objects.requireNonNull(method, "method");
    Objects.requireNonNull(handler, "handler");
    if (method.isEmpty()) {
      throw new IllegalArgumentException("notification method must not be empty");
    }
    if (notificationHandlers.putIfAbsent(method, handler) != null) {
      throw new IllegalArgumentException("notification " + method + " already has a handler");
    }
    return this;
  }

  /** User work on every new channel, before the streams are restored. */
  public RpcConnectionBuilder handshakeHook(HandshakeHook hook) {
    this.hook = Objects.requireNonNull(hook, "hook");
    return this;
  }

  /**
   * Builds the connection, not yet started.
   *
   * @throws IllegalStateException if the transport or endpoint is missing, or a heartbeat has no
   *     probe (neither its own nor the dialect's)
   */
  public RpcConnection build() {
    if (!hasTransport || resolver == null) {
      throw new IllegalStateException("transport and endpoint are required");
    }
    Dialect.RpcCall probe = null;
    if (heartbeat != null) {
      probe =
          heartbeat
              .probe()
              .or(dialect::heartbeatProbe)
              .orElseThrow(
                  () ->
                      new IllegalStateException(
                          "heartbeat needs a probe: dialect "
                              + dialect.name()
                              + " has none; use Heartbeat.withProbe(method)"));
    }
    boolean owned = scheduler == null;
    String connectionName = name == null ? resolver.describe() : name;
    Scheduler s =
        owned ? ExecutorScheduler.singleThread("tether-rpc-" + connectionName) : scheduler;
    RpcClient client =
        new RpcClient(
            new RpcClient.Config(
                connectionName,
                dialect,
                s,
                requestTimeout,
                waitForReady,
                failFast,
                waitQueueCapacity,
                heartbeat,
                probe,
                maxFrameBytes,
                maxBacklogFrames,
                hook,
                envelope,
                IdlessErrors.of(idlessErrorListener),
                serving()),
            connection.scheduler(s));
    if (owned) {
      client.terminated().whenComplete((state, err) -> ((ExecutorScheduler) s).close());
    }
    return client;
  }

  private Serving serving() {
    if (served.isEmpty() && notificationHandlers.isEmpty()) {
      return Serving.NONE; // shared: a connection that serves nothing pays one reference
    }
    return new Serving(served, notificationHandlers, serveExecutor, maxServedInProgress);
  }
}
