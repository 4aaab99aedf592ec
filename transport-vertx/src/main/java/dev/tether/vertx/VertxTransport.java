package dev.tether.vertx;

import dev.tether.machine.Cause;
import dev.tether.runtime.spi.Channel;
import dev.tether.runtime.spi.ChannelListener;
import dev.tether.runtime.spi.ChannelOpenException;
import dev.tether.runtime.spi.ConnectParameters;
import dev.tether.runtime.spi.EndpointResolver;
import dev.tether.runtime.spi.Transport;
import dev.tether.vertx.impl.Endpoint;
import dev.tether.vertx.impl.Errors;
import dev.tether.vertx.impl.LineChannel;
import dev.tether.vertx.impl.WebSocketChannel;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.UpgradeRejectedException;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetClientOptions;
import io.vertx.core.net.SocketAddress;
import java.io.IOException;
import java.net.URI;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link Transport} on Vert.x 5 for these endpoints:
 *
 * <ul>
 *   <li>{@code ws://host[:port]/path} and {@code wss://host[:port]/path}: a WebSocket; each frame
 *       is one text message (binary messages are accepted inbound too).
 *   <li>{@code tcp://host:port}: a TCP socket carrying one frame per line.
 *   <li>{@code unix:///path/to/socket}: a Unix-domain socket carrying one frame per line, through
 *       the JDK's own Unix-domain support (no native library needed).
 * </ul>
 *
 * <p>Connect parameters ({@link #open(URI, ConnectParameters, ChannelListener)}): headers are added
 * to the WebSocket upgrade request of {@code ws} and {@code wss} endpoints (an {@code
 * Authorization} with a token refreshed for each attempt); the handshake's own headers ({@code
 * Connection}, {@code Upgrade}, {@code Sec-WebSocket-Key}, {@code Sec-WebSocket-Version}) are
 * refused. {@code tcp} and {@code unix} endpoints have no request to carry headers, and no endpoint
 * starts a process to take environment variables: such parameters are refused (the attempt fails,
 * naming them), never silently dropped. Header values appear in no message and no log (R3).
 *
 * <p>Each channel reports its end exactly once, whichever of Vert.x's exception, close and end
 * callbacks fire and in whatever order. A channel reports itself not writable while Vert.x's write
 * queue is above {@link VertxTransportOptions#writeQueueHighWaterBytes()} and writable again on
 * drain; a frame that would push the queued bytes past {@link
 * VertxTransportOptions#maxOutboundBytes()} is refused ({@code send}'s stage fails with {@link
 * OutboundBufferFullException}). An inbound frame longer than {@link
 * VertxTransportOptions#maxFrameBytes()} ends the channel with {@code FRAME_TOO_LARGE}.
 *
 * <p>Channels may be opened from any thread. Opened from a context of this transport's Vert.x (such
 * as the connection's {@link VertxScheduler}), the channel's callbacks run on that context; opened
 * from any other thread, on a new event-loop context. Either way the channel's handlers are
 * attached before any inbound byte is handled, so nothing a peer sends on accept is lost.
 *
 * <p>The transport does not own the {@link Vertx} instance; {@link #close()} releases its clients
 * (closing their channels) but leaves Vert.x running. Thread-safe.
 */
public final class VertxTransport implements Transport, AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(VertxTransport.class);

  /**
   * Live WebSockets one transport may hold to one host and port: far beyond any file-descriptor
   * limit, so the operating system, not a pool, is the bound.
   */
  static final int MAX_WEBSOCKETS_PER_ENDPOINT = 1_000_000;

  /** Headers of the WebSocket handshake itself, lower case: the client sets them, not the user. */
  static final Set<String> HANDSHAKE_HEADERS =
      Set.of("connection", "upgrade", "sec-websocket-key", "sec-websocket-version");

  private final Vertx vertx;
  private final VertxTransportOptions options;
  private final WebSocketClient webSockets;
  private final NetClient sockets;
  private final AtomicInteger openChannels = new AtomicInteger();
  // One for all channels: a method reference made per open was an object per session (B5).
  private final Runnable channelEnded = this::channelEnded;
  private volatile boolean closed;

  private VertxTransport(Vertx vertx, VertxTransportOptions options) {
    this.vertx = vertx;
    this.options = options;
    this.webSockets = vertx.createWebSocketClient(webSocketOptions(options));
    this.sockets =
        vertx.createNetClient(
            new NetClientOptions().setConnectTimeout(connectTimeoutMillis(options)));
    warnIfInsecure(options.tls());
  }

  /** A transport on {@code vertx} with {@link VertxTransportOptions#defaults()}. */
  public static VertxTransport create(Vertx vertx) {
    return create(vertx, VertxTransportOptions.defaults());
  }

  /** A transport on {@code vertx} with {@code options}. */
  public static VertxTransport create(Vertx vertx, VertxTransportOptions options) {
    return new VertxTransport(
        Objects.requireNonNull(vertx, "vertx"), Objects.requireNonNull(options, "options"));
  }

  /**
   * {@inheritDoc}
   *
   * <p>The stage fails with an {@link IOException} whose message names the endpoint and the reason
   * (refused, TLS certificate rejected, upgrade rejected, ...), or with {@link
   * IllegalStateException} after {@link #close()}.
   *
   * @throws IllegalArgumentException if the endpoint's scheme is not ws, wss, tcp or unix, or the
   *     endpoint lacks a part its scheme needs
   */
  @Override
  public CompletionStage<Channel> open(URI endpoint, ChannelListener listener) {
    return open(endpoint, ConnectParameters.none(), listener);
  }

  /**
   * {@inheritDoc}
   *
   * <p>As {@link #open(URI, ChannelListener)}, with {@code parameters}' headers on the WebSocket
   * upgrade request.
   *
   * @throws IllegalArgumentException also if {@code parameters} holds environment variables, holds
   *     headers for a {@code tcp} or {@code unix} endpoint, or sets a header of the WebSocket
   *     handshake itself (the message names them, never a value)
   */
  @Override
  public CompletionStage<Channel> open(
      URI endpoint, ConnectParameters parameters, ChannelListener listener) {
    Endpoint ep = Endpoint.parse(endpoint);
    checkParameters(ep, parameters);
    Objects.requireNonNull(listener, "listener");
    if (closed) {
      return CompletableFuture.failedFuture(new IllegalStateException("transport is closed"));
    }
    CompletableFuture<Channel> result = new CompletableFuture<>();
    Context current = Vertx.currentContext();
    if (current != null && current.owner() == vertx) {
      connect(ep, parameters, listener, result);
    } else {
      // Called from outside this Vert.x (a plain thread or another instance): connect from a
      // context of ours, so the socket's callbacks and the attaching of the channel's handlers run
      // on that context, in order, and no byte the peer sends at once can arrive before them.
      vertx.getOrCreateContext().runOnContext(v -> connect(ep, parameters, listener, result));
    }
    return result;
  }

  /** Refuses what {@code ep} cannot carry, naming it (never its value, R3). */
  private static void checkParameters(Endpoint ep, ConnectParameters parameters) {
    if (!parameters.environment().isEmpty()) {
      throw new IllegalArgumentException(
          "a "
              + ep.kind().name().toLowerCase(Locale.ROOT)
              + " endpoint starts no process: environment variables "
              + parameters.environment().keySet()
              + " cannot be applied");
    }
    if (parameters.headers().isEmpty()) {
      return;
    }
    if (ep.kind() == Endpoint.Kind.TCP || ep.kind() == Endpoint.Kind.UNIX) {
      throw new IllegalArgumentException(
          "a "
              + ep.kind().name().toLowerCase(Locale.ROOT)
              + " endpoint has no upgrade request: headers "
              + parameters.headers().keySet()
              + " cannot be sent");
    }
    for (String name : parameters.headers().keySet()) {
      if (HANDSHAKE_HEADERS.contains(name.toLowerCase(Locale.ROOT))) {
        throw new IllegalArgumentException(
            "header " + name + " belongs to the WebSocket handshake and cannot be set");
      }
    }
  }

  private void connect(
      Endpoint ep,
      ConnectParameters parameters,
      ChannelListener listener,
      CompletableFuture<Channel> result) {
    Future<Channel> opening;
    try {
      opening =
          switch (ep.kind()) {
            case WS, WSS -> openWebSocket(ep, parameters.headers(), listener);
            case TCP ->
                openSocket(ep, SocketAddress.inetSocketAddress(ep.port(), ep.host()), listener);
            case UNIX -> openSocket(ep, SocketAddress.domainSocketAddress(ep.path()), listener);
          };
    } catch (RuntimeException e) {
      result.completeExceptionally(openFailed(ep, e)); // e.g. the client was closed meanwhile
      return;
    }
    opening.onComplete(
        (channel, err) -> {
          if (err == null) {
            result.complete(channel);
          } else {
            result.completeExceptionally(openFailed(ep, err));
          }
        });
  }

  /**
   * Checks that {@code endpoint} is one this transport can open — {@code ws}, {@code wss}, {@code
   * tcp} or {@code unix}, with the parts its scheme needs — without opening anything. For
   * validating user input early (a command-line argument, a configuration file) rather than on the
   * first attempt.
   *
   * @return {@code endpoint}
   * @throws IllegalArgumentException naming the unsupported scheme or the missing part
   */
  public static URI checkEndpoint(URI endpoint) {
    Endpoint.parse(endpoint);
    return endpoint;
  }

  /** How many channels this transport opened that have not ended yet. */
  public int openChannels() {
    return openChannels.get();
  }

  /** The options this transport was created with. */
  public VertxTransportOptions options() {
    return options;
  }

  /** The Vert.x instance this transport runs on. */
  public Vertx vertx() {
    return vertx;
  }

  /** Closes the transport's clients and with them every open channel. Idempotent. */
  @Override
  public void close() {
    closed = true;
    webSockets.close().onFailure(t -> log.warn("closing WebSocket client failed", t));
    sockets.close().onFailure(t -> log.warn("closing socket client failed", t));
  }

  private Future<Channel> openWebSocket(
      Endpoint ep, Map<String, String> headers, ChannelListener listener) {
    WebSocketConnectOptions connect =
        new WebSocketConnectOptions()
            .setHost(ep.host())
            .setPort(ep.port())
            .setURI(ep.path())
            .setSsl(ep.kind() == Endpoint.Kind.WSS)
            .setConnectTimeout(connectTimeoutMillis(options))
            // A server that accepts but never answers the upgrade must not hold the attempt open.
            .setTimeout(connectTimeoutMillis(options));
    headers.forEach(connect::putHeader);
    return webSockets
        .connect(connect)
        .map(ws -> track(WebSocketChannel.attach(ws, vertx, listener, options, channelEnded)));
  }

  private Future<Channel> openSocket(Endpoint ep, SocketAddress address, ChannelListener listener) {
    String description = ep.uri().toString();
    return sockets
        .connect(address)
        .map(
            socket ->
                track(LineChannel.attach(socket, listener, options, channelEnded, description)));
  }

  private Channel track(Channel channel) {
    openChannels.incrementAndGet();
    return channel;
  }

  private void channelEnded() {
    openChannels.decrementAndGet();
  }

  private static IOException openFailed(Endpoint ep, Throwable err) {
    SSLException tls = Errors.tlsFailure(err);
    if (tls != null) {
      return new IOException(
          "TLS handshake with "
              + ep.address()
              + " failed, server certificate not accepted: "
              + Errors.describe(tls)
              + " (certificate and host name are verified by default)",
          err);
    }
    UpgradeRejectedException rejected = Errors.upgradeRejected(err);
    if (rejected != null) {
      // Structured, so the failure classifier can tell 401 (final) from 503 (worth a retry).
      return new ChannelOpenException(
          "WebSocket upgrade to "
              + EndpointResolver.redact(ep.uri())
              + " rejected with HTTP "
              + rejected.getStatus(),
          new Cause.Detail.UpgradeRejected(rejected.getStatus()),
          err);
    }
    return new IOException(
        "cannot open " + EndpointResolver.redact(ep.uri()) + ": " + Errors.describe(err), err);
  }

  private static WebSocketClientOptions webSocketOptions(VertxTransportOptions options) {
    WebSocketClientOptions ws =
        new WebSocketClientOptions()
            // Vert.x queues WebSocket connects past 50 per host:port by default; every Tether
            // connection holds its socket for its whole life, so a pool cap would make the 51st
            // connection to one server wait for another to close. No practical cap instead.
            .setMaxConnections(MAX_WEBSOCKETS_PER_ENDPOINT)
            .setMaxMessageSize(options.maxFrameBytes())
            // Node's ws and many servers send a whole message as one frame.
            .setMaxFrameSize(options.maxFrameBytes())
            .setConnectTimeout(connectTimeoutMillis(options))
            // A peer that never answers our close frame must not hold the socket for long.
            .setClosingTimeout(closingTimeoutSeconds(options))
            .setSslHandshakeTimeout(options.connectTimeout().toMillis())
            .setSslHandshakeTimeoutUnit(java.util.concurrent.TimeUnit.MILLISECONDS);
    TlsOptions tls = options.tls();
    ws.setVerifyHost(tls.verifyHostName());
    ws.setTrustAll(tls.insecureTrustAllCertificates());
    tls.trustOptions().ifPresent(ws::setTrustOptions);
    return ws;
  }

  /** The connect timeout in whole seconds (Vert.x's unit for the closing handshake), at least 1. */
  private static int closingTimeoutSeconds(VertxTransportOptions options) {
    long millis = options.connectTimeout().toMillis();
    return (int) Math.max(1, Math.min(Integer.MAX_VALUE, (millis + 999) / 1000));
  }

  private static int connectTimeoutMillis(VertxTransportOptions options) {
    return (int) Math.min(Integer.MAX_VALUE, options.connectTimeout().toMillis());
  }

  private static void warnIfInsecure(TlsOptions tls) {
    if (tls.insecureTrustAllCertificates()) {
      log.warn(
          "TLS certificate verification is OFF for wss:// endpoints "
              + "(insecureTrustAllCertificates): any server can impersonate the peer");
    }
    if (!tls.verifyHostName()) {
      log.warn(
          "TLS host name verification is OFF for wss:// endpoints (verifyHostName(false)): "
              + "a certificate for any host is accepted");
    }
  }
}
