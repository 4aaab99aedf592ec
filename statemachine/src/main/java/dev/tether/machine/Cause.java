package dev.tether.machine;

import java.util.Objects;
import java.util.Optional;

/**
 * Why a connection attempt failed or a channel was lost: a {@link Kind} a program can switch on, a
 * message for people, and optionally a structured {@link Detail} (an HTTP status, a WebSocket close
 * code, ...) that a {@code FailureClassifier} can decide on without parsing the message.
 *
 * <p>A cause is plain data (no {@link Throwable}) so that traces stay comparable and replayable.
 * Its {@link #toString()} leaves the detail out: the message already says it for people.
 *
 * @param kind what happened
 * @param message a human-readable detail; never null, may be empty
 * @param detail what the transport knows in structured form, if anything
 */
public record Cause(Kind kind, String message, Optional<Detail> detail) {

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
    FLAPPING,
    /**
     * A failure the connection's {@code FailureClassifier} judged final (a WebSocket upgrade
     * refused with 401, a certificate that fails verification, a command that does not exist, ...):
     * the connection ended at once instead of retrying. The message is the failure's own; the
     * detail, if any, is kept. Only ever the cause of {@code PermanentlyDisconnected}.
     */
    FATAL,
    /**
     * The connection's endpoint resolver could not supply the attempt's endpoint: it failed, threw,
     * answered nothing, or did not answer within the connect timeout. The message is the
     * resolver's. Classified like any failure (retried by the policy, by default).
     */
    RESOLVE_FAILED,
    /**
     * The connection's connect-parameters provider could not supply the attempt's headers or
     * environment (a token that could not be refreshed): it failed, threw, answered nothing, or did
     * not answer within the connect timeout. The message is the provider's; never a parameter's
     * value. Classified like any failure (retried by the policy, by default).
     */
    PARAMETERS_FAILED
  }

  /**
   * Structured facts about a failure that transports report beside the message, so that a
   * classifier can switch on them. Plain data, like the cause.
   */
  public sealed interface Detail {

    /**
     * The server answered the WebSocket upgrade (or another HTTP handshake) with a status other
     * than 101.
     *
     * @param httpStatus the response's status code, such as 401
     */
    record UpgradeRejected(int httpStatus) implements Detail {}

    /**
     * The peer closed the WebSocket with a close frame carrying this code (RFC 6455, 7.4).
     *
     * @param code the close code, such as 1001 (going away) or 1012 (service restart)
     */
    record CloseCode(int code) implements Detail {}

    /**
     * The TLS handshake failed because the peer's certificate or host name did not pass
     * verification (a {@link java.security.cert.CertificateException} in the failure's chain).
     */
    record CertificateRejected() implements Detail {}

    /**
     * The command of a process endpoint does not exist or cannot be executed.
     *
     * @param command the command as configured
     */
    record CommandNotFound(String command) implements Detail {
      /** Validates the command. */
      public CommandNotFound {
        Objects.requireNonNull(command, "command");
      }
    }
  }

  /**
   * Creates a cause.
   *
   * @throws NullPointerException if {@code kind} or {@code message} is null
   */
  public Cause {
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(message, "message");
    Objects.requireNonNull(detail, "detail");
  }

  /**
   * Creates a cause without a detail.
   *
   * @throws NullPointerException if {@code kind} or {@code message} is null
   */
  public Cause(Kind kind, String message) {
    this(kind, message, Optional.empty());
  }

  /** Creates a cause of the given kind. */
  public static Cause of(Kind kind, String message) {
    return new Cause(kind, message);
  }

  /** Creates a cause of the given kind with a structured detail. */
  public static Cause of(Kind kind, String message, Detail detail) {
    return new Cause(kind, message, Optional.of(detail));
  }

  @Override
  public String toString() {
    return message.isEmpty() ? kind.name() : kind + ": " + message;
  }
}
