package dev.tether.peer;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tether.runtime.spi.Scheduler;
import dev.tether.runtime.spi.Transport;
import java.net.URI;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * One-shot messages to a peer endpoint (DESIGN.md, "Peer endpoint protocol"), over any {@link
 * Transport} whose frames are single JSON objects.
 *
 * <p>{@link #connectAndSend} keeps invariant P1: it connects, reads the endpoint's connect-time
 * alerts and its one snapshot (each read with a timeout), only then writes the {@code notify}, and
 * reports {@link SendOutcome.Delivered} only for an {@code ack} of that notify. Every other ending
 * is a precise {@link SendOutcome.Failed}, or {@link SendOutcome.WrittenUnconfirmed} for a peer
 * that stays silent.
 *
 * <p>Thread-safe: every call starts an independent attempt whose state is confined to {@code
 * scheduler}; the returned stage completes on it. The connection is always closed at the end.
 */
public final class PeerClient {

  /**
   * Alerts kept per connection. The server's own buffer is bounded; this bound keeps a hostile peer
   * from growing the client's memory. Alerts beyond it are still read (the protocol needs them
   * drained) and counted in {@link ConnectTraffic#droppedAlerts}.
   */
  public static final int MAX_KEPT_ALERTS = 1_000;

  /** Default probe timeout: a live local peer answers in a few milliseconds. */
  public static final Duration DEFAULT_PROBE_TIMEOUT = Duration.ofMillis(500);

  private PeerClient() {}

  /**
   * Connects to {@code endpoint}, drains its alerts and snapshot, sends {@code message} as a {@code
   * notify}, and waits for the confirmation.
   *
   * @return completes (never exceptionally) with the outcome, on {@code scheduler}
   * @throws IllegalArgumentException if the transport does not support the endpoint's scheme
   * @throws NullPointerException if an argument is null
   */
  public static CompletionStage<SendOutcome> connectAndSend(
      Transport transport, Scheduler scheduler, URI endpoint, String message, SendOptions options) {
    Objects.requireNonNull(message, "message");
    return request(
        transport, scheduler, endpoint, "notify", SendAttempt.notifyParams(message), options, null);
  }

  /**
   * Connects, drains, writes {@code {"method":METHOD,"id":…,"params":PARAMS}} and waits for its
   * confirmation, like {@link #connectAndSend}. With a {@code deadline}, the whole attempt ends by
   * then: before the write as {@link SendOutcome.TimedOut}, after it as {@link
   * SendOutcome.WrittenUnconfirmed}; nothing is written after the deadline.
   */
  static CompletionStage<SendOutcome> request(
      Transport transport,
      Scheduler scheduler,
      URI endpoint,
      String method,
      ObjectNode params,
      SendOptions options,
      Duration deadline) {
    SendAttempt attempt =
        new SendAttempt(
            Objects.requireNonNull(transport, "transport"),
            Objects.requireNonNull(scheduler, "scheduler"),
            Objects.requireNonNull(endpoint, "endpoint"),
            Objects.requireNonNull(method, "method"),
            Objects.requireNonNull(params, "params"),
            Objects.requireNonNull(options, "options"));
    attempt.start();
    if (deadline != null) {
      scheduler.schedule(deadline, () -> attempt.deadline(deadline));
    }
    return attempt.outcome();
  }

  /** {@link #probe(Transport, Scheduler, URI, Duration)} with {@link #DEFAULT_PROBE_TIMEOUT}. */
  public static CompletionStage<ProbeResult> probe(
      Transport transport, Scheduler scheduler, URI endpoint) {
    return probe(transport, scheduler, endpoint, DEFAULT_PROBE_TIMEOUT);
  }

  /**
   * Connects to {@code endpoint}, reads its alerts and snapshot, and closes without writing.
   *
   * @param timeout limit for the whole probe
   * @return completes (never exceptionally) with whether the peer is reachable and the {@code
   *     status} field of its snapshot, on {@code scheduler}
   * @throws IllegalArgumentException if {@code timeout} is not positive
   */
  public static CompletionStage<ProbeResult> probe(
      Transport transport, Scheduler scheduler, URI endpoint, Duration timeout) {
    SendOptions limits = new SendOptions(timeout, timeout, timeout);
    SendAttempt attempt =
        new SendAttempt(
            Objects.requireNonNull(transport, "transport"),
            Objects.requireNonNull(scheduler, "scheduler"),
            Objects.requireNonNull(endpoint, "endpoint"),
            null,
            null,
            limits);
    CompletableFuture<ProbeResult> result = attempt.probeResult();
    attempt.start();
    scheduler.schedule(timeout, () -> attempt.deadline(timeout));
    return result;
  }
}
