package dev.tether.stub.sim;

import dev.tether.machine.BackoffPolicy;
import dev.tether.machine.LifecycleEvent;
import dev.tether.runtime.Connection;
import dev.tether.stub.StubEndpoint;
import java.util.Optional;

/**
 * What an {@link Oracle} may look at of one simulated session. A view, valid only during the
 * callback it is passed to, on the simulation's thread.
 */
public interface SessionView {

  /** The session's index, 0-based. */
  int index();

  /** The connection under test. */
  Connection connection();

  /** The backoff policy the connection was built with. */
  BackoffPolicy policy();

  /** The simulated server the connection talks to. */
  StubEndpoint endpoint();

  /** The current simulated time in nanoseconds. */
  long nowNanos();

  /** The last event the session's subscriber received, or null if none yet. */
  LifecycleEvent lastEvent();

  /** How many terminal events the session's subscriber has received. */
  int terminalEvents();

  /**
   * Timers the connection has started and neither run nor cancelled. The connection starts one per
   * {@code StartTimer} effect of its machine and cancels it per {@code CancelTimer}, so during
   * {@link Oracle#onEmit} of a terminal event this counts the timers the machine leaked.
   */
  int liveTimers();

  /** Frames the simulated client's consumer holds, received and not yet handled. */
  int framesHeld();

  /** The bound on {@link #framesHeld()}: at it, the client stops reading (R4). */
  int maxFramesHeld();

  /** Times the simulated client stopped reading because its consumer fell behind. */
  long readPauses();

  /** The session's RPC side, if it is an RPC session ({@link Simulation.Builder#rpc}). */
  default Optional<RpcSessionView> rpc() {
    return Optional.empty();
  }
}
