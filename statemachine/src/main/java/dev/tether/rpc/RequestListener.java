package dev.tether.rpc;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * Observes an {@link RpcConnection}'s requests as they settle (see {@link
 * RpcConnection#observeRequests}): for metrics such as a latency timer tagged by outcome.
 * Notifications, which have no answer, are not reported.
 *
 * <p>Runs on the connection's context, right after the request's future completed: it must be quick
 * and must not block. One that throws is logged and counted as a handler error; the others still
 * hear of the request (R2).
 */
@FunctionalInterface
public interface RequestListener {

  /** Called once per request, when it settles (I6). */
  void onSettled(Settled request);

  /**
   * A settled request.
   *
   * @param method the request's method
   * @param internal whether the connection made it itself (a subscription, a heartbeat probe, the
   *     handshake hook)
   * @param latency from the call (or, for the connection's own, from its preparation) to its
   *     settlement, on the connection's clock: waiting for a connection included
   * @param failure how it failed; empty when it succeeded
   */
  record Settled(
      String method, boolean internal, Duration latency, Optional<RpcException.Kind> failure) {
    /** Validates the components. */
    public Settled {
      Objects.requireNonNull(method, "method");
      Objects.requireNonNull(latency, "latency");
      Objects.requireNonNull(failure, "failure");
    }
  }
}
