package dev.tether.rpc;

/**
 * A snapshot of one {@link RpcConnection}'s counters. Immutable; taking one is cheap (no locks, no
 * hop onto the connection's context), so counters read in one snapshot may be a few events apart.
 *
 * @param inFlight requests sent and awaiting their answer (internal ones included): the ledger size
 * @param internalInFlight of {@code inFlight}, the connection's own requests (subscriptions,
 *     heartbeat probes, handshake hook)
 * @param waiting requests waiting for the connection (wait-for-ready, the attempt in progress,
 *     replays)
 * @param succeeded requests settled with a result
 * @param remoteErrors requests settled with a server error
 * @param timeouts requests settled by their deadline
 * @param connectionLost requests settled because the channel was lost
 * @param sendFailures requests that could not be encoded or written
 * @param notConnected requests refused because the connection was down, or because the attempt they
 *     waited for failed (see {@link FailFast})
 * @param rejected requests refused because the wait-for-ready queue was full
 * @param replayed idempotent requests sent again after a reconnect
 * @param eventsReceived stream events routed to a subscribed stream
 * @param eventsDropped stream events received but never handed to a handler, for any reason: a full
 *     queue (DROP_OLDEST / DROP_NEWEST), a rejecting executor, a {@link #backlogOverflows() backlog
 *     overflow}, a subscription cancelled with events still queued for it, or the connection's end
 * @param eventsDroppedAtEnd of {@code eventsDropped}, the events still held back or queued for a
 *     handler when the connection terminated (I4: no handler runs after the terminal event)
 * @param handlerErrors exceptions thrown by stream handlers
 * @param unroutedNotifications notifications no subscription wanted
 * @param malformedFrames frames that were not JSON-RPC (bad JSON, wrong types, wrong version)
 * @param unmatchedResponses responses whose id matched no pending request (unknown, late, or
 *     duplicate)
 * @param serverRequests requests from the server (each is answered once or dropped, I11: see {@link
 *     RpcConnectionBuilder#serve})
 * @param oversizedFrames frames over the maximum size (each one loses the channel)
 * @param resubscribeFailures (re)subscriptions the server refused
 * @param heartbeatMisses heartbeat probes that went unanswered
 * @param reconnects {@code Reconnected} events
 * @param framesIn frames received
 * @param bytesIn bytes received
 * @param framesOut frames sent
 * @param bytesOut bytes sent
 * @param backlogOverflows times the inbound backlog of a full {@link Delivery.Overflow#PAUSE} lane
 *     passed {@link RpcConnectionBuilder#maxBacklogFrames}, which happens only when the transport
 *     cannot pause reading (each drops one notification and loses the channel)
 * @param idlessErrors error responses with a null or missing id: the server refused a frame it
 *     could not tie to a request (no request settles; see {@link
 *     RpcConnectionBuilder#onIdlessError})
 * @param servedAnswers answers written to requests from the server, results and errors
 * @param servedErrors of {@code servedAnswers}, error answers: an unserved method, an invalid id or
 *     params, a handler that failed or timed out, too many requests in progress
 * @param servedDropped requests from the server whose channel was lost before their answer was
 *     written: the answer, if the handler ever finishes, is discarded, never written on a later
 *     channel (I11)
 * @param unknownTokenEvents events tagged with a server token ({@link Dialect#subscriptionToken})
 *     that no subscription of the current channel holds: unknown, cancelled, or stale from an
 *     earlier channel. Not delivered.
 */
public record ConnectionStats(
    long inFlight,
    long internalInFlight,
    long waiting,
    long succeeded,
    long remoteErrors,
    long timeouts,
    long connectionLost,
    long sendFailures,
    long notConnected,
    long rejected,
    long replayed,
    long eventsReceived,
    long eventsDropped,
    long eventsDroppedAtEnd,
    long handlerErrors,
    long unroutedNotifications,
    long malformedFrames,
    long unmatchedResponses,
    long serverRequests,
    long oversizedFrames,
    long resubscribeFailures,
    long heartbeatMisses,
    long reconnects,
    long framesIn,
    long bytesIn,
    long framesOut,
    long bytesOut,
    long backlogOverflows,
    long idlessErrors,
    long servedAnswers,
    long servedErrors,
    long servedDropped,
    long unknownTokenEvents) {

  /** Requests settled, by any outcome. */
  public long settled() {
    return succeeded
        + remoteErrors
        + timeouts
        + connectionLost
        + sendFailures
        + notConnected
        + rejected;
  }

  /** Settled requests with the given failure kind. */
  public long settledWith(RpcException.Kind kind) {
    return switch (kind) {
      case REMOTE_ERROR -> remoteErrors;
      case TIMEOUT -> timeouts;
      case CONNECTION_LOST -> connectionLost;
      case SEND_FAILED -> sendFailures;
      case NOT_CONNECTED -> notConnected;
      case REJECTED -> rejected;
    };
  }
}
