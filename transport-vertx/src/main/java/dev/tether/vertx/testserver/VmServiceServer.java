package dev.tether.vertx.testserver;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tether.vertx.impl.OnContext;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.net.KeyCertOptions;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetServerOptions;
import io.vertx.core.net.NetSocket;
import io.vertx.core.net.SocketAddress;
import io.vertx.core.parsetools.RecordParser;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A small JSON-RPC 2.0 server speaking the {@code vm-service} dialect, for tests and demos: {@code
 * getVersion}, {@code streamListen}/{@code streamCancel}, {@code echo}, and a {@code streamNotify}
 * event every {@link Builder#eventInterval} on every subscribed stream of every client.
 *
 * <p>Listens on a WebSocket ({@code ws://} or, with {@link Builder#tls}, {@code wss://}), on TCP or
 * on a Unix socket, one JSON object per line for the latter two. {@link #stop()} closes every
 * client connection and the listener; {@link #start()} again listens on the same address.
 *
 * <p>Not for production (see the package documentation). Thread-safe: all state changes run on the
 * server's Vert.x context.
 */
public final class VmServiceServer implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(VmServiceServer.class);

  /** Longest line a client may send over TCP/unix: generous for requests, bounded (R1). */
  static final int MAX_LINE_BYTES = 1024 * 1024;

  /** How long {@link #close()} waits for {@link #stop()}. */
  static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(10);

  private enum Kind {
    WS,
    TCP,
    UNIX
  }

  private final Vertx vertx;
  private final Context context;
  private final Kind kind;
  private final String host;
  private final String path;
  private final Path socketFile;
  private final Duration eventInterval;
  private final KeyCertOptions tls;
  private final ObjectMapper json = new ObjectMapper();
  private final Map<Client, Boolean> clients = new ConcurrentHashMap<>();
  private final AtomicLong seq = new AtomicLong();
  private final AtomicLong requests = new AtomicLong();

  // Confined to the context.
  private volatile int port;
  private HttpServer httpServer;
  private NetServer netServer;
  private long eventTimer = -1;
  private volatile boolean running;

  private VmServiceServer(Builder b) {
    this.vertx = b.vertx;
    this.context = b.vertx.getOrCreateContext();
    this.kind = b.kind;
    this.host = b.host;
    this.port = b.port;
    this.path = b.path;
    this.socketFile = b.socketFile;
    this.eventInterval = b.eventInterval;
    this.tls = b.tls;
  }

  /** A builder for a server on {@code vertx}: WebSocket on 127.0.0.1, a free port, path /ws. */
  public static Builder builder(Vertx vertx) {
    return new Builder(Objects.requireNonNull(vertx, "vertx"));
  }

  /**
   * Starts listening: the first time on the configured port (a free one if 0), afterwards on the
   * same port or socket file as before.
   *
   * @return completes with the endpoint clients connect to
   */
  public CompletionStage<URI> start() {
    return OnContext.run(context, this::listen);
  }

  /** Stops: closes every client connection and the listener, cancels the event timer. */
  public CompletionStage<Void> stop() {
    return OnContext.run(context, this::shutdown);
  }

  /** Stops and waits up to {@link #CLOSE_TIMEOUT}. */
  @Override
  public void close() {
    OnContext.awaitQuietly(stop(), CLOSE_TIMEOUT, log, this);
  }

  /**
   * The endpoint clients connect to.
   *
   * @throws IllegalStateException before the first {@link #start()} picked a port
   */
  public URI endpoint() {
    if (kind == Kind.UNIX) {
      return URI.create("unix://" + socketFile.toAbsolutePath());
    }
    if (port == 0) {
      throw new IllegalStateException("not started yet: no port chosen");
    }
    String h = host.contains(":") ? "[" + host + "]" : host;
    return switch (kind) {
      case WS -> URI.create((tls == null ? "ws://" : "wss://") + h + ":" + port + path);
      case TCP -> URI.create("tcp://" + h + ":" + port);
      case UNIX -> throw new AssertionError();
    };
  }

  /** Whether the server is listening. */
  public boolean running() {
    return running;
  }

  /** Client connections currently open. */
  public int connections() {
    return clients.size();
  }

  /** Requests answered so far, over all runs. */
  public long requestsServed() {
    return requests.get();
  }

  @Override
  public String toString() {
    return "VmServiceServer[" + kind + (port == 0 ? "" : " " + endpoint()) + "]";
  }

  // ---------------------------------------------------------------- on the context

  private Future<URI> listen() {
    if (running) {
      return Future.succeededFuture(endpoint());
    }
    Future<Integer> bound =
        switch (kind) {
          case WS -> listenWebSocket();
          case TCP -> listenNet(SocketAddress.inetSocketAddress(port, host));
          case UNIX ->
              deleteSocketFile()
                  .compose(
                      v -> listenNet(SocketAddress.domainSocketAddress(socketFile.toString())));
        };
    return bound.map(
        actual -> {
          port = actual;
          running = true;
          eventTimer = vertx.setPeriodic(eventInterval.toMillis(), id -> tick());
          log.debug("{} listening", this);
          return endpoint();
        });
  }

  private Future<Integer> listenWebSocket() {
    HttpServerOptions options = new HttpServerOptions().setMaxWebSocketMessageSize(MAX_LINE_BYTES);
    if (tls != null) {
      options.setSsl(true).setKeyCertOptions(tls);
    }
    httpServer = vertx.createHttpServer(options);
    httpServer.webSocketHandler(this::acceptWebSocket);
    return httpServer.listen(port, host).map(HttpServer::actualPort);
  }

  private Future<Integer> listenNet(SocketAddress address) {
    netServer = vertx.createNetServer(new NetServerOptions());
    netServer.connectHandler(this::acceptSocket);
    return netServer.listen(address).map(s -> kind == Kind.UNIX ? -1 : s.actualPort());
  }

  private Future<Void> shutdown() {
    if (!running) {
      return Future.succeededFuture();
    }
    running = false;
    vertx.cancelTimer(eventTimer);
    List<Future<Void>> closing = new ArrayList<>();
    for (Client c : List.copyOf(clients.keySet())) {
      closing.add(c.close());
    }
    clients.clear();
    if (httpServer != null) {
      closing.add(httpServer.close());
      httpServer = null;
    }
    if (netServer != null) {
      closing.add(netServer.close());
      netServer = null;
    }
    return Future.join(closing)
        .transform(ar -> kind == Kind.UNIX ? deleteSocketFile() : Future.succeededFuture());
  }

  private Future<Void> deleteSocketFile() {
    try {
      Files.deleteIfExists(socketFile);
      return Future.succeededFuture();
    } catch (IOException e) {
      return Future.failedFuture(new UncheckedIOException("cannot remove " + socketFile, e));
    }
  }

  private void acceptWebSocket(ServerWebSocket ws) {
    if (!ws.path().equals(path)) {
      ws.close((short) 1008, "unknown path " + ws.path());
      return;
    }
    Client client = new Client(new VmServiceProtocol(json), ws::writeTextMessage, ws::close);
    clients.put(client, Boolean.TRUE);
    ws.textMessageHandler(text -> client.handle(text));
    ws.closeHandler(v -> clients.remove(client));
    ws.exceptionHandler(t -> log.debug("{}: client error: {}", this, t.getMessage()));
  }

  private void acceptSocket(NetSocket socket) {
    Client client =
        new Client(new VmServiceProtocol(json), text -> socket.write(text + "\n"), socket::close);
    clients.put(client, Boolean.TRUE);
    RecordParser lines =
        RecordParser.newDelimited(
            "\n",
            line -> {
              String text = line.toString(StandardCharsets.UTF_8).strip();
              if (!text.isEmpty()) {
                client.handle(text);
              }
            });
    lines.maxRecordSize(MAX_LINE_BYTES);
    lines.exceptionHandler(
        t -> {
          log.warn("{}: client line longer than {} bytes; closing it", this, MAX_LINE_BYTES);
          socket.close();
        });
    socket.handler(lines);
    socket.closeHandler(v -> clients.remove(client));
    socket.exceptionHandler(t -> log.debug("{}: client error: {}", this, t.getMessage()));
  }

  private void tick() {
    long n = seq.incrementAndGet();
    for (Client c : clients.keySet()) {
      for (String stream : c.protocol.streams()) {
        c.send(c.protocol.event(stream, n));
      }
    }
  }

  /** One connected client. */
  private final class Client {
    final VmServiceProtocol protocol;
    final Function<String, Future<Void>> writer;
    final Supplier<Future<Void>> closer;

    Client(
        VmServiceProtocol protocol,
        Function<String, Future<Void>> writer,
        Supplier<Future<Void>> closer) {
      this.protocol = protocol;
      this.writer = writer;
      this.closer = closer;
    }

    void handle(String text) {
      String reply = protocol.handle(text);
      if (reply != null) {
        requests.incrementAndGet();
        send(reply);
      }
    }

    void send(String text) {
      writer
          .apply(text)
          .onFailure(t -> log.debug("{}: write failed: {}", VmServiceServer.this, t.getMessage()));
    }

    Future<Void> close() {
      return closer.get();
    }
  }

  /** Builds a {@link VmServiceServer}. Not thread-safe. */
  public static final class Builder {
    private final Vertx vertx;
    private Kind kind = Kind.WS;
    private String host = "127.0.0.1";
    private int port;
    private String path = "/ws";
    private Path socketFile;
    private Duration eventInterval = Duration.ofMillis(50);
    private KeyCertOptions tls;

    private Builder(Vertx vertx) {
      this.vertx = vertx;
    }

    /** Serve WebSocket clients on {@code path} (the default, with path {@code /ws}). */
    public Builder webSocket(String path) {
      if (!path.startsWith("/")) {
        throw new IllegalArgumentException("path must start with /, was " + path);
      }
      this.kind = Kind.WS;
      this.path = path;
      return this;
    }

    /** Serve newline-delimited JSON over TCP. */
    public Builder tcp() {
      this.kind = Kind.TCP;
      return this;
    }

    /** Serve newline-delimited JSON on the Unix socket {@code socketFile}. */
    public Builder unix(Path socketFile) {
      this.kind = Kind.UNIX;
      this.socketFile = Objects.requireNonNull(socketFile, "socketFile");
      return this;
    }

    /** The address to bind (default 127.0.0.1). */
    public Builder host(String host) {
      this.host = Objects.requireNonNull(host, "host");
      return this;
    }

    /**
     * The port to bind (default 0: a free one, then kept across restarts).
     *
     * @throws IllegalArgumentException if outside 0..65535
     */
    public Builder port(int port) {
      if (port < 0 || port > 65_535) {
        throw new IllegalArgumentException("port must be in 0..65535, was " + port);
      }
      this.port = port;
      return this;
    }

    /**
     * How often every subscribed stream gets an event (default 50 ms).
     *
     * @throws IllegalArgumentException if shorter than 1 ms
     */
    public Builder eventInterval(Duration interval) {
      if (interval.toMillis() < 1) {
        throw new IllegalArgumentException("eventInterval must be >= 1 ms, was " + interval);
      }
      this.eventInterval = interval;
      return this;
    }

    /** Serve WebSocket over TLS ({@code wss://}) with this key and certificate. */
    public Builder tls(KeyCertOptions keyCert) {
      this.tls = Objects.requireNonNull(keyCert, "keyCert");
      return this;
    }

    /**
     * Builds the server, not yet started.
     *
     * @throws IllegalArgumentException if TLS is asked for a non-WebSocket server
     */
    public VmServiceServer build() {
      if (tls != null && kind != Kind.WS) {
        throw new IllegalArgumentException("tls is supported for WebSocket servers only");
      }
      return new VmServiceServer(this);
    }
  }
}
