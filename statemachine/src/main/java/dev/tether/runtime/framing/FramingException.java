package dev.tether.runtime.framing;

import dev.tether.machine.Cause;
import java.io.IOException;
import java.util.Objects;

/**
 * The byte stream broke its framing so that no further frame can be trusted: an oversized frame or
 * header, a malformed header, a bad {@code Content-Length}. Carries the {@link Cause.Kind} the
 * channel ends with.
 */
public final class FramingException extends IOException {
  private static final long serialVersionUID = 1L;

  private final Cause.Kind kind;

  /**
   * @param kind {@link Cause.Kind#FRAME_TOO_LARGE} or {@link Cause.Kind#PROTOCOL_ERROR}
   * @param message what was wrong, readable by people
   */
  public FramingException(Cause.Kind kind, String message) {
    super(Objects.requireNonNull(message, "message"));
    this.kind = Objects.requireNonNull(kind, "kind");
  }

  /** The kind of cause a channel ends with because of this error. */
  public Cause.Kind kind() {
    return kind;
  }

  /** The cause a channel ends with because of this error. */
  public Cause toCause() {
    return Cause.of(kind, getMessage());
  }
}
