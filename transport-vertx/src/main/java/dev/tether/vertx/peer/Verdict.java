package dev.tether.vertx.peer;

import java.util.Objects;

/**
 * What a {@link NotifyHandler} decided about a message: the server answers {@link Accept} with
 * {@code {"event":"ack",…}} and {@link Reject} with {@code {"event":"error",…}} carrying its code
 * and message.
 */
public sealed interface Verdict {

  /** The message was taken: the sender's outcome is {@code Delivered}. */
  static Verdict accept() {
    return Accept.INSTANCE;
  }

  /**
   * The message was refused: the sender's outcome is {@code Rejected(code, message)}.
   *
   * @throws IllegalArgumentException if {@code code} is blank
   */
  static Verdict reject(String code, String message) {
    return new Reject(code, message);
  }

  /** See {@link #accept()}. */
  final class Accept implements Verdict {
    private static final Accept INSTANCE = new Accept();

    private Accept() {}

    @Override
    public String toString() {
      return "Accept";
    }
  }

  /**
   * See {@link #reject}.
   *
   * @param code a short machine-readable reason, such as {@code busy}
   * @param message a human-readable explanation
   */
  record Reject(String code, String message) implements Verdict {
    /**
     * Checks the fields.
     *
     * @throws IllegalArgumentException if {@code code} is blank
     */
    public Reject {
      Objects.requireNonNull(code, "code");
      Objects.requireNonNull(message, "message");
      if (code.isBlank()) {
        throw new IllegalArgumentException("code must not be blank, was \"" + code + "\"");
      }
    }
  }
}
