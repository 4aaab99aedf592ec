package dev.tether.vertx;

import dev.tether.runtime.framing.Framing;
import java.time.Duration;
import java.util.Objects;

/**
 * Settings of a {@link VertxTransport}: frame and buffer bounds, the TCP connect timeout and TLS.
 *
 * <p>Defaults: {@value #DEFAULT_MAX_FRAME_BYTES} bytes per frame, {@value
 * #DEFAULT_MAX_OUTBOUND_BYTES} bytes of outbound buffer per channel, a write-queue high-water mark
 * of {@value #DEFAULT_WRITE_QUEUE_HIGH_WATER_BYTES} bytes, a connect timeout of 10 s, {@link
 * TlsOptions#defaults()} (verify certificate and host name), no WebSocket ping heartbeat, lines
 * ({@link Framing#ndjson()}) on TCP and Unix sockets.
 *
 * <p>Immutable and thread-safe.
 */
public final class VertxTransportOptions {

  /**
   * Default largest frame (a WebSocket message or one line), in bytes. Peer snapshots can be
   * several MiB; 16 MiB leaves room while still bounding what one hostile frame can make us buffer.
   */
  public static final int DEFAULT_MAX_FRAME_BYTES = 16 * 1024 * 1024;

  /**
   * Default bound on bytes handed to a channel but not yet written to the socket. Past it {@code
   * send} fails at once instead of letting a slow peer grow our memory without bound. Two maximal
   * frames fit.
   */
  public static final long DEFAULT_MAX_OUTBOUND_BYTES = 2L * DEFAULT_MAX_FRAME_BYTES;

  /**
   * Default number of queued bytes (handed to {@code send}, not yet written to the socket) at which
   * a channel reports itself not writable; it is writable again at half of it. Also Vert.x's write
   * queue size. Netty's usual high-water mark.
   */
  public static final int DEFAULT_WRITE_QUEUE_HIGH_WATER_BYTES = 64 * 1024;

  /** Default time for the TCP (and TLS) connect; the connection's policy may give up sooner. */
  public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(10);

  /** Default WebSocket ping interval: zero, no ping heartbeat. */
  public static final Duration DEFAULT_WEB_SOCKET_PING_INTERVAL = Duration.ZERO;

  /**
   * Pings in a row without any answer (a pong or any other inbound frame) after which a WebSocket
   * channel is declared dead; as the RPC heartbeat's default of 3 misses.
   */
  public static final int MAX_MISSED_PONGS = 3;

  /** Shortest accepted ping interval: anything faster is a flood, not a heartbeat. */
  public static final Duration MIN_WEB_SOCKET_PING_INTERVAL = Duration.ofMillis(10);

  /** Smallest accepted frame bound: a JSON-RPC request must fit. */
  public static final int MIN_FRAME_BYTES = 64;

  private static final VertxTransportOptions DEFAULTS = builder().build();

  private final int maxFrameBytes;
  private final long maxOutboundBytes;
  private final int writeQueueHighWaterBytes;
  private final Duration connectTimeout;
  private final TlsOptions tls;
  private final Duration webSocketPingInterval;
  private final Framing socketFraming;

  private VertxTransportOptions(Builder b) {
    this.maxFrameBytes = b.maxFrameBytes;
    this.maxOutboundBytes = b.maxOutboundBytes;
    this.writeQueueHighWaterBytes = b.writeQueueHighWaterBytes;
    this.connectTimeout = b.connectTimeout;
    this.tls = b.tls;
    this.webSocketPingInterval = b.webSocketPingInterval;
    this.socketFraming = b.socketFraming;
  }

  /** The defaults (see the class documentation). */
  public static VertxTransportOptions defaults() {
    return DEFAULTS;
  }

  /** A builder starting from the defaults. */
  public static Builder builder() {
    return new Builder();
  }

  /** Largest inbound or outbound frame in bytes; a larger inbound frame ends the channel. */
  public int maxFrameBytes() {
    return maxFrameBytes;
  }

  /** Bound on queued outbound bytes per channel; past it {@code send} fails. */
  public long maxOutboundBytes() {
    return maxOutboundBytes;
  }

  /** Queued bytes at which a channel reports itself not writable (writable again at half). */
  public int writeQueueHighWaterBytes() {
    return writeQueueHighWaterBytes;
  }

  /**
   * Time allowed for the TCP connect, the TLS handshake and the WebSocket upgrade; also bounds
   * (rounded up to whole seconds) how long a WebSocket close waits for the peer's close frame.
   */
  public Duration connectTimeout() {
    return connectTimeout;
  }

  /** TLS settings for {@code wss://}. */
  public TlsOptions tls() {
    return tls;
  }

  /**
   * How often a WebSocket channel pings its peer; zero (the default) for never. After {@link
   * #MAX_MISSED_PONGS} pings without any answer the channel ends with {@code HEARTBEAT_MISSED}.
   */
  public Duration webSocketPingInterval() {
    return webSocketPingInterval;
  }

  /**
   * How frames travel on {@code tcp://} and {@code unix://} sockets: {@link Framing#ndjson()} (the
   * default: one frame per line; every non-blank line is delivered) or {@link
   * Framing#contentLength()} (the language server protocol's headers, for language servers that
   * listen on a socket). A framing error ends the channel with the framing's cause.
   */
  public Framing socketFraming() {
    return socketFraming;
  }

