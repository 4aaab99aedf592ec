package dev.tether.runtime.spi;

import dev.tether.machine.Cause;
import java.io.IOException;
import java.util.Objects;

/**
 * How a {@link Transport} tells the connection what it knows about a failed open in structured
 * form: complete the stage of {@link Transport#open} exceptionally with this exception (it may be
 * wrapped), and the attempt's {@link Cause} carries its {@link #detail()}, which the connection's
 * failure classifier can decide on. Other exceptions are fine too; they just carry no detail
 * (except a {@link java.security.cert.CertificateException} anywhere in the chain, which the
 * connection recognises itself).
 */
public class ChannelOpenException extends IOException {
  private static final long serialVersionUID = 1L;

  // Transient: the detail records are not serializable, and nothing serializes this in Tether.
  private final transient Cause.Detail detail;

  /**
   * Creates the exception.
   *
   * @param message what happened, for people (it becomes the cause's message)
   * @param detail what happened, for programs
   * @param cause the transport's own exception, or null
   */
  public ChannelOpenException(String message, Cause.Detail detail, Throwable cause) {
    super(Objects.requireNonNull(message, "message"), cause);
    this.detail = Objects.requireNonNull(detail, "detail");
  }

  /** The structured detail; null only after deserialization. */
  public Cause.Detail detail() {
    return detail;
  }
}
