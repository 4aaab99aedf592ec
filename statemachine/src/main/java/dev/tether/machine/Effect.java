package dev.tether.machine;

import java.time.Duration;
import java.util.Objects;

/**
 * What the machine asks its driver to do. Effects are data; the driver is the only place that
 * performs them, in list order. Clean-up effects (close, cancel) always precede the terminal {@link
 * Emit}, so that when a subscriber sees the terminal event nothing is left running (I4).
 */
public sealed interface Effect {

  /** The machine's two kinds of timer. */
  enum TimerKind {
    /** Waits out the backoff delay before an attempt opens. */
    BACKOFF,
    /** Bounds how long an attempt may take to open and finish its handshake. */
    CONNECT_TIMEOUT
  }

  /**
   * Open a channel for attempt {@code attemptId}; answer with {@link Input.ChannelOpened} or {@link
   * Input.ChannelOpenFailed}.
   *
   * @param attemptId the attempt, which also identifies the channel
   */
  record OpenChannel(long attemptId) implements Effect {}

  /**
   * Close channel {@code channelId}, or abandon its open if it has not completed yet (a channel
   * arriving later must be closed at once). Must be idempotent.
   *
   * @param channelId the id of the attempt that opened (or is opening) the channel
   */
  record CloseChannel(long channelId) implements Effect {}

  /**
   * Start a one-shot timer; when it fires, feed {@link Input.BackoffElapsed} or {@link
   * Input.ConnectTimedOut} with {@code attemptId}.
   *
   * @param kind which timer
   * @param attemptId the attempt it belongs to
   * @param delay how long from now
   */
  record StartTimer(TimerKind kind, long attemptId, Duration delay) implements Effect {
    /** Validates the components. */
    public StartTimer {
      Objects.requireNonNull(kind, "kind");
      Objects.requireNonNull(delay, "delay");
    }
  }

  /**
   * Cancel a timer started by {@link StartTimer} with the same kind and attempt, if still live.
   *
   * @param kind which timer
   * @param attemptId the attempt it belongs to
   */
  record CancelTimer(TimerKind kind, long attemptId) implements Effect {
    /** Validates the kind. */
    public CancelTimer {
      Objects.requireNonNull(kind, "kind");
    }
  }

  /**
   * Run the connection handshake on the channel of {@code attemptId} (resubscribe streams, run user
   * hooks); answer with {@link Input.HandshakeSucceeded} or {@link Input.HandshakeFailed}.
   *
   * @param attemptId the attempt whose channel just opened
   */
  record StartHandshake(long attemptId) implements Effect {}

  /**
   * Deliver a lifecycle event to every subscriber.
   *
   * @param event the event
   */
  record Emit(LifecycleEvent event) implements Effect {
    /** Validates the event. */
    public Emit {
      Objects.requireNonNull(event, "event");
    }
  }
}
