package dev.tether.runtime.spi;

import java.net.URI;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;

/**
 * Supplies the {@link ConnectParameters} of each connection attempt: upgrade headers (an {@code
 * Authorization} with a freshly fetched token) and, for a child process, environment additions. The
 * driver asks before every attempt (the initial connect and every reconnect), after the endpoint is
 * resolved, so credentials are fetched fresh rather than frozen when the connection is built.
 *
 * <p>Asking counts as part of the attempt: together with the endpoint's resolution it is bounded by
 * the policy's connect timeout, and a provider that fails, throws, answers null or does not answer
 * in time fails the attempt with cause {@link dev.tether.machine.Cause.Kind#PARAMETERS_FAILED} and
 * the provider's message, which the failure classifier judges like any other failure (retried by
 * the policy, by default). It is not asked once the connection has closed.
 *
 * <p>Called on the connection's context: {@link #parameters} must not block; fetch a token
 * asynchronously and complete the stage later. The answer is handed to the transport and nowhere
 * else; its values never appear in logs, events or causes (R3).
 */
@FunctionalInterface
public interface ConnectParametersProvider {

  /**
   * Starts supplying the parameters of one attempt.
   *
   * @param context which connection and attempt asks, and the endpoint it resolved to
   * @return completes with the parameters ({@link ConnectParameters#none()} for none), or
   *     exceptionally with why there are none; its message becomes the cause's message, so it
   *     should not quote a secret
   */
  CompletionStage<ConnectParameters> parameters(AttemptContext context);

  /**
   * What the provider is asked for.
   *
   * @param connectionName the connection's name, for the provider's own logs
   * @param attempt the attempt's number within its outage (or the initial connect), 1-based (I2)
   * @param reconnect whether the attempt is a reconnect (false for the initial connect)
   * @param endpoint where the attempt connects, as resolved (it may carry a token: {@link
   *     #toString()} redacts it)
   */
  record AttemptContext(String connectionName, int attempt, boolean reconnect, URI endpoint) {
    /** Validates the components. */
    public AttemptContext {
      Objects.requireNonNull(connectionName, "connectionName");
      Objects.requireNonNull(endpoint, "endpoint");
    }

    /** The components, the endpoint {@link EndpointResolver#redact redacted} (R3). */
    @Override
    public String toString() {
      return "AttemptContext[connectionName="
          + connectionName
          + ", attempt="
          + attempt
          + ", reconnect="
          + reconnect
          + ", endpoint="
          + EndpointResolver.redact(endpoint)
          + "]";
    }
  }

  /** A name for logs and causes, without secrets (R3). */
  default String describe() {
    return getClass().getSimpleName();
  }

  /**
   * Always {@code parameters}: for headers that do not change, such as an {@code Origin} or a
   * {@code User-Agent} (a credential that expires belongs in {@link #current}).
   */
  static ConnectParametersProvider fixed(ConnectParameters parameters) {
    Objects.requireNonNull(parameters, "parameters");
    return context -> CompletableFuture.completedFuture(parameters);
  }

  /**
   * Asks {@code current} on every attempt, on the connection's context: for a token that is already
   * at hand (in an {@code AtomicReference} a refresher updates, or a small file). It must not
   * block; a {@code RuntimeException} it throws fails the attempt like a failed stage.
   */
  static ConnectParametersProvider current(Supplier<ConnectParameters> current) {
    Objects.requireNonNull(current, "current");
    return context -> CompletableFuture.completedFuture(current.get());
  }
}
