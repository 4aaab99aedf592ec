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
   * The user asked to retry now ({@code Connection.reconnectNow()}): while the machine waits out a
   * backoff delay, the pending attempt opens at once, as the next attempt of the same outage (its
   * number does not change, I2). Ignored in every other state: idle, opening, handshaking,
   * connected or ended.
   */
  record ReconnectNow() implements Input {}

  /**
   * The transport could not open the channel for {@code attemptId}.
   *
   * @param attemptId the attempt whose {@link Effect.OpenChannel} this answers
   * @param cause why
   * @param verdict whether the failure is worth retrying, and how soon
   */
  record ChannelOpenFailed(long attemptId, Cause cause, Verdict verdict) implements Input {
    /** Validates the cause and the verdict. */
    public ChannelOpenFailed {
      Objects.requireNonNull(cause, "cause");
      Objects.requireNonNull(verdict, "verdict");
    }

    /** A failure worth retrying by the policy ({@link Verdict#RETRY}). */
    public ChannelOpenFailed(long attemptId, Cause cause) {
      this(attemptId, cause, Verdict.RETRY);
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
   * @param verdict whether the failure is worth retrying, and how soon
   */
  record HandshakeFailed(long attemptId, Cause cause, Verdict verdict) implements Input {
    /** Validates the cause and the verdict. */
    public HandshakeFailed {
      Objects.requireNonNull(cause, "cause");
      Objects.requireNonNull(verdict, "verdict");
    }

    /** A failure worth retrying by the policy ({@link Verdict#RETRY}). */
    public HandshakeFailed(long attemptId, Cause cause) {
      this(attemptId, cause, Verdict.RETRY);
    }
  }

  /**
   * The channel opened by attempt {@code channelId} closed or failed, or was declared dead (for
   * example by missed heartbeats).
   *
   * @param channelId the id of the attempt that opened the channel
   * @param cause why
   * @param verdict whether the loss is worth reconnecting after, and how soon
   */
  record ChannelLost(long channelId, Cause cause, Verdict verdict) implements Input {
    /** Validates the cause and the verdict. */
    public ChannelLost {
      Objects.requireNonNull(cause, "cause");
      Objects.requireNonNull(verdict, "verdict");
    }

    /** A loss worth reconnecting after by the policy ({@link Verdict#RETRY}). */
    public ChannelLost(long channelId, Cause cause) {
      this(channelId, cause, Verdict.RETRY);
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
