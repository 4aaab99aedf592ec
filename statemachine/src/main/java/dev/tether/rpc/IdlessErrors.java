package dev.tether.rpc;

import dev.tether.rpc.Counters.C;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What happens to an error response with a null or missing id: the server refused something it
 * could not tie to a request, so no request settles. It is counted ({@link
 * ConnectionStats#idlessErrors}), logged at {@code warn} with the server's message (abbreviated: it
 * is remote input; a flood logs only the 1st, 2nd, 4th, … occurrence) and handed to the user's
 * listener, on the connection's context.
 */
final class IdlessErrors {
  private static final Logger log = LoggerFactory.getLogger(IdlessErrors.class);

  /** Without a listener: one for every such connection (B5: 24 B per connection otherwise). */
  private static final IdlessErrors UNHEARD = new IdlessErrors(null);

  private final Consumer<? super RpcException.RemoteError> listener;

  private IdlessErrors(Consumer<? super RpcException.RemoteError> listener) {
    this.listener = listener;
  }

  /** The handling that offers such errors to {@code listener}, or to no one when it is null. */
  static IdlessErrors of(Consumer<? super RpcException.RemoteError> listener) {
    return listener == null ? UNHEARD : new IdlessErrors(listener);
  }

  /**
   * Counts, logs (naming the connection {@code name}) and offers {@code error}. Call on the
   * connection's context. Never throws.
   */
  void report(RpcException.RemoteError error, Counters counters, String name) {
    long n = counters.inc(C.IDLESS_ERRORS);
    if (Counters.rarely(n)) {
      log.warn(
          "{}: error response without an id ({} so far): {} {}",
          name,
          n,
          error.code(),
          Codec.abbreviate(error.remoteMessage()));
    }
    if (listener == null) {
      return;
    }
    try {
      listener.accept(error);
    } catch (RuntimeException e) {
      counters.inc(C.HANDLER_ERRORS);
      log.warn("{}: id-less error listener threw", name, e);
    }
  }
}
