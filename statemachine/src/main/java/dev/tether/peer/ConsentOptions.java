package dev.tether.peer;

import java.time.Duration;
import java.util.Objects;

/**
 * How {@link PeerRegistry#registerWithConsent} asks the target. Immutable; thread-safe.
 *
 * @param send the time limits of the round trip (connect, each connect-time frame, confirmation)
 * @param maxWait the limit for the whole round trip, asking and (on a failure) withdrawing each:
 *     the registry holds its store's lock across it, so other registrations wait at most this long
 *     for one network wait; at most {@link #MAX_LOCKED_WAIT}
 * @param metadataOnlyIfUnreachable when the target cannot be reached at all (nothing was written to
 *     it), register both sides without its consent and say so ({@link
 *     ConsentOutcome.MetadataOnly}); off by default, and never applied to a refusal or to a request
 *     that was written
 */
public record ConsentOptions(
    SendOptions send, Duration maxWait, boolean metadataOnlyIfUnreachable) {

  /**
   * The longest network wait allowed under the store's lock. Every other registration of the store,
   * in every process, waits behind it; 30 s is already long for a local peer, and beyond it a stuck
   * target would look like a hung registry.
   */
  public static final Duration MAX_LOCKED_WAIT = Duration.ofSeconds(30);

  /** Default limit of one round trip: the default send limits fit in it with room to spare. */
  public static final Duration DEFAULT_MAX_WAIT = Duration.ofSeconds(10);

  /**
   * Validates the options.
   *
   * @throws IllegalArgumentException if {@code maxWait} is not positive or exceeds {@link
   *     #MAX_LOCKED_WAIT}
   */
  public ConsentOptions {
    Objects.requireNonNull(send, "send");
    Objects.requireNonNull(maxWait, "maxWait");
    if (maxWait.isZero() || maxWait.isNegative() || maxWait.compareTo(MAX_LOCKED_WAIT) > 0) {
      throw new IllegalArgumentException(
          "maxWait must be positive and at most " + MAX_LOCKED_WAIT + ", was " + maxWait);
    }
  }

  /** Default send limits, {@link #DEFAULT_MAX_WAIT}, and no metadata-only fallback. */
  public static ConsentOptions defaults() {
    return new ConsentOptions(SendOptions.defaults(), DEFAULT_MAX_WAIT, false);
  }

  /** A copy with other send limits. */
  public ConsentOptions withSend(SendOptions value) {
    return new ConsentOptions(value, maxWait, metadataOnlyIfUnreachable);
  }

  /** A copy with another overall limit. */
  public ConsentOptions withMaxWait(Duration value) {
    return new ConsentOptions(send, value, metadataOnlyIfUnreachable);
  }

  /** A copy that registers metadata-only when the target is unreachable (explicit opt-in). */
  public ConsentOptions withMetadataOnlyIfUnreachable(boolean value) {
    return new ConsentOptions(send, maxWait, value);
  }
}
