package dev.tether.runtime.spi;

import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.random.RandomGenerator;

/**
 * Supplies the endpoint of each connection attempt. The driver asks before every attempt (the
 * initial connect and every reconnect), so an endpoint that moves between runs of the remote side
 * (a token in the URL that changes on restart, a port a daemon writes to a file, a DNS name, a list
 * to fail over across) is followed without rebuilding the connection.
 *
 * <p>Resolution counts as part of the attempt: it is bounded by the policy's connect timeout, and a
 * resolver that fails, throws, answers null or does not answer in time fails the attempt with cause
 * {@link dev.tether.machine.Cause.Kind#RESOLVE_FAILED} and the resolver's message, which the
 * failure classifier judges like any other failure (retried by the policy, by default).
 *
 * <p>Called on the connection's context: {@link #resolve} must not block; do slow work
 * asynchronously and complete the stage later. One resolver may serve several connections only if
 * it is thread-safe (the built-in ones are).
 */
@FunctionalInterface
public interface EndpointResolver {

  /**
   * Starts resolving the endpoint of one attempt.
   *
   * @param context which connection and attempt asks
   * @return completes with the endpoint (it must have a scheme), or exceptionally with why none
   *     could be found
   */
  CompletionStage<URI> resolve(ResolveContext context);

  /**
   * What the resolver is asked for.
   *
   * @param connectionName the connection's name, for the resolver's own logs
   * @param attempt the attempt's number within its outage (or the initial connect), 1-based (I2)
   * @param reconnect whether the attempt is a reconnect (false for the initial connect)
   */
  record ResolveContext(String connectionName, int attempt, boolean reconnect) {
    /** Validates the components. */
    public ResolveContext {
      Objects.requireNonNull(connectionName, "connectionName");
    }
  }

  /** A name for logs and the default connection name, without secrets (R3). */
  default String describe() {
    return getClass().getSimpleName();
  }

  /** Always {@code endpoint}: what {@code ConnectionBuilder.endpoint(URI)} sets. */
  static EndpointResolver fixed(URI endpoint) {
    URI e = requireScheme(endpoint);
    return new EndpointResolver() {
      @Override
      public CompletionStage<URI> resolve(ResolveContext context) {
        return CompletableFuture.completedFuture(e);
      }

      @Override
      public String describe() {
        return redact(e).toString();
      }
    };
  }

  /**
   * Each attempt takes the next endpoint of {@code endpoints}, in order, wrapping around. The
   * policy's {@code maxAttempts} counts attempts, not rounds: with three endpoints and ten attempts
   * an outage tries each endpoint three or four times. The position is the resolver's: it continues
   * across outages (an outage starts at the endpoint after the one that was lost).
   *
   * @throws IllegalArgumentException if the list is empty or an endpoint has no scheme
   */
  static EndpointResolver list(List<URI> endpoints) {
    return new EndpointRotation(checked(endpoints), null);
  }

  /**
   * Like {@link #list}, but each round through the list takes a new order drawn from {@code
   * random}; pass a seeded generator (the one given to the connection's builder, or {@code new
   * SplittableRandom(seed)}) for reproducible runs. Every endpoint is tried once per round.
   *
   * @throws IllegalArgumentException if the list is empty or an endpoint has no scheme
   */
  static EndpointResolver shuffled(List<URI> endpoints, RandomGenerator random) {
    return new EndpointRotation(checked(endpoints), Objects.requireNonNull(random, "random"));
  }

  /**
   * Reads the endpoint from {@code file} on every attempt: for a local daemon that writes where it
   * listens when it starts. The file holds one URI with a scheme ({@code ws://127.0.0.1:4711/ws},
   * {@code unix:///run/app.sock}); surrounding whitespace is ignored. A missing, empty or
   * unreadable file, or one that holds no URI with a scheme, fails the attempt with {@code
   * RESOLVE_FAILED} and a message saying which.
   */
  static EndpointResolver fromFile(Path file) {
    Objects.requireNonNull(file, "file");
    return new EndpointResolver() {
      @Override
      public CompletionStage<URI> resolve(ResolveContext context) {
        try {
          return CompletableFuture.completedFuture(readEndpointFile(file));
        } catch (IOException e) {
          return CompletableFuture.failedFuture(e);
        }
      }

      @Override
      public String describe() {
        return "file:" + file;
      }
    };
  }

  /**
   * {@code endpoint} without its user information, query and fragment, where credentials and tokens
   * travel: what events, logs and {@code toString()} show of an endpoint (R3).
   */
  static URI redact(URI endpoint) {
    Objects.requireNonNull(endpoint, "endpoint");
    if (endpoint.isOpaque()) {
      return URI.create(endpoint.getScheme() + ":redacted");
    }
    if (endpoint.getRawUserInfo() == null
        && endpoint.getRawQuery() == null
        && endpoint.getRawFragment() == null) {
      return endpoint;
    }
    try {
      return new URI(
          endpoint.getScheme(),
          null,
          endpoint.getHost(),
          endpoint.getPort(),
          endpoint.getPath(),
          null,
          null);
    } catch (URISyntaxException e) {
      return URI.create(endpoint.getScheme() + ":");
    }
  }

  private static URI requireScheme(URI endpoint) {
    Objects.requireNonNull(endpoint, "endpoint");
    if (endpoint.getScheme() == null) {
      throw new IllegalArgumentException(
          "endpoint must have a scheme such as ws:// or tcp://, was " + redact(endpoint));
    }
    return endpoint;
  }

  private static List<URI> checked(List<URI> endpoints) {
    Objects.requireNonNull(endpoints, "endpoints");
    if (endpoints.isEmpty()) {
      throw new IllegalArgumentException("the endpoint list is empty");
    }
    return endpoints.stream().map(EndpointResolver::requireScheme).toList();
  }

  private static URI readEndpointFile(Path file) throws IOException {
    String text;
    try {
      text = Files.readString(file, StandardCharsets.UTF_8).strip();
    } catch (NoSuchFileException e) {
      throw new IOException("endpoint file " + file + " does not exist", e);
    }
    if (text.isEmpty()) {
      throw new IOException("endpoint file " + file + " is empty");
    }
    try {
      URI uri = new URI(text);
      if (uri.getScheme() == null) {
        throw new IOException(
            "endpoint file " + file + " holds no URI with a scheme (such as ws://host:port/path)");
      }
      return uri;
    } catch (URISyntaxException e) {
      throw new IOException("endpoint file " + file + " holds no valid URI: " + e.getReason(), e);
    }
  }
}
