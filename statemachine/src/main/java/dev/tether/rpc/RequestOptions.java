package dev.tether.rpc;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * Per-request options. Immutable and thread-safe; start from {@link #defaults()}.
 *
 * <p>Defaults: the connection's request timeout, the connection's wait-for-ready setting, not
 * idempotent.
 */
public final class RequestOptions {
  private static final RequestOptions DEFAULTS = new RequestOptions(null, null, false);

  private final Duration timeout;
  private final Boolean waitForReady;
  private final boolean idempotent;

  private RequestOptions(Duration timeout, Boolean waitForReady, boolean idempotent) {
    this.timeout = timeout;
    this.waitForReady = waitForReady;
    this.idempotent = idempotent;
  }

  /** The default options. */
  public static RequestOptions defaults() {
    return DEFAULTS;
  }

  /**
   * The deadline, counted from the call, for the whole request (waiting included).
   *
   * @throws IllegalArgumentException if not positive
   */
  public RequestOptions timeout(Duration timeout) {
    Objects.requireNonNull(timeout, "timeout");
    if (timeout.isNegative() || timeout.isZero()) {
      throw new IllegalArgumentException("timeout must be positive, was " + timeout);
    }
    return new RequestOptions(timeout, waitForReady, idempotent);
  }

  /**
   * Whether the request waits (in the bounded wait-for-ready queue, until its deadline) for the
   * connection to be up instead of failing at once with {@link RpcException.NotConnected}.
   */
  public RequestOptions waitForReady(boolean wait) {
    return new RequestOptions(timeout, wait, idempotent);
  }

  /**
   * Marks the request as safe to send twice: if the channel is lost before its answer, it is sent
   * again after the reconnect (within its deadline) instead of failing with {@link
   * RpcException.ConnectionLost}.
   */
  public RequestOptions idempotent(boolean idempotent) {
    return new RequestOptions(timeout, waitForReady, idempotent);
  }

  /** The timeout, if set here. */
  public Optional<Duration> timeout() {
    return Optional.ofNullable(timeout);
  }

  /** The wait-for-ready choice, if set here. */
  public Optional<Boolean> waitForReady() {
    return Optional.ofNullable(waitForReady);
  }

  /** Whether the request may be replayed after a reconnect. */
  public boolean idempotent() {
    return idempotent;
  }

  @Override
  public String toString() {
    return "RequestOptions[timeout="
        + timeout
        + ", waitForReady="
        + waitForReady
        + ", idempotent="
        + idempotent
        + "]";
  }
}
