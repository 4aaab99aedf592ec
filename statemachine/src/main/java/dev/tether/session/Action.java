package dev.tether.session;

/** What the model asks its runtime to do. */
public sealed interface Action {

  /**
   * Create and start a connection for the session's run {@code generation}.
   *
   * @param session the session id
   * @param generation numbers the session's runs; lifecycle messages carry it back
   */
  record Connect(String session, long generation) implements Action {}

  /**
   * Close the session's connection of run {@code generation}.
   *
   * @param session the session id
   * @param generation the run
   */
  record Disconnect(String session, long generation) implements Action {}

  /**
   * Start polling telemetry for the connection epoch {@code epoch}. Always preceded by a {@link
   * StopPoller} for any other poller of the session (S3).
   *
   * @param session the session id
   * @param epoch the connected epoch the poller belongs to
   */
  record StartPoller(String session, long epoch) implements Action {}

  /**
   * Stop the poller of {@code epoch}.
   *
   * @param session the session id
   * @param epoch the poller's epoch
   */
  record StopPoller(String session, long epoch) implements Action {}

  /**
   * Collect one round of telemetry through the session's connection.
   *
   * @param session the session id
   * @param epoch the poller's epoch, to tag the samples with
   */
  record Poll(String session, long epoch) implements Action {}

  /**
   * A message was refused; nothing changed.
   *
   * @param msg the message
   * @param reason why, for people
   */
  record Rejected(Msg msg, String reason) implements Action {}
}
