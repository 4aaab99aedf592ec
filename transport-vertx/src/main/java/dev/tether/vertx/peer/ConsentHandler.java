package dev.tether.vertx.peer;

import dev.tether.peer.PeerNames;
import java.util.Objects;
import java.util.Set;

/**
 * Decides a {@link VertxPeerServer}'s answer to {@code peer.register} (a pod asks this pod to
 * consent to becoming its peer) and {@code peer.unregister} (the consent is withdrawn, for example
 * because the registration rolled back). The server answers {@link Verdict#accept()} with {@code
 * ack} and {@link Verdict#reject} with {@code error} carrying its code and message.
 *
 * <p>Called on a Vert.x event loop, like {@link NotifyHandler}: it must not block, and a handler
 * shared by several connections must be thread-safe. A handler that throws makes the server answer
 * {@link VertxPeerServer#CODE_HANDLER_FAILED}. The default, {@link #refuseAll()}, consents to no
 * one.
 */
@FunctionalInterface
public interface ConsentHandler {

  /** Decides the answer to {@code request}. */
  Verdict onConsent(ConsentRequest request);

  /**
   * Consents to registrations from exactly {@code sources}, refusing every other source with {@link
   * VertxPeerServer#CODE_UNKNOWN_SOURCE}; acknowledges every withdrawal. Thread-safe.
   *
   * @throws IllegalArgumentException if a name is not a valid pod name
   */
  static ConsentHandler accepting(Set<String> sources) {
    Set<String> known = Set.copyOf(sources);
    known.forEach(PeerNames::requireValid);
    return request -> {
      if (request.kind() == ConsentRequest.Kind.UNREGISTER || known.contains(request.source())) {
        return Verdict.accept();
      }
      return Verdict.reject(
          VertxPeerServer.CODE_UNKNOWN_SOURCE,
          "pod \"" + request.source() + "\" is not accepted as a peer here");
    };
  }

  /** The default: refuses every registration, acknowledges every withdrawal. */
  static ConsentHandler refuseAll() {
    return accepting(Set.of());
  }

  /**
   * A {@code peer.register} or {@code peer.unregister} request. Immutable.
   *
   * @param kind which of the two
   * @param id the request's {@code id}, as the client sent it
   * @param source the pod asking (a valid pod name; checked by the server)
   * @param from the client's address as Vert.x reports it (a Unix socket's is often empty)
   */
  record ConsentRequest(Kind kind, String id, String source, String from) {
    /**
     * Checks the fields.
     *
     * @throws NullPointerException if a field is null
     */
    public ConsentRequest {
      Objects.requireNonNull(kind, "kind");
      Objects.requireNonNull(id, "id");
      Objects.requireNonNull(source, "source");
      Objects.requireNonNull(from, "from");
    }

    /** The two requests. */
    public enum Kind {
      /** {@code peer.register}: consent to becoming the source's peer? */
      REGISTER,
      /** {@code peer.unregister}: the consent is withdrawn. */
      UNREGISTER
    }
  }
}
