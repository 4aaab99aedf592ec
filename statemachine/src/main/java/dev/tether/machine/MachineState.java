package dev.tether.machine;

import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The machine's complete state: the current {@link Stage}, the id counters that make every attempt
 * and epoch unique over the connection's life, and the recent losses the flap guard counts. The
 * user-visible {@link ConnectionState} is derived from it, never stored beside it.
 *
 * @param stage what the connection is doing now
 * @param lastAttemptId the highest attempt id handed out (0 before the first)
 * @param lastEpoch the highest epoch handed out (0 before the first connect)
 * @param recentLossesNanos when an established connection was lost (on the driver's clock, the
 *     {@code nowNanos} of the step), oldest first, for the flap guard (I10): only the losses still
 *     inside the flap window at the last loss, so at most {@link BackoffPolicy#flapLimit()} of
 *     them; always empty when the policy has no flap guard
 */
public record MachineState(
    Stage stage, long lastAttemptId, long lastEpoch, List<Long> recentLossesNanos) {

  /** Validates the components and copies the list (no copy if it is already unmodifiable). */
  public MachineState {
    Objects.requireNonNull(stage, "stage");
    recentLossesNanos = List.copyOf(recentLossesNanos);
  }

  /** The state of a machine that was never started. */
  public static MachineState initial() {
    return new MachineState(new Stage.NotStarted(), 0, 0, List.of());
  }

  /** The user-visible state, derived from the stage. */
  public ConnectionState state() {
    return stage.state();
  }

  /**
   * One attempt to open a channel, and the outage (or initial connect) it belongs to.
   *
   * @param id unique over the connection's life; identifies its timers and its channel
   * @param reconnect false during the initial connect
   * @param number 1-based attempt number within this outage
   * @param maxAttempts the policy's limit, or {@link ConnectionState#UNLIMITED}
   * @param delay the backoff before this attempt opens
   * @param cause why the previous attempt failed or the channel was lost
   * @param outageStartNanos when the outage began, on the driver's clock
   */
  public record Attempt(
      long id,
      boolean reconnect,
      int number,
      int maxAttempts,
      Duration delay,
      Optional<Cause> cause,
      long outageStartNanos) {

    /** Validates the components. */
    public Attempt {
      Checks.attempt(number, maxAttempts);
      Objects.requireNonNull(delay, "delay");
      Objects.requireNonNull(cause, "cause");
      if (reconnect && cause.isEmpty()) {
        throw new IllegalArgumentException("a reconnect attempt needs a cause");
      }
    }

    ConnectionState state() {
      return reconnect
          ? new ConnectionState.Reconnecting(number, maxAttempts, delay, cause.orElseThrow())
          : new ConnectionState.Connecting(number, maxAttempts, delay, cause);
    }

    LifecycleEvent event() {
      return reconnect
          ? new LifecycleEvent.Reconnecting(number, maxAttempts, delay, cause.orElseThrow())
          : new LifecycleEvent.Connecting(number, maxAttempts, delay, cause);
    }
  }

  /** What the connection is doing. */
  public sealed interface Stage {

    /** The user-visible state of this stage. */
    ConnectionState state();

    /** Not started yet. */
    record NotStarted() implements Stage {
      @Override
      public ConnectionState state() {
        return new ConnectionState.Idle();
      }
    }

    /**
     * Waiting out the backoff before {@code attempt} opens; its backoff timer is live.
     *
     * @param attempt the attempt that opens next
     */
    record Waiting(Attempt attempt) implements Stage {
      @Override
      public ConnectionState state() {
        return attempt.state();
      }
    }

    /**
     * The channel of {@code attempt} is being opened; its connect timer is live.
     *
     * @param attempt the attempt
     */
    record Opening(Attempt attempt) implements Stage {
      @Override
      public ConnectionState state() {
        return attempt.state();
      }
    }

    /**
     * The channel of {@code attempt} is open and its handshake is running; the connect timer is
     * still live.
     *
     * @param attempt the attempt
     */
    record Handshaking(Attempt attempt) implements Stage {
      @Override
      public ConnectionState state() {
        return attempt.state();
      }
    }

    /**
     * Connected over channel {@code channelId}.
     *
     * @param epoch this connected period's number
     * @param channelId the id of the attempt that opened the channel
     */
    record Up(long epoch, long channelId) implements Stage {
      @Override
      public ConnectionState state() {
        return new ConnectionState.Connected(epoch);
      }
    }

    /**
     * Terminated; nothing is live.
     *
     * @param terminal the terminal state
     */
    record Ended(ConnectionState terminal) implements Stage {
      /** Validates that the state is terminal. */
      public Ended {
        if (!terminal.isTerminal()) {
          throw new IllegalArgumentException("not a terminal state: " + terminal);
        }
      }

      @Override
      public ConnectionState state() {
        return terminal;
      }
    }
  }
}
