package dev.tether.session;

import dev.tether.machine.LifecycleEvent;
import java.util.Objects;

/** What can happen to the multi-session model. */
public sealed interface Msg {

  /** The session this message is about. */
  String session();

  /**
   * A session was added (a remote process started); re-adding a stopped session starts a new run.
   *
   * @param session the session id
   */
  record Added(String session) implements Msg {
    /** Validates the id. */
    public Added {
      SessionsModel.checkId(session);
    }
  }

  /**
   * The session's remote process stopped; the session is kept (with its telemetry) until evicted.
   *
   * @param session the session id
   */
  record Stopped(String session) implements Msg {}

  /**
   * The session is removed.
   *
   * @param session the session id
   */
  record Removed(String session) implements Msg {}

  /**
   * The user made this session the active one.
   *
   * @param session the session id
   */
  record Activate(String session) implements Msg {}

  /**
   * A lifecycle event of the session's connection.
   *
   * @param session the session id
   * @param generation the connection run it came from (see {@link Action.Connect})
   * @param event the event
   */
  record Lifecycle(String session, long generation, LifecycleEvent event) implements Msg {
    /** Validates the event. */
    public Lifecycle {
      Objects.requireNonNull(event, "event");
    }
  }

  /**
   * A telemetry sample, tagged with the epoch of the poller that collected it.
   *
   * @param session the session id
   * @param epoch the collecting poller's epoch
   * @param sample the sample
   */
  record Sample(String session, long epoch, TelemetrySample sample) implements Msg {
    /** Validates the sample. */
    public Sample {
      Objects.requireNonNull(sample, "sample");
    }
  }

  /**
   * The poller of {@code epoch} is due to poll.
   *
   * @param session the session id
   * @param epoch the poller's epoch
   */
  record PollerTick(String session, long epoch) implements Msg {}
}
