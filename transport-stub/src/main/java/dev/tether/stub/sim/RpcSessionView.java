package dev.tether.stub.sim;

import dev.tether.rpc.ConnectionStats;
import dev.tether.rpc.RpcConnection;
import java.util.Set;

/**
 * What an {@link Oracle} may look at of a simulated RPC session ({@link SessionView#rpc()}): the
 * client, and the simulator's own books of the traffic it drove. A view, valid only during the
 * callback it is passed to, on the simulation's thread.
 */
public interface RpcSessionView {

  /** The RPC connection under test. */
  RpcConnection client();

  /** The client's counters now ({@link RpcConnection#stats()}). */
  default ConnectionStats stats() {
    return client().stats();
  }

  /** Requests the simulated application made. */
  long requestsMade();

  /** Of {@link #requestsMade()}, those whose future has not completed yet. */
  long requestsUnsettled();

  /** Requests whose future completed more than once (always 0 for a correct client). */
  long requestsSettledTwice();

  /** The streams the application listens to now (handlers registered and not cancelled). */
  Set<String> desiredStreams();

  /** The streams the server refuses to subscribe. */
  Set<String> refusedStreams();

  /**
   * The streams the server holds for the client's only open channel (one per server token for
   * server-named subscriptions, so a stream held twice shows up in {@link #serverTokensHeldTwice});
   * null if the dialect has no subscriptions or not exactly one channel is open.
   */
  Set<String> serverStreams();

  /** Streams the server holds more than one token for on the open channel (pubsub), else 0. */
  int serverTokensHeldTwice();

  /** Subscription failures reported to the refused stream's handlers so far. */
  long refusalsReported();

  /**
   * Stream events the client has read from its channels and not yet handed to a handler, dropped,
   * or counted unrouted: what it holds (R4).
   */
  long eventsHeld();

  /**
   * The bound on {@link #eventsHeld()}: each queued listener's capacity plus the one event its
   * drain has in hand, plus the RPC layer's look-ahead ({@code maxBacklogFrames / 2}), at which it
   * stops reading.
   */
  long maxEventsHeld();

  /** How {@link #eventsHeld()} is made up, in words, for a violation report. */
  String eventBooks();

  /**
   * The first problem of {@code invariant} the simulated application or server saw as it happened,
   * or null: for I7 an event of another stream or delivered twice; for I11 an answer to a request
   * never asked, on another channel, or twice; for R5 a stalled channel still open past the write
   * timeout.
   */
  String problem(String invariant);

  /** Requests the server sent to the client. */
  long serverRequestsSent();

  /** Answers the server received to its requests. */
  long serverRequestsAnswered();
}
