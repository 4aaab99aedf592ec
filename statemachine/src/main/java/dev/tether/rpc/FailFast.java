package dev.tether.rpc;

import dev.tether.machine.ConnectionState;

/**
 * When a request that may not wait for the connection ({@link RequestOptions#waitForReady} off)
 * fails with {@link RpcException.NotConnected} instead of waiting. A request that waits is held in
 * the bounded wait-for-ready queue until a channel is up (it is then sent), its deadline passes
 * ({@link RpcException.Timeout}), the attempt it waits for fails ({@link
 * RpcException.NotConnected}), or the connection ends ({@link RpcException.ConnectionLost}, not
 * written). Wait-for-ready requests wait through failed attempts too, whichever is chosen here.
 *
 * <p>Set with {@link RpcConnectionBuilder#failFast}.
 */
public enum FailFast {
  /**
   * gRPC's fail-fast, the default: a request fails at once only while the connection is in a
   * failure state, and otherwise waits for the outcome of the attempt in progress. gRPC fails such
   * calls in {@code TRANSIENT_FAILURE} and lets them wait in {@code IDLE} and {@code CONNECTING};
   * once a channel has failed to connect it stays in {@code TRANSIENT_FAILURE} until it is {@code
   * READY} again (pick_first's "sticky" failure, gRFC A62), and a broken {@code READY} connection
   * goes to {@code IDLE}, so calls made while it reconnects wait. In Tether's states:
   *
   * <ul>
   *   <li>{@code Idle} (not started; gRPC's {@code IDLE}): waits, for {@code start()};
   *   <li>{@code Connecting} attempt 1 (gRPC's {@code CONNECTING}): waits for that attempt;
   *   <li>{@code Reconnecting} attempt 1, the first attempt after an established channel was lost
   *       (gRPC's {@code IDLE} then {@code CONNECTING}): waits for that attempt, its backoff delay
   *       included;
   *   <li>{@code Connecting} or {@code Reconnecting} attempt 2 or later (gRPC's sticky {@code
   *       TRANSIENT_FAILURE}: an attempt of this outage has failed, whether the next one is waiting
   *       for its backoff delay or already dialling): fails at once;
   *   <li>{@code Connected}: sent; terminal states (gRPC's {@code SHUTDOWN}): {@link
   *       RpcException.ConnectionLost}.
   * </ul>
   *
   * <p>When the attempt a request waits for fails, the request fails with {@link
   * RpcException.NotConnected}.
   */
  AFTER_FAILED_ATTEMPT,

  /**
   * Fails at once whenever no channel is up, even while the first attempt is still under way
   * ({@code NotConnected (Connecting (1/10))} right after {@code start()}). Tether's behaviour
   * before {@link #AFTER_FAILED_ATTEMPT} became the default.
   */
  WHEN_NOT_CONNECTED;

  /** Whether a request that may not wait longer than the attempt in progress waits in {@code s}. */
  boolean waitsIn(ConnectionState s) {
    if (this == WHEN_NOT_CONNECTED) {
      return false;
    }
    // Attempt 1 of an outage (or of the initial connect) is the only one no failure came before.
    return s instanceof ConnectionState.Idle
        || (s instanceof ConnectionState.Connecting c && c.attempt() == 1)
        || (s instanceof ConnectionState.Reconnecting r && r.attempt() == 1);
  }
}
