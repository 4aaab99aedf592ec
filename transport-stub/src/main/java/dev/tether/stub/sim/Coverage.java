package dev.tether.stub.sim;

/**
 * How often a run reached the situations that matter for reconnect bugs. A harness fails when a
 * category it relies on is never reached, so a fault plan that stopped exercising something is
 * noticed.
 *
 * @param permanentlyDisconnected sessions that ran out of retries
 * @param closedByUser sessions closed by a {@code close} fault
 * @param reconnected Reconnected events
 * @param highAttempts attempt events with attempt number ≥ {@link #HIGH_ATTEMPT}
 * @param closeDuringBackoff closes that hit a session while it waited out a backoff delay
 * @param staleCallbacks open completions that arrived after the attempt was given up (too late, or
 *     after close), which the connection had to ignore
 * @param halfOpen channels made half-open
 * @param slowReaderFrames frames a slow-reading server read late
 * @param writesBlocked times the simulated writer found its channel not writable (backpressure)
 * @param flapping sessions the flap guard ended (PermanentlyDisconnected with cause FLAPPING, I10);
 *     also counted in {@code permanentlyDisconnected}
 * @param abandonedOpens opens the client gave up (attempt timed out, closed, superseded, or the
 *     connection ended) before the server answered: answered later, or never (a hung server)
 * @param lateAcceptsClosed of those, the ones the server accepted later and the client closed at
 *     once (I4)
 */
public record Coverage(
    long permanentlyDisconnected,
    long closedByUser,
    long reconnected,
    long highAttempts,
    long closeDuringBackoff,
    long staleCallbacks,
    long halfOpen,
    long slowReaderFrames,
    long writesBlocked,
    long flapping,
    long abandonedOpens,
    long lateAcceptsClosed) {

  /** The attempt number that counts as a high attempt count: most of the default budget of 10. */
  public static final int HIGH_ATTEMPT = 8;

  /** Adds two coverages, for statistics over many runs. */
  public Coverage plus(Coverage o) {
    return new Coverage(
        permanentlyDisconnected + o.permanentlyDisconnected,
        closedByUser + o.closedByUser,
        reconnected + o.reconnected,
        highAttempts + o.highAttempts,
        closeDuringBackoff + o.closeDuringBackoff,
        staleCallbacks + o.staleCallbacks,
        halfOpen + o.halfOpen,
        slowReaderFrames + o.slowReaderFrames,
        writesBlocked + o.writesBlocked,
        flapping + o.flapping,
        abandonedOpens + o.abandonedOpens,
        lateAcceptsClosed + o.lateAcceptsClosed);
  }

  /** All zero. */
  public static Coverage zero() {
    return new Coverage(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);
  }
}
