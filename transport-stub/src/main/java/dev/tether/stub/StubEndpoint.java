package dev.tether.stub;

import dev.tether.machine.Cause;
import dev.tether.runtime.spi.Channel;
import dev.tether.runtime.spi.ChannelListener;
import dev.tether.runtime.spi.ChannelOpenException;
import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.BiConsumer;

/**
 * A server on a {@link StubNetwork} that the test controls. Starts accepting, with no latency.
 *
 * <p>Not thread-safe; used from the scheduler's thread.
 */
public final class StubEndpoint {

  /** What the endpoint does with a new connection. */
  public enum Mode {
    /** Accept after the connect latency. */
    ACCEPT,
    /** Refuse after the connect latency. */
    REFUSE,
    /** Never answer: the open hangs until the client gives up. */
    HANG,
    /**
     * Refuse after the connect latency like a server that rejects the client's credentials: the
     * open fails with a {@link ChannelOpenException} carrying {@link
     * Cause.Detail.UpgradeRejected}(401), final by the default failure classifier.
     */
    REJECT
  }

  private final URI uri;
  private final VirtualScheduler scheduler;
  private final List<StubConnection> open = new ArrayList<>();
  private Mode mode = Mode.ACCEPT;
  private Latency latency = Latency.fixed(Duration.ZERO);
  private BiConsumer<StubConnection, byte[]> handler = (c, f) -> {};
  private Duration serverReadsEvery = Duration.ZERO;
  private Duration clientReadsEvery = Duration.ZERO;
  private Duration crashAfter = Duration.ZERO;
  private int peakOpen;
  private long accepted;
  private long refused;
  private long opens;

  StubEndpoint(URI uri, VirtualScheduler scheduler) {
    this.uri = uri;
    this.scheduler = scheduler;
  }

  /** This endpoint's address. */
  public URI uri() {
    return uri;
  }

  /** Accept new connections. */
  public StubEndpoint up() {
    mode = Mode.ACCEPT;
    return this;
  }

  /** Refuse new connections and drop the open ones: the server process went away. */
  public StubEndpoint down() {
    mode = Mode.REFUSE;
    dropAll(Cause.of(Cause.Kind.CHANNEL_CLOSED, "server went away"));
    return this;
  }

  /** Sets what happens to new connections; open ones are unaffected. */
  public StubEndpoint mode(Mode mode) {
    this.mode = Objects.requireNonNull(mode, "mode");
    return this;
  }

  /** The current mode. */
  public Mode mode() {
    return mode;
  }

  /** Time from a client's open to its answer (accept or refuse). */
  public StubEndpoint latency(Duration latency) {
    this.latency = Latency.fixed(latency);
    return this;
  }

  /** Draws the time from a client's open to its answer from {@code latency}, once per open. */
  public StubEndpoint latency(Latency latency) {
    this.latency = Objects.requireNonNull(latency, "latency");
    return this;
  }

  /** Receives every frame a client sends, on the scheduler. */
  public StubEndpoint onFrame(BiConsumer<StubConnection, byte[]> handler) {
    this.handler = Objects.requireNonNull(handler, "handler");
    return this;
  }

  /**
   * Makes {@code reader} read slowly on every open connection and every one accepted from now on:
   * one frame per {@code perFrame}; {@link Duration#ZERO} heals. See {@link
   * StubConnection#slowReader}.
   *
   * @throws IllegalArgumentException if {@code perFrame} is negative
   */
  public StubEndpoint slowReader(StubConnection.Side reader, Duration perFrame) {
    Objects.requireNonNull(reader, "reader");
    if (perFrame.isNegative()) {
      throw new IllegalArgumentException("perFrame must not be negative, was " + perFrame);
    }
    if (reader == StubConnection.Side.SERVER) {
      serverReadsEvery = perFrame;
    } else {
      clientReadsEvery = perFrame;
    }
    for (StubConnection c : open) {
      c.slowReader(reader, perFrame);
    }
    return this;
  }

