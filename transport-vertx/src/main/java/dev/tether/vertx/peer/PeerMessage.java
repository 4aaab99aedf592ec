package dev.tether.vertx.peer;

import java.util.Objects;

/**
 * A message a peer sent with {@code notify}. Immutable.
 *
 * @param id the request's {@code id}, as the client sent it
 * @param message the {@code params.message} text
 * @param from the client's address as Vert.x reports it (a Unix socket's is often empty)
 */
public record PeerMessage(String id, String message, String from) {
  /**
   * Checks the fields.
   *
   * @throws NullPointerException if a field is null
   */
  public PeerMessage {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(message, "message");
    Objects.requireNonNull(from, "from");
  }
}
