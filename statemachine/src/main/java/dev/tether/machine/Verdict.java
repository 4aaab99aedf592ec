package dev.tether.machine;

/**
 * What a failed attempt or a lost channel means for the connection: the classification that arrives
 * with the failure, so the machine stays pure (the runtime's {@code FailureClassifier} decides it
 * from the {@link Cause}).
 */
public enum Verdict {
  /** Worth retrying by the backoff policy: the next attempt waits its delay. */
  RETRY,
  /**
   * Worth retrying at once: if the next attempt is the first retry of its outage (reconnect attempt
   * 1, or initial attempt 2), it opens without the backoff delay; later attempts follow the policy.
   * A server that says it is restarting (WebSocket close 1012) is back soon.
   */
  RETRY_PROMPTLY,
  /**
   * Not worth retrying: the connection ends at once, {@code PermanentlyDisconnected} with {@link
   * Cause.Kind#FATAL} and the failure's message.
   */
  FATAL
}
