package dev.tether.machine;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * What a lifecycle subscriber is told. Lifecycle events are few and are never lost: every
 * subscriber receives exactly one terminal event ({@link PermanentlyDisconnected} or {@link
 * Closed}), as its last event (invariant I1).
 *
 * <p>Each event names the {@link ConnectionState} the connection entered with it ({@link
 * #state()}).
 */
public sealed interface LifecycleEvent {

  /** The state the connection is in after this event. */
  ConnectionState state();

  /** Whether this is the connection's final event. */
  default boolean isTerminal() {
    // Not state().isTerminal(): that builds a ConnectionState on every delivery and every queue
    // offer, 2-3 objects per event in TransitionBenchmark.tetherDriver (B1).
    return this instanceof PermanentlyDisconnected || this instanceof Closed;
  }

  /** The event's type name as used in traces and JSON. */
  default String name() {
    return getClass().getSimpleName();
  }

  /**
   * An initial connect attempt begins (after {@code delay}).
   *
   * @param attempt 1-based attempt number
   * @param maxAttempts the limit, or {@link ConnectionState#UNLIMITED}
   * @param delay the backoff before this attempt opens
   * @param lastFailure why the previous attempt failed; empty for attempt 1
   */
  record Connecting(int attempt, int maxAttempts, Duration delay, Optional<Cause> lastFailure)
      implements LifecycleEvent {
    /** Validates the components. */
    public Connecting {
      Checks.attempt(attempt, maxAttempts);
      Objects.requireNonNull(delay, "delay");
      Objects.requireNonNull(lastFailure, "lastFailure");
    }

    @Override
    public ConnectionState state() {
      return new ConnectionState.Connecting(attempt, maxAttempts, delay, lastFailure);
    }
  }

  /**
   * The initial connection is up (a new run of the remote side, as far as the connection knows).
   *
   * @param epoch the connected period's number (1 for the first)
   * @param endpoint the endpoint (URI) the successful attempt used, without user information, query
   *     or fragment (R3); set by the connection's driver (the machine does not know endpoints),
   *     empty in events made without one
   */
  record Connected(long epoch, Optional<String> endpoint) implements LifecycleEvent {
    /** Validates the components. */
    public Connected {
      Objects.requireNonNull(endpoint, "endpoint");
    }

    /** An event without an endpoint, as the machine emits it. */
    public Connected(long epoch) {
      this(epoch, Optional.empty());
    }

    @Override
    public ConnectionState state() {
      return new ConnectionState.Connected(epoch);
    }
  }

  /**
   * The channel was lost or a reconnect attempt failed; attempt {@code attempt} opens after {@code
   * delay}. Within one outage attempts are 1, 2, 3, … without gap or repeat (I2).
   *
   * @param attempt 1-based attempt number within this outage
   * @param maxAttempts the limit, or {@link ConnectionState#UNLIMITED}
   * @param delay the backoff before this attempt opens
   * @param cause why the channel was lost or the previous attempt failed
   */
  record Reconnecting(int attempt, int maxAttempts, Duration delay, Cause cause)
      implements LifecycleEvent {
    /** Validates the components. */
    public Reconnecting {
      Checks.attempt(attempt, maxAttempts);
      Objects.requireNonNull(delay, "delay");
      Objects.requireNonNull(cause, "cause");
    }

    @Override
    public ConnectionState state() {
      return new ConnectionState.Reconnecting(attempt, maxAttempts, delay, cause);
    }
  }

  /**
   * The connection is up again after an outage.
   *
   * @param epoch the new connected period's number
   * @param attempts how many attempts this outage took (the successful one included)
   * @param downtime from the loss of the previous channel to this event
   * @param endpoint the endpoint (URI) the successful attempt used, without user information, query
   *     or fragment (R3); set by the connection's driver, empty in events made without one
   */
  record Reconnected(long epoch, int attempts, Duration downtime, Optional<String> endpoint)
      implements LifecycleEvent {
    /** Validates the components. */
    public Reconnected {
      Objects.requireNonNull(downtime, "downtime");
      Objects.requireNonNull(endpoint, "endpoint");
    }

    /** An event without an endpoint, as the machine emits it. */
    public Reconnected(long epoch, int attempts, Duration downtime) {
      this(epoch, attempts, downtime, Optional.empty());
    }

    @Override
    public ConnectionState state() {
      return new ConnectionState.Connected(epoch);
    }
  }

  /**
   * Retries are exhausted, a failure was judged final (cause {@link Cause.Kind#FATAL}; attempts 0
   * when it was the loss of an established channel), or the flap guard ended the connection at a
   * loss (cause {@link Cause.Kind#FLAPPING}, right after {@link Connected} or {@link Reconnected}).
   * Terminal.
   *
   * @param cause the last attempt's failure, or the {@code FLAPPING} verdict
   * @param attempts attempts made in the final outage (or initial connect); 0 for {@code FLAPPING}
   */
  record PermanentlyDisconnected(Cause cause, int attempts) implements LifecycleEvent {
    /** Validates the components. */
    public PermanentlyDisconnected {
      Objects.requireNonNull(cause, "cause");
    }

    @Override
    public ConnectionState state() {
      return new ConnectionState.PermanentlyDisconnected(cause, attempts);
    }
  }

  /**
   * The connection was closed on request. Terminal.
   *
   * @param reason the reason given to {@code close}
   */
  record Closed(String reason) implements LifecycleEvent {
    /** Validates the reason. */
    public Closed {
      Objects.requireNonNull(reason, "reason");
    }

    @Override
    public ConnectionState state() {
      return new ConnectionState.Closed(reason);
    }
  }
}
