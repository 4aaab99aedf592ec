package dev.tether.rpc;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * An optional liveness probe: every {@code interval} while connected, send {@code probe} (or the
 * dialect's default probe) with a {@code timeout}; {@code misses} unanswered probes in a row make
 * the channel count as lost ({@code HEARTBEAT_MISSED}) and reconnection starts. Only an answer, a
 * result or an error response, counts as alive; a probe that could not be sent is a miss.
 * Immutable.
 *
 * @param interval time between probes; longer than {@code timeout}
 * @param timeout how long one probe may go unanswered
 * @param misses consecutive misses that declare the channel lost; at least 1
 * @param probe the request to send; empty means the dialect's {@link Dialect#heartbeatProbe()}
 */
public record Heartbeat(
    Duration interval, Duration timeout, int misses, Optional<Dialect.RpcCall> probe) {

  /** Default interval (DESIGN.md): frequent enough to notice a dead peer within ~2 minutes. */
  public static final Duration DEFAULT_INTERVAL = Duration.ofSeconds(30);

  /** Default probe timeout (DESIGN.md). */
  public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(5);

  /** Default misses in a row (DESIGN.md): one lost probe is not yet a dead channel. */
  public static final int DEFAULT_MISSES = 3;

  /**
   * Validates the components.
   *
   * @throws IllegalArgumentException on a non-positive duration, {@code timeout >= interval}, or
   *     {@code misses < 1}
   */
  public Heartbeat {
    Objects.requireNonNull(interval, "interval");
    Objects.requireNonNull(timeout, "timeout");
    Objects.requireNonNull(probe, "probe");
    if (timeout.isNegative() || timeout.isZero()) {
      throw new IllegalArgumentException("heartbeat timeout must be positive, was " + timeout);
    }
    if (interval.compareTo(timeout) <= 0) {
      throw new IllegalArgumentException(
          "heartbeat interval must exceed its timeout " + timeout + ", was " + interval);
    }
    if (misses < 1) {
      throw new IllegalArgumentException("heartbeat misses must be >= 1, was " + misses);
    }
  }

  /** The defaults: every 30 s, 5 s timeout, 3 misses, the dialect's probe. */
  public static Heartbeat defaults() {
    return new Heartbeat(DEFAULT_INTERVAL, DEFAULT_TIMEOUT, DEFAULT_MISSES, Optional.empty());
  }

  /** This heartbeat with another probe request. */
  public Heartbeat withProbe(String method) {
    return new Heartbeat(interval, timeout, misses, Optional.of(new Dialect.RpcCall(method, null)));
  }
}