  /**
   * A peer in a crash loop: every connection accepted from now on is dropped ({@code
   * CHANNEL_CLOSED}, "peer crashed") {@code lifetime} after it was accepted, as a server that
   * crashes shortly after each start. Connections already open are unaffected. {@link
   * Duration#ZERO} heals: connections accepted afterwards stay up (those already doomed still
   * drop).
   *
   * @throws IllegalArgumentException if {@code lifetime} is negative
   */
  public StubEndpoint crashAfter(Duration lifetime) {
    Objects.requireNonNull(lifetime, "lifetime");
    if (lifetime.isNegative()) {
      throw new IllegalArgumentException("lifetime must not be negative, was " + lifetime);
    }
    this.crashAfter = lifetime;
    return this;
  }

  /** Drops every open connection with {@code cause}. */
  public void dropAll(Cause cause) {
    for (StubConnection c : List.copyOf(open)) {
      c.drop(cause);
    }
  }

  /** Connections currently open. */
  public List<StubConnection> connections() {
    return List.copyOf(open);
  }

  /** Number of connections currently open. */
  public int openCount() {
    return open.size();
  }

  /** Most connections ever open at once (I5 says at most one per client connection). */
  public int peakOpen() {
    return peakOpen;
  }

  /** Connections accepted so far. */
  public long accepted() {
    return accepted;
  }

  /** Connection attempts refused so far. */
  public long refused() {
    return refused;
  }

  /** Opens clients started at this endpoint so far, answered or not. */
  public long opens() {
    return opens;
  }

  /**
   * Opens never answered so far: started and neither accepted nor refused ({@link Mode#HANG}, or
   * still within their connect latency).
   */
  public long unanswered() {
    return opens - accepted - refused;
  }

  CompletionStage<Channel> open(ChannelListener listener) {
    CompletableFuture<Channel> result = new CompletableFuture<>();
    opens++;
    Mode m = mode;
    if (m == Mode.HANG) {
      return result;
    }
    scheduler.schedule(
        latency.next(),
        () -> {
          if (m == Mode.REFUSE) {
            refused++;
            result.completeExceptionally(new RefusedException(uri, "connection refused"));
          } else if (m == Mode.REJECT) {
            refused++;
            result.completeExceptionally(
                new ChannelOpenException(
                    "upgrade rejected with HTTP 401: " + uri,
                    new Cause.Detail.UpgradeRejected(401),
                    null));
          } else {
            result.complete(accept(listener));
          }
        });
    return result;
  }

  private StubConnection accept(ChannelListener listener) {
    StubConnection c = new StubConnection(this, listener);
    c.slowReader(StubConnection.Side.SERVER, serverReadsEvery);
    c.slowReader(StubConnection.Side.CLIENT, clientReadsEvery);
    if (!crashAfter.isZero()) {
      Cause crash =
          Cause.of(
              Cause.Kind.CHANNEL_CLOSED,
              "peer crashed " + crashAfter.toMillis() + " ms after accepting");
      c.crash = scheduler.schedule(crashAfter, () -> c.drop(crash));
    }
    open.add(c);
    accepted++;
    peakOpen = Math.max(peakOpen, open.size());
    return c;
  }

  void closed(StubConnection c) {
    if (c.crash != null) {
      c.crash.cancel(); // closed first: no timer outlives the connection
    }
    open.remove(c);
  }

  void deliverToServer(StubConnection c, byte[] frame) {
    handler.accept(c, frame);
  }

  VirtualScheduler scheduler() {
    return scheduler;
  }

  /** The open was refused by the endpoint. */
  public static final class RefusedException extends IOException {
    private static final long serialVersionUID = 1L;

    RefusedException(URI uri, String message) {
      super(message + ": " + uri);
    }

    /**
     * No stack trace: a refusal is an answer from the simulated network, not a defect, and its
     * trace (always the scheduler's loop) was a tenth of the bytes the B6 simulation allocated.
     */
    @Override
    public synchronized Throwable fillInStackTrace() {
      return this;
    }
  }
}
