package dev.tether.session;

import dev.tether.machine.ConnectionState;
import java.util.OptionalLong;

/**
 * One session (one run of a remote process) in the model.
 *
 * @param id the session id
 * @param order when it was added, for eviction of the oldest
 * @param generation the current connection run
 * @param status its connection's current state
 * @param lastEpoch the highest connected epoch seen in this run (0 before)
 * @param stopped whether the remote process stopped
 * @param telemetry accumulated telemetry
 * @param staleSamplesDropped samples dropped because they came from another epoch's poller
 */
public record Session(
    String id,
    long order,
    long generation,
    ConnectionState status,
    long lastEpoch,
    boolean stopped,
    Telemetry telemetry,
    long staleSamplesDropped) {

  /**
   * The epoch of this session's poller, derived: a poller runs exactly while the session is
   * connected and not stopped, and belongs to that epoch (S3). There is no second slot.
   */
  public OptionalLong pollerEpoch() {
    if (!stopped && status instanceof ConnectionState.Connected c) {
      return OptionalLong.of(c.epoch());
    }
    return OptionalLong.empty();
  }

  Session withStatus(ConnectionState s, long epoch, Telemetry t) {
    return new Session(id, order, generation, s, epoch, stopped, t, staleSamplesDropped);
  }

  Session withTelemetry(Telemetry t) {
    return new Session(id, order, generation, status, lastEpoch, stopped, t, staleSamplesDropped);
  }

  Session withStaleDrop() {
    return new Session(
        id, order, generation, status, lastEpoch, stopped, telemetry, staleSamplesDropped + 1);
  }

  Session withStopped() {
    return new Session(
        id, order, generation, status, lastEpoch, true, telemetry, staleSamplesDropped);
  }

  Session restarted(long newGeneration) {
    return new Session(
        id,
        order,
        newGeneration,
        new ConnectionState.Idle(),
        0,
        false,
        telemetry,
        staleSamplesDropped);
  }
}
