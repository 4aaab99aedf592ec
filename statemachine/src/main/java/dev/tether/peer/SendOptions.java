package dev.tether.peer;

import java.time.Duration;
import java.util.Objects;

/**
 * Time limits for {@link PeerClient#connectAndSend}. Immutable; thread-safe.
 *
 * @param connectTimeout how long opening the connection may take
 * @param readTimeout how long to wait for each connect-time frame (an alert or the snapshot); it
 *     restarts with every frame, so a peer that streams a large snapshot steadily is not cut off
 * @param confirmTimeout how long to wait for the {@code ack}/{@code error} after writing; when it
 *     passes, the outcome is {@link SendOutcome.WrittenUnconfirmed}
 */
public record SendOptions(Duration connectTimeout, Duration readTimeout, Duration confirmTimeout) {

  /** Default connect timeout: a local socket connects in microseconds; 2 s covers a busy host. */
  public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(2);

  /** Default per-frame read timeout: a peer builds its snapshot before writing it. */
  public static final Duration DEFAULT_READ_TIMEOUT = Duration.ofSeconds(5);

  /** Default confirmation timeout: a confirming peer acks as soon as it has queued the message. */
  public static final Duration DEFAULT_CONFIRM_TIMEOUT = Duration.ofSeconds(5);

  /**
   * Validates the limits.
   *
   * @throws IllegalArgumentException if a limit is zero or negative, naming it
   */
  public SendOptions {
    requirePositive("connectTimeout", connectTimeout);
    requirePositive("readTimeout", readTimeout);
    requirePositive("confirmTimeout", confirmTimeout);
  }

  /** The defaults: 2 s to connect, 5 s per connect-time frame, 5 s for the confirmation. */
  public static SendOptions defaults() {
    return new SendOptions(DEFAULT_CONNECT_TIMEOUT, DEFAULT_READ_TIMEOUT, DEFAULT_CONFIRM_TIMEOUT);
  }

  /** A copy with another connect timeout. */
  public SendOptions withConnectTimeout(Duration value) {
    return new SendOptions(value, readTimeout, confirmTimeout);
  }

  /** A copy with another per-frame read timeout. */
  public SendOptions withReadTimeout(Duration value) {
    return new SendOptions(connectTimeout, value, confirmTimeout);
  }

  /** A copy with another confirmation timeout. */
  public SendOptions withConfirmTimeout(Duration value) {
    return new SendOptions(connectTimeout, readTimeout, value);
  }

  private static void requirePositive(String name, Duration value) {
    Objects.requireNonNull(value, name);
    if (value.isZero() || value.isNegative()) {
      throw new IllegalArgumentException(name + " must be positive, was " + value);
    }
  }
}
