package dev.tether.machine;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * The state of one connection, as its users see it. The graph is
 *
 * <pre>
 * Idle → Connecting(1) → Connected(e) → Reconnecting(1..n) → Connected(e+1) → …
 *          ↓ (retries)          ↓ (flapping)      ↓ (exhausted)
 *      Connecting(2..n)     PermanentlyDisconnected  (also at once from any of them: fatal)
 * any non-terminal state → Closed (on request)
 * </pre>
 *
 * <p>{@link PermanentlyDisconnected} and {@link Closed} are terminal: once entered, the connection
 * never leaves them. Instances are immutable values.
 */
public sealed interface ConnectionState {

  /** The value {@code maxAttempts} takes when retries are unlimited. */
  int UNLIMITED = -1;

  /** Whether this state is final. */
  default boolean isTerminal() {
    return false;
  }

  /** The state's name as used in traces and JSON ({@code "Reconnecting"}, ...). */
  String name();

  /** A short label for a status bar, such as {@code "Reconnecting (2/10)"}. */
  String label();

  /**
   * Created but not started. Entered on construction; left for {@link Connecting} on start or for
   * {@link Closed} on close. Not terminal.
   */
  record Idle() implements ConnectionState {
    @Override
    public String name() {
      return "Idle";
    }

    @Override
    public String label() {
      return "Idle";
    }
  }

  /**
   * The initial connection is being established: attempt {@code attempt} of {@code maxAttempts} (or
   * {@link #UNLIMITED}). Entered on start (attempt 1, no delay) and after a failed initial attempt
   * (after waiting {@code delay}); left for {@link Connected}, the next {@code Connecting}, {@link
   * PermanentlyDisconnected} when attempts are exhausted or a failure is fatal, or {@link Closed}.
   * Not terminal.
   *
   * @param attempt 1-based attempt number
   * @param maxAttempts the policy's limit, or {@link #UNLIMITED}
   * @param delay the backoff waited before this attempt opens ({@link Duration#ZERO} for the first)
   * @param lastFailure why the previous attempt failed; empty for the first attempt
   */
  record Connecting(int attempt, int maxAttempts, Duration delay, Optional<Cause> lastFailure)
      implements ConnectionState {
    /** Validates the components. */
    public Connecting {
      Checks.attempt(attempt, maxAttempts);
      Objects.requireNonNull(delay, "delay");
      Objects.requireNonNull(lastFailure, "lastFailure");
    }

    @Override
    public String name() {
      return "Connecting";
    }

    @Override
    public String label() {
      return "Connecting (" + Checks.fraction(attempt, maxAttempts) + ")";
    }
  }

  /**
   * A channel is open and usable. {@code epoch} numbers the connected periods of this connection
   * from 1. Entered when an attempt succeeds; left for {@link Reconnecting} when the channel is
   * lost, for {@link PermanentlyDisconnected} when that loss is fatal or trips the flap guard, or
   * for {@link Closed}. Not terminal.
   *
   * @param epoch 1-based number of this connected period
   */
  record Connected(long epoch) implements ConnectionState {
    /** Validates the epoch. */
    public Connected {
      if (epoch < 1) {
        throw new IllegalArgumentException("epoch must be >= 1, was " + epoch);
      }
    }

    @Override
    public String name() {
      return "Connected";
    }

    @Override
    public String label() {
      return "Connected";
    }
  }

  /**
   * The channel was lost; reconnect attempt {@code attempt} of {@code maxAttempts} opens after
   * {@code delay}. Entered when a connected channel is lost (attempt 1) or a reconnect attempt
   * fails (attempt + 1); left for {@link Connected}, the next {@code Reconnecting}, {@link
   * PermanentlyDisconnected} or {@link Closed}. Not terminal.
   *
   * @param attempt 1-based attempt number within this outage
   * @param maxAttempts the policy's limit, or {@link #UNLIMITED}
   * @param delay the backoff before this attempt opens
   * @param cause why the channel was lost or the previous attempt failed
   */
  record Reconnecting(int attempt, int maxAttempts, Duration delay, Cause cause)
      implements ConnectionState {
    /** Validates the components. */
    public Reconnecting {
      Checks.attempt(attempt, maxAttempts);
      Objects.requireNonNull(delay, "delay");
      Objects.requireNonNull(cause, "cause");
    }

    @Override
    public String name() {
      return "Reconnecting";
    }

    @Override
    public String label() {
      return "Reconnecting (" + Checks.fraction(attempt, maxAttempts) + ")";
    }
  }

  /**
   * Retries are exhausted (or the first connect failed fast), a failure was judged final (cause
   * {@link Cause.Kind#FATAL}, entered from {@link Connecting}, {@link Reconnecting} or {@link
   * Connected}), or the flap guard ended the connection when it lost an established channel (cause
   * {@link Cause.Kind#FLAPPING}, entered from {@link Connected}). Terminal.
   *
   * @param cause the failure of the last attempt, the fatal failure, or the {@code FLAPPING}
   *     verdict
   * @param attempts how many attempts were made in the final outage or initial connect; 0 exactly
   *     when the connection ended at the loss of an established channel (flap guard, or a loss
   *     judged fatal): no attempt was made after it
   */
  record PermanentlyDisconnected(Cause cause, int attempts) implements ConnectionState {
    /** Validates the components. */
    public PermanentlyDisconnected {
      Objects.requireNonNull(cause, "cause");
      boolean flapping = cause.kind() == Cause.Kind.FLAPPING;
      int least = cause.kind() == Cause.Kind.FATAL ? 0 : 1;
      if (flapping ? attempts != 0 : attempts < least) {
        throw new IllegalArgumentException(
            "attempts must be "
                + (flapping ? "0 for a FLAPPING cause" : ">= " + least)
                + ", was "
                + attempts);
      }
    }

    @Override
    public boolean isTerminal() {
      return true;
    }

    @Override
    public String name() {
      return "PermanentlyDisconnected";
    }

    @Override
    public String label() {
      return "Disconnected";
    }
  }

  /**
   * The user closed the connection. Terminal.
   *
   * @param reason the reason given to {@code close}
   */
  record Closed(String reason) implements ConnectionState {
    /** Validates the reason. */
    public Closed {
      Objects.requireNonNull(reason, "reason");
    }

    @Override
    public boolean isTerminal() {
      return true;
    }

    @Override
    public String name() {
      return "Closed";
    }

    @Override
    public String label() {
      return "Closed";
    }
  }
}