  @Override
  public String toString() {
    return "VertxTransportOptions[maxFrameBytes="
        + maxFrameBytes
        + ", maxOutboundBytes="
        + maxOutboundBytes
        + ", writeQueueHighWaterBytes="
        + writeQueueHighWaterBytes
        + ", connectTimeout="
        + connectTimeout
        + ", tls="
        + tls
        + ", webSocketPingInterval="
        + webSocketPingInterval
        + ", socketFraming="
        + socketFraming
        + "]";
  }

  /** Builds {@link VertxTransportOptions}. Not thread-safe. */
  public static final class Builder {
    private int maxFrameBytes = DEFAULT_MAX_FRAME_BYTES;
    private long maxOutboundBytes = DEFAULT_MAX_OUTBOUND_BYTES;
    private int writeQueueHighWaterBytes = DEFAULT_WRITE_QUEUE_HIGH_WATER_BYTES;
    private Duration connectTimeout = DEFAULT_CONNECT_TIMEOUT;
    private TlsOptions tls = TlsOptions.defaults();
    private Duration webSocketPingInterval = DEFAULT_WEB_SOCKET_PING_INTERVAL;
    private Framing socketFraming = Framing.ndjson();

    private Builder() {}

    /**
     * How frames travel on TCP and Unix sockets; see {@link VertxTransportOptions#socketFraming()}.
     */
    public Builder socketFraming(Framing framing) {
      this.socketFraming = Objects.requireNonNull(framing, "framing");
      return this;
    }

    /**
     * Pings WebSocket peers every {@code interval} and ends a channel after {@link
     * #MAX_MISSED_PONGS} unanswered pings (a half-open connection is otherwise invisible). Zero
     * disables it.
     *
     * @throws IllegalArgumentException if negative, or positive and below {@link
     *     #MIN_WEB_SOCKET_PING_INTERVAL}
     */
    public Builder webSocketPingInterval(Duration interval) {
      Objects.requireNonNull(interval, "interval");
      if (interval.isNegative()
          || (!interval.isZero() && interval.compareTo(MIN_WEB_SOCKET_PING_INTERVAL) < 0)) {
        throw new IllegalArgumentException(
            "webSocketPingInterval must be zero (off) or >= "
                + MIN_WEB_SOCKET_PING_INTERVAL
                + ", was "
                + interval);
      }
      this.webSocketPingInterval = interval;
      return this;
    }

    /**
     * Largest frame in bytes.
     *
     * @throws IllegalArgumentException if below {@link #MIN_FRAME_BYTES}
     */
    public Builder maxFrameBytes(int maxFrameBytes) {
      if (maxFrameBytes < MIN_FRAME_BYTES) {
        throw new IllegalArgumentException(
            "maxFrameBytes must be >= " + MIN_FRAME_BYTES + ", was " + maxFrameBytes);
      }
      this.maxFrameBytes = maxFrameBytes;
      return this;
    }

    /**
     * Bound on queued outbound bytes per channel.
     *
     * @throws IllegalArgumentException if not positive
     */
    public Builder maxOutboundBytes(long maxOutboundBytes) {
      if (maxOutboundBytes < 1) {
        throw new IllegalArgumentException(
            "maxOutboundBytes must be positive, was " + maxOutboundBytes);
      }
      this.maxOutboundBytes = maxOutboundBytes;
      return this;
    }

    /**
     * Queued bytes at which a channel reports itself not writable.
     *
     * @throws IllegalArgumentException if not positive
     */
    public Builder writeQueueHighWaterBytes(int bytes) {
      if (bytes < 1) {
        throw new IllegalArgumentException(
            "writeQueueHighWaterBytes must be positive, was " + bytes);
      }
      this.writeQueueHighWaterBytes = bytes;
      return this;
    }

    /**
     * Time allowed for the TCP/TLS connect.
     *
     * @throws IllegalArgumentException if not positive
     */
    public Builder connectTimeout(Duration connectTimeout) {
      Objects.requireNonNull(connectTimeout, "connectTimeout");
      if (connectTimeout.isNegative() || connectTimeout.isZero()) {
        throw new IllegalArgumentException(
            "connectTimeout must be positive, was " + connectTimeout);
      }
      this.connectTimeout = connectTimeout;
      return this;
    }

    /** TLS settings for {@code wss://}. */
    public Builder tls(TlsOptions tls) {
      this.tls = Objects.requireNonNull(tls, "tls");
      return this;
    }

    /**
     * Builds the options.
     *
     * @throws IllegalArgumentException if the outbound bound cannot hold one maximal frame, or is
     *     below the high-water mark
     */
    public VertxTransportOptions build() {
      if (maxOutboundBytes < maxFrameBytes) {
        throw new IllegalArgumentException(
            "maxOutboundBytes ("
                + maxOutboundBytes
                + ") must be >= maxFrameBytes ("
                + maxFrameBytes
                + ") so that one maximal frame can be sent");
      }
      if (writeQueueHighWaterBytes > maxOutboundBytes) {
        throw new IllegalArgumentException(
            "writeQueueHighWaterBytes ("
                + writeQueueHighWaterBytes
                + ") must be <= maxOutboundBytes ("
                + maxOutboundBytes
                + ")");
      }
      return new VertxTransportOptions(this);
    }
  }
}
