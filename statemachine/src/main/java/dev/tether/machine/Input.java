package dev.tether.machine;

import java.util.Objects;

/**
 * What can happen to a connection: a user request, a transport callback or a timer. Inputs that
 * name an attempt or channel which is no longer current are stale and change nothing (I5).
 *
 * <p>A channel is identified by the id of the attempt that opened it.
 */
public sealed interface Input {

  /** The user started the connection. Ignored unless the machine is idle. */
  record Start() implements Input {}

  /**
   * The user asked to close the connection.
   *
   * @param reason recorded in the {@link LifecycleEvent.Closed} event
   */
  record CloseRequested(String reason) implements Input {
    /** Validates the reason. */
    public CloseRequested {
      Objects.requireNonNull(reason, "reason");
    }
  }

  /**
   * The transport opened the channel requested for {@code attemptId}.
   *
   * @param attemptId the attempt whose {@link Effect.OpenChannel} this answers
   */
  record ChannelOpened(long attemptId) implements Input {}

  /**
   * The transport could not open the channel for {@code attemptId}.
   *
   * @param attemptId the attempt whose {@link Effect.OpenChannel} this answers
   * @param cause why
   */
  record ChannelOpenFailed(long attemptId, Cause cause) implements Input {
    /** Validates the cause. */
    public ChannelOpenFailed {
      Objects.requireNonNull(cause, "cause");
    }
  }

  /**
   * The handshake started by {@link Effect.StartHandshake} for {@code attemptId} completed.
   *
   * @param attemptId the attempt
   */
  record HandshakeSucceeded(long attemptId) implements Input {}

  /**
   * The handshake for {@code attemptId} failed; the attempt counts as failed.
   *
   * @param attemptId the attempt
   * @param cause why
   */
  record HandshakeFailed(long attemptId, Cause cause) implements Input {
    /** Validates the cause. */
    public HandshakeFailed {
      Objects.requireNonNull(cause, "cause");
    }
  }

  /**
   * The channel opened by attempt {@code channelId} closed or failed, or was declared dead (for
   * example by missed heartbeats).
   *
   * @param channelId the id of the attempt that opened the channel
   * @param cause why
   */
  record ChannelLost(long channelId, Cause cause) implements Input {
    /** Validates the cause. */
    public ChannelLost {
      Objects.requireNonNull(cause, "cause");
    }
  }

  /**
   * The backoff timer of {@code attemptId} fired.
   *
   * @param attemptId the attempt
   */
  record BackoffElapsed(long attemptId) implements Input {}

  /**
   * The connect timer of {@code attemptId} fired before the attempt completed.
   *
   * @param attemptId the attempt
   */
  record ConnectTimedOut(long attemptId) implements Input {}
}
