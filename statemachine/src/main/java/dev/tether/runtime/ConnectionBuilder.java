package dev.tether.runtime;

import dev.tether.machine.BackoffPolicy;
import dev.tether.runtime.spi.ConnectParametersProvider;
import dev.tether.runtime.spi.EndpointResolver;
import dev.tether.runtime.spi.Scheduler;
import dev.tether.runtime.spi.Transport;
import java.net.URI;
import java.time.Duration;
import java.util.Objects;
import java.util.SplittableRandom;
import java.util.random.RandomGenerator;

/**
 * Builds a {@link Connection}. Required: {@link #transport} and {@link #endpoint} (or {@link
 * #endpointResolver}). Defaults: {@link BackoffPolicy#defaults()}, a dedicated single-thread
 * scheduler that the connection owns and stops when it terminates, an unseeded random source, no
 * handshake, no frame listener, a write timeout of {@link #DEFAULT_WRITE_TIMEOUT}, {@link
 * FailureClassifier#defaults()}, and no connect parameters.
 *
 * <p>Not thread-safe; build on one thread.
 */
public final class ConnectionBuilder {
  /**
   * Default write timeout (R5): as long as the default request deadline and heartbeat interval, so
   * a healthy but busy peer is never mistaken for a dead one, yet a peer that stopped reading is
   * noticed within a minute.
   */
  public static final Duration DEFAULT_WRITE_TIMEOUT = Duration.ofSeconds(30);

  /** Longest write timeout accepted; catches unit mistakes, as {@link BackoffPolicy} does. */
  public static final Duration MAX_WRITE_TIMEOUT = BackoffPolicy.MAX_CONFIGURABLE_DELAY;

  private Transport transport;
  private URI endpoint;
  private EndpointResolver resolver;
  private ConnectParametersProvider parameters;
  private Scheduler scheduler;
  private BackoffPolicy policy = BackoffPolicy.defaults();
  private RandomGenerator random;
  private Handshake handshake;
  private FrameListener frameListener;
  private String name;
  private Duration writeTimeout = DEFAULT_WRITE_TIMEOUT;
  private FailureClassifier classifier = FailureClassifier.defaults();

  ConnectionBuilder() {}

  /** The transport that opens channels. Required. */
  public ConnectionBuilder transport(Transport transport) {
    this.transport = Objects.requireNonNull(transport, "transport");
    return this;
  }

  /**
   * The endpoint to connect to. Required.
   *
   * @throws IllegalArgumentException if the URI has no scheme
   */
  public ConnectionBuilder endpoint(URI endpoint) {
    Objects.requireNonNull(endpoint, "endpoint");
    if (endpoint.getScheme() == null) {
      throw new IllegalArgumentException(
          "endpoint must have a scheme such as ws:// or tcp://, was " + endpoint);
    }
    this.endpoint = endpoint;
    this.resolver = EndpointResolver.fixed(endpoint);
    return this;
  }

  /**
   * Where each attempt connects, asked before every attempt: for endpoints that move (a port a
   * daemon writes to a file, a URL whose token changes on restart) and lists to fail over across
   * ({@link EndpointResolver#list}). Replaces {@link #endpoint}, which is the fixed resolver.
   */
  public ConnectionBuilder endpointResolver(EndpointResolver resolver) {
    this.resolver = Objects.requireNonNull(resolver, "endpointResolver");
    this.endpoint = null;
    return this;
  }

  /**
   * Supplies each attempt's upgrade headers and, for a child process, environment additions, asked
   * before every attempt once its endpoint is resolved: for credentials fetched fresh (an {@code
   * Authorization} header with a refreshed token) rather than frozen at build time. Its values
   * never appear in logs, events or causes (R3). Default: none, every attempt sends {@link
   * dev.tether.runtime.spi.ConnectParameters#none()}.
   */
  public ConnectionBuilder connectParameters(ConnectParametersProvider provider) {
    this.parameters = Objects.requireNonNull(provider, "connectParameters");
    return this;
  }

  /** The context the connection is confined to, with its clock and timers. */
  public ConnectionBuilder scheduler(Scheduler scheduler) {
    this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
    return this;
  }

  /** The backoff policy for the initial connect and every reconnect. */
  public ConnectionBuilder policy(BackoffPolicy policy) {
    this.policy = Objects.requireNonNull(policy, "policy");
    return this;
  }

  /**
   * The source of jitter draws. Pass a seeded generator (such as {@code new
   * SplittableRandom(seed)}) for reproducible runs. Used only on the connection's context.
   */
  public ConnectionBuilder random(RandomGenerator random) {
    this.random = Objects.requireNonNull(random, "random");
    return this;
  }

  /** Work to complete on each new channel before it counts as connected. */
  public ConnectionBuilder handshake(Handshake handshake) {
    this.handshake = Objects.requireNonNull(handshake, "handshake");
    return this;
  }

  /** Receives the inbound frames of the current channel. */
  public ConnectionBuilder frameListener(FrameListener frameListener) {
    this.frameListener = Objects.requireNonNull(frameListener, "frameListener");
    return this;
  }

  /** A name for logs; defaults to the endpoint without user information or query (R3). */
  public ConnectionBuilder name(String name) {
    this.name = Objects.requireNonNull(name, "name");
    return this;
  }

  /**
   * How long bytes handed to the channel may take to drain to the network (R5). Frames still not
   * written after it (the peer stopped reading, or a half-open path swallows nothing more) end the
   * channel with {@link dev.tether.machine.Cause.Kind#WRITE_TIMEOUT}, and the connection
   * reconnects. A stuck write is noticed between one and two timeouts after it was handed over; a
   * channel whose writes keep draining is never ended, however busy. {@link Duration#ZERO} turns
   * the watch off.
   *
   * @throws IllegalArgumentException if negative or longer than {@link #MAX_WRITE_TIMEOUT}
   */
  public ConnectionBuilder writeTimeout(Duration timeout) {
    Objects.requireNonNull(timeout, "writeTimeout");
    if (timeout.isNegative() || timeout.compareTo(MAX_WRITE_TIMEOUT) > 0) {
      throw new IllegalArgumentException(
          "writeTimeout must be positive and at most "
              + MAX_WRITE_TIMEOUT
              + ", or zero to turn it off, was "
              + timeout);
    }
    this.writeTimeout = timeout;
    return this;
  }

  /**
   * Decides which failures are final, which are retried at once and which by the policy. Default:
   * {@link FailureClassifier#defaults()}; {@link FailureClassifier#alwaysRetry()} retries
   * everything.
   */
  public ConnectionBuilder failureClassifier(FailureClassifier classifier) {
    this.classifier = Objects.requireNonNull(classifier, "failureClassifier");
    return this;
  }

  /**
   * Builds the connection, not yet started.
   *
   * @throws IllegalStateException if the transport or the endpoint is missing
   */
  public Connection build() {
    if (transport == null) {
      throw new IllegalStateException("transport is required");
    }
    if (resolver == null) {
      throw new IllegalStateException("endpoint (or endpointResolver) is required");
    }
    String n = name == null ? resolver.describe() : name;
    boolean owned = scheduler == null;
    Scheduler s = owned ? ExecutorScheduler.singleThread("tether-" + n) : scheduler;
    return new ConnectionDriver(
        new ConnectionDriver.Config(
            n,
            endpoint,
            resolver,
            parameters,
            transport,
            s,
            owned,
            policy,
            random == null ? new SplittableRandom() : random,
            handshake,
            frameListener,
            writeTimeout,
            classifier));
  }
}
