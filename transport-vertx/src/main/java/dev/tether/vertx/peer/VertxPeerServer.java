package dev.tether.vertx.peer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tether.peer.PeerNames;
import dev.tether.peer.PeerRegistry;
import dev.tether.peer.UnknownPodException;
import dev.tether.vertx.impl.OnContext;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetServerOptions;
import io.vertx.core.net.NetSocket;
import io.vertx.core.net.SocketAddress;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A peer endpoint server (DESIGN.md, "Peer endpoint protocol") on a Unix-domain socket or a TCP
 * port on 127.0.0.1, one JSON object per line.
 *
 * <p>On every connection it writes the buffered alerts ({@code {"event":"alert","data":…}}, oldest
 * first), then exactly one snapshot {@code {"event":"snapshot","data":{"name":…,"status":…,
 * "peers":[…]}}}, and only then reads requests. It answers each {@code {"method":"notify","id":…,
 * "params":{"message":…}}} with {@code {"event":"ack","data":{"id":…}}} when the {@link
 * NotifyHandler} accepts it, or {@code {"event":"error","data":{"id":…,"code":…,"message":…}}}. It
 * answers {@code {"method":"peer.register"|"peer.unregister","id":…,"params":{"source":NAME}}} the
 * same way, as the {@link ConsentHandler} decides (by default it refuses every registration with
 * {@link #CODE_UNKNOWN_SOURCE}). Error codes: {@link #CODE_UNKNOWN_METHOD}, {@link
 * #CODE_MALFORMED_REQUEST}, {@link #CODE_HANDLER_FAILED}, or the handler's own code. A request line
 * longer than {@link Builder#maxLineBytes} is answered with {@link #CODE_LINE_TOO_LONG} and the
 * connection is closed.
 *
 * <p>Alerts stay buffered until {@link #clearAlerts()}: every connection receives all of them. At
 * most {@link Builder#maxBufferedAlerts} are kept; beyond that the oldest is dropped and counted
 * ({@link #droppedAlerts()}) with a rate-limited {@code warn}.
 *
 * <p>The snapshot's {@code peers} are read from the {@link PeerRegistry} given to {@link
 * Builder#registry} (omitted without one; empty if this pod has no record; replaced by {@code
 * peersError} if the store fails), and its {@code details} from {@link Builder#details}. Both are
 * read off the event loop for every connection.
 *
 * <p>{@link #start()} listens and {@link #stop()} closes every connection and the listener, and
 * removes the socket file it created. A Unix socket path that is already taken by a running server,
 * or by something that is not a socket, makes {@link #start()} fail; a stale socket file left by a
 * server that died is removed.
 *
 * <p>Thread-safe: {@link #alert}, {@link #status} and the accessors may be called from any thread;
 * listening and connections run on Vert.x event loops.
 */
public final class VertxPeerServer implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(VertxPeerServer.class);
  static final ObjectMapper JSON = new ObjectMapper();

  /**
   * Error code for a request whose {@code method} is not {@code notify}, {@code peer.register} or
   * {@code peer.unregister}.
   */
  public static final String CODE_UNKNOWN_METHOD = "unknown-method";

  /** Error code for a request that is not a JSON object or lacks a field the method needs. */
  public static final String CODE_MALFORMED_REQUEST = "malformed-request";

  /** Error code for a {@code peer.register} from a source the {@link ConsentHandler} refuses. */
  public static final String CODE_UNKNOWN_SOURCE = "unknown-source";

  /** Error code for a notify whose handler threw. */
  public static final String CODE_HANDLER_FAILED = "handler-failed";

  /** Error code sent just before closing a connection whose request line is too long. */
  public static final String CODE_LINE_TOO_LONG = "line-too-long";

  /** Default longest request line: notify messages are short texts; bounded against floods (R1). */
  public static final int DEFAULT_MAX_LINE_BYTES = 1024 * 1024;

  /** Default alert buffer: far more than a pod raises between two clients reading them. */
  public static final int DEFAULT_MAX_BUFFERED_ALERTS = 1_000;

  /** Connections open at once: local pods are few; beyond this a new connection is closed. */
  public static final int MAX_CONNECTIONS = 256;

  /** How long {@link #close()} waits for {@link #stop()}. */
  public static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(10);

  /** Warn on the first dropped alert and then on every this many, so a flood logs little. */
  private static final long DROP_WARN_EVERY = 100;

  private final Vertx vertx;
  private final Context context;
  private final String name;
  private final Path socketFile; // null for TCP
  private final NotifyHandler handler;
  private final ConsentHandler consent;
  private final PeerRegistry registry; // may be null
  private final Supplier<String> details; // may be null
  private final int maxLineBytes;
  private final int maxBufferedAlerts;
  private final boolean confirming;
  private final ArrayDeque<String> alerts = new ArrayDeque<>(); // guarded by itself
  private final AtomicLong droppedAlerts = new AtomicLong();
  private final Set<PeerSession> sessions = ConcurrentHashMap.newKeySet();
  private volatile String status;
  private volatile int port;

  // Confined to the context.
  private NetServer netServer;
  private boolean createdSocketFile;
  private volatile boolean running;

  private VertxPeerServer(Builder b) {
    this.vertx = b.vertx;
    this.context = b.vertx.getOrCreateContext();
    this.name = b.name;
    this.socketFile = b.socketFile;
    this.port = b.port;
    this.handler = b.handler;
    this.consent = b.consent;
    this.registry = b.registry;
    this.details = b.details;
    this.maxLineBytes = b.maxLineBytes;
    this.maxBufferedAlerts = b.maxBufferedAlerts;
    this.confirming = b.confirming;
    this.status = b.status;
  }

  /**
   * A builder for the server of pod {@code name}, passing each received message to {@code handler}.
   * Choose {@link Builder#unix} or {@link Builder#tcp} before {@link Builder#build()}.
   *
   * @throws IllegalArgumentException if {@code name} is not a valid pod name ({@link PeerNames})
   */
  public static Builder builder(Vertx vertx, String name, NotifyHandler handler) {
    return new Builder(
        Objects.requireNonNull(vertx, "vertx"),
        PeerNames.requireValid(name),
        Objects.requireNonNull(handler, "handler"));
  }

  /**
   * Starts listening. Calling it while running completes with the same endpoint.
   *
   * @return completes with the endpoint clients connect to ({@code unix:///…} or {@code
   *     tcp://127.0.0.1:PORT}), or fails with an {@link IOException} naming the address (in use,
   *     not a socket, no such directory, …)
   */
  public CompletionStage<URI> start() {
    return OnContext.run(context, this::listen);
  }

  /**
   * Stops: closes every connection and the listener, and removes the socket file if this server
   * created it. Idempotent.
   *
   * @return completes when all of that is done
   */
  public CompletionStage<Void> stop() {
    return OnContext.run(context, this::shutdown);
  }

  /** {@link #stop()} and waits up to {@link #CLOSE_TIMEOUT}; failures are logged. */
  @Override
  public void close() {
    OnContext.awaitQuietly(stop(), CLOSE_TIMEOUT, log, this);
  }

  /**
   * The endpoint clients connect to.
   *
   * @throws IllegalStateException for a TCP server on port 0 that has not started yet
   */
  public URI endpoint() {
    if (socketFile != null) {
      return URI.create("unix://" + socketFile.toAbsolutePath());
    }
    if (port == 0) {
      throw new IllegalStateException("not started yet: no port chosen");
    }
    return URI.create("tcp://127.0.0.1:" + port);
  }

  /** The pod's name, as sent in the snapshot. */
  public String name() {
    return name;
  }

  /** Whether the server is listening. */
  public boolean running() {
    return running;
  }

  /** Connections currently open. */
  public int connections() {
    return sessions.size();
  }

  /**
   * Sets the {@code status} sent in snapshots from now on.
   *
   * @throws NullPointerException if {@code status} is null
   */
  public void status(String status) {
    this.status = Objects.requireNonNull(status, "status");
  }

  /** The {@code status} sent in snapshots. */
  public String status() {
    return status;
  }

  /**
   * Buffers an alert for every future connection. Beyond {@link Builder#maxBufferedAlerts} the
   * oldest alert is dropped and counted.
   *
   * @param dataJson the alert's {@code data}, a JSON object as text
   * @throws IllegalArgumentException if {@code dataJson} is not a JSON object
   */
  public void alert(String dataJson) {
    String line = frame("alert", parseObject(dataJson, "alert data"));
    String dropped = null;
    synchronized (alerts) {
      alerts.addLast(line);
      if (alerts.size() > maxBufferedAlerts) {
        dropped = alerts.pollFirst();
      }
    }
    if (dropped != null) {
      long n = droppedAlerts.incrementAndGet();
      if (n == 1 || n % DROP_WARN_EVERY == 0) {
        log.warn(
            "{}: more than {} buffered alerts; dropped the oldest ({} dropped so far)",
            this,
            maxBufferedAlerts,
            n);
      }
    }
  }

  /** Forgets every buffered alert. */
  public void clearAlerts() {
    synchronized (alerts) {
      alerts.clear();
    }
  }

  /** Alerts currently buffered. */
  public int bufferedAlerts() {
    synchronized (alerts) {
      return alerts.size();
    }
  }

  /** Alerts dropped because the buffer was full, since the server was built. */
  public long droppedAlerts() {
    return droppedAlerts.get();
  }

  @Override
  public String toString() {
    String where = socketFile != null ? "unix://" + socketFile : "tcp://127.0.0.1:" + port;
    return "VertxPeerServer[" + name + " " + where + "]";
  }

  // ---------------------------------------------------------------- on the context

  private Future<URI> listen() {
    if (running) {
      return Future.succeededFuture(endpoint());
    }
    netServer = vertx.createNetServer(new NetServerOptions());
    netServer.connectHandler(this::accept);
    Future<NetServer> bound;
    if (socketFile == null) {
      bound = netServer.listen(SocketAddress.inetSocketAddress(port, "127.0.0.1"));
    } else {
      bound =
          vertx
              .executeBlocking(
                  () -> {
                    SocketFiles.claim(socketFile);
                    return null;
                  },
                  false)
              .compose(
                  v -> netServer.listen(SocketAddress.domainSocketAddress(socketFile.toString())))
              .onSuccess(s -> createdSocketFile = true);
    }
    return bound.transform(
        ar -> {
          if (ar.failed()) {
            NetServer failed = netServer;
            netServer = null;
            return failed.close().transform(c -> Future.failedFuture(listenFailed(ar.cause())));
          }
          if (socketFile == null) {
            port = ar.result().actualPort();
          }
          running = true;
          log.debug("{} listening", this);
          return Future.succeededFuture(endpoint());
        });
  }

  private IOException listenFailed(Throwable cause) {
    String where = socketFile != null ? "unix://" + socketFile : "tcp://127.0.0.1:" + port;
    String why = cause.getMessage() != null ? cause.getMessage() : cause.toString();
    return new IOException("cannot listen on " + where + ": " + why, cause);
  }

  private Future<Void> shutdown() {
    if (!running) {
      return Future.succeededFuture();
    }
    running = false;
    List<Future<Void>> closing = new ArrayList<>();
    for (PeerSession s : List.copyOf(sessions)) {
      closing.add(s.close());
    }
    closing.add(netServer.close());
    netServer = null;
    return Future.join(closing).transform(ar -> removeSocketFile());
  }

  /**
   * Netty's NIO domain-socket server already deletes its file on close; this backstop covers
   * transports and versions that do not, and never touches a file this server did not create.
   */
  private Future<Void> removeSocketFile() {
    if (!createdSocketFile) {
      return Future.succeededFuture();
    }
    createdSocketFile = false;
    return vertx.executeBlocking(
        () -> {
          SocketFiles.remove(socketFile);
          return null;
        },
        false);
  }

  private void accept(NetSocket socket) {
    socket.pause(); // read nothing before the snapshot is written
    if (!running || sessions.size() >= MAX_CONNECTIONS) {
      log.warn(
          "{}: refusing a connection ({} open, limit {})", this, sessions.size(), MAX_CONNECTIONS);
      socket.close();
      return;
    }
    PeerSession session =
        new PeerSession(socket, handler, consent, maxLineBytes, confirming, this + " client");
    sessions.add(session);
    socket.closeHandler(v -> sessions.remove(session));
    session.greet(bufferedAlertLines(), snapshotLine());
  }

  private List<String> bufferedAlertLines() {
    synchronized (alerts) {
      return List.copyOf(alerts);
    }
  }

  /** The snapshot line, built off the event loop when it reads the store or the details. */
  private Future<String> snapshotLine() {
    if (registry == null && details == null) {
      return Future.succeededFuture(frame("snapshot", snapshotData()));
    }
    return vertx.executeBlocking(() -> frame("snapshot", snapshotData()), false);
  }

  private ObjectNode snapshotData() {
    ObjectNode data = JSON.createObjectNode();
    data.put("name", name);
    data.put("status", status);
    if (registry != null) {
      try {
        data.set("peers", JSON.valueToTree(registry.peers(name)));
      } catch (UnknownPodException e) {
        data.putArray("peers"); // not added to the store yet: no peers
      } catch (IOException e) {
        log.warn("{}: cannot read peers for the snapshot", this, e);
        data.put("peersError", String.valueOf(e.getMessage()));
      }
    }
    if (details != null) {
      data.set("details", parseObject(details.get(), "details"));
    }
    return data;
  }

  static String frame(String event, JsonNode data) {
    ObjectNode node = JSON.createObjectNode();
    node.put("event", event);
    node.set("data", data);
    return node.toString();
  }

  private static JsonNode parseObject(String json, String what) {
    Objects.requireNonNull(json, what);
    JsonNode node;
    try {
      node = JSON.readTree(json);
    } catch (IOException e) {
      throw new IllegalArgumentException(what + " is not JSON: " + abbreviate(json), e);
    }
    if (node == null || !node.isObject()) {
      throw new IllegalArgumentException(what + " must be a JSON object, was " + abbreviate(json));
    }
    return node;
  }

  /** Keeps error messages short when a caller passes a huge value. */
  static String abbreviate(String text) {
    final int max = 80;
    return text.length() <= max ? text : text.substring(0, max) + "…";
  }

  static byte[] utf8(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }

  /** Builds a {@link VertxPeerServer}. Not thread-safe. */
  public static final class Builder {
    /**
     * Longest Unix socket path: Linux's {@code sun_path} is 108 bytes including the final NUL.
     * Checked here because the kernel's own error ("Invalid argument") does not say why.
     */
    public static final int MAX_SOCKET_PATH_BYTES = 107;

    private final Vertx vertx;
    private final String name;
    private final NotifyHandler handler;
    private ConsentHandler consent = ConsentHandler.refuseAll();
    private Path socketFile;
    private int port = -1;
    private PeerRegistry registry;
    private Supplier<String> details;
    private int maxLineBytes = DEFAULT_MAX_LINE_BYTES;
    private int maxBufferedAlerts = DEFAULT_MAX_BUFFERED_ALERTS;
    private boolean confirming = true;
    private String status = "idle";

    private Builder(Vertx vertx, String name, NotifyHandler handler) {
      this.vertx = vertx;
      this.name = name;
      this.handler = handler;
    }

    /**
     * Listen on the Unix-domain socket {@code socketFile} (its directory must exist).
     *
     * @throws IllegalArgumentException if the absolute path is longer than {@link
     *     #MAX_SOCKET_PATH_BYTES} bytes
     */
    public Builder unix(Path socketFile) {
      Path absolute = socketFile.toAbsolutePath();
      int length = utf8(absolute.toString()).length;
      if (length > MAX_SOCKET_PATH_BYTES) {
        throw new IllegalArgumentException(
            "socket path "
                + absolute
                + " is "
                + length
                + " bytes, longer than the "
                + MAX_SOCKET_PATH_BYTES
                + " a Unix socket allows");
      }
      this.socketFile = absolute;
      this.port = -1;
      return this;
    }

    /**
     * Listen on TCP port {@code port} of 127.0.0.1 (0: a free port, see {@link #endpoint()}).
     *
     * @throws IllegalArgumentException if outside 0..65535
     */
    public Builder tcp(int port) {
      if (port < 0 || port > 65_535) {
        throw new IllegalArgumentException("port must be in 0..65535, was " + port);
      }
      this.port = port;
      this.socketFile = null;
      return this;
    }

    /**
     * Answer {@code peer.register} and {@code peer.unregister} through {@code consent} (default
     * {@link ConsentHandler#refuseAll()}: no registration is consented to until the application
     * says whom it accepts, for example with {@link ConsentHandler#accepting}).
     */
    public Builder consent(ConsentHandler consent) {
      this.consent = Objects.requireNonNull(consent, "consent");
      return this;
    }

    /** Read this pod's peers from {@code registry} for every snapshot. */
    public Builder registry(PeerRegistry registry) {
      this.registry = Objects.requireNonNull(registry, "registry");
      return this;
    }

    /**
     * Include {@code details} (a JSON object as text, read for every connection, off the event
     * loop) in every snapshot. A supplier that fails or returns something other than a JSON object
     * closes that connection without a snapshot.
     */
    public Builder details(Supplier<String> details) {
      this.details = Objects.requireNonNull(details, "details");
      return this;
    }

    /** The initial {@code status} (default {@code idle}); change it later with {@link #status}. */
    public Builder status(String status) {
      this.status = Objects.requireNonNull(status, "status");
      return this;
    }

    /**
     * Longest request line in bytes (default {@link #DEFAULT_MAX_LINE_BYTES}).
     *
     * @throws IllegalArgumentException if less than 64
     */
    public Builder maxLineBytes(int maxLineBytes) {
      final int min = 64; // a notify with a short id and message must fit
      if (maxLineBytes < min) {
        throw new IllegalArgumentException(
            "maxLineBytes must be >= " + min + ", was " + maxLineBytes);
      }
      this.maxLineBytes = maxLineBytes;
      return this;
    }

    /**
     * Alerts kept for new connections (default {@link #DEFAULT_MAX_BUFFERED_ALERTS}).
     *
     * @throws IllegalArgumentException if less than 1
     */
    public Builder maxBufferedAlerts(int maxBufferedAlerts) {
      if (maxBufferedAlerts < 1) {
        throw new IllegalArgumentException(
            "maxBufferedAlerts must be >= 1, was " + maxBufferedAlerts);
      }
      this.maxBufferedAlerts = maxBufferedAlerts;
      return this;
    }

    /**
     * Whether to answer notifies (default true). {@code false} behaves like an older peer: it
     * passes each message to the handler and answers nothing, so senders get {@code
     * WrittenUnconfirmed}. For compatibility tests.
     */
    public Builder confirming(boolean confirming) {
      this.confirming = confirming;
      return this;
    }

    /**
     * Builds the server, not yet started.
     *
     * @throws IllegalArgumentException if neither {@link #unix} nor {@link #tcp} was chosen
     */
    public VertxPeerServer build() {
      if (socketFile == null && port < 0) {
        throw new IllegalArgumentException("choose unix(path) or tcp(port) before build()");
      }
      return new VertxPeerServer(this);
    }
  }
}
