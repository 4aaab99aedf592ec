package dev.tether.machine;

import java.util.Objects;

/**
 * Why a connection attempt failed or a channel was lost: a {@link Kind} a program can switch on,
 * and a message for people.
 *
 * <p>A cause is plain data (no {@link Throwable}) so that traces stay comparable and replayable.
 *
 * @param kind what happened
 * @param message a human-readable detail; never null, may be empty
 */
public record Cause(Kind kind, String message) {

  /** The kinds of failure the machine distinguishes. */
  public enum Kind {
    /** The transport could not open a channel (refused, unreachable, TLS rejected, ...). */
    OPEN_FAILED,
    /** The channel did not open (and complete its handshake) within the connect timeout. */
    CONNECT_TIMEOUT,
    /** The channel opened but the connection handshake (resubscription, hook) failed. */
    HANDSHAKE_FAILED,
    /** The remote side closed an open channel. */
    CHANNEL_CLOSED,
    /** The channel failed with an I/O error. */
    CHANNEL_ERROR,
    /** Consecutive heartbeat probes went unanswered; the channel is presumed half-open. */
    HEARTBEAT_MISSED,
    /** The peer sent a frame larger than the configured maximum. */
    FRAME_TOO_LARGE,
    /** The peer violated the protocol so badly that the channel cannot be used. */
    PROTOCOL_ERROR,
    /**
     * Bytes handed to the channel did not drain to the network within the write timeout: the peer
     * stopped reading, or the path to it is dead while the socket still looks open (R5).
     */
    WRITE_TIMEOUT,
    /**
     * The flap guard ended the connection (I10): an established connection was lost more than the
     * policy's {@link BackoffPolicy#flapLimit() flap limit} times within its {@link
     * BackoffPolicy#flapWindow() flap window}. The message says how often, within what, and the
     * last loss's cause. Only ever the cause of {@code PermanentlyDisconnected}.
     */
    FLAPPING
  }

  /**
   * Creates a cause.
   *
   * @throws NullPointerException if {@code kind} or {@code message} is null
   */
  public Cause {
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(message, "message");
  }

  /** Creates a cause of the given kind. */
  public static Cause of(Kind kind, String message) {
    return new Cause(kind, message);
  }

  @Override
  public String toString() {
    return message.isEmpty() ? kind.name() : kind + ": " + message;
  }
}
