package dev.tether.stub.sim;

import dev.tether.machine.LifecycleEvent;

/**
 * A reusable invariant checker that watches a running {@link Simulation}. Each hook returns null
 * when the invariant holds, or a message describing the violation; the simulation stops at the
 * first violation and reports it with its simulated time and the events leading to it.
 *
 * <p>Hooks run on the simulation's thread, after the step that triggered them. Implement only the
 * hooks you need; layers above the connection (RPC ledgers, subscriptions) plug in their own
 * oracles this way.
 */
public interface Oracle {

  /** The invariant's id, such as {@code "I2"}. */
  String invariant();

  /**
   * A session's subscriber received {@code event}.
   *
   * @param previous the event before it, or null for the first
   * @return null, or what is wrong
   */
  default String onEvent(SessionView session, LifecycleEvent previous, LifecycleEvent event) {
    return null;
  }

  /**
   * The connection emitted {@code event}: called synchronously while it is emitted, before any
   * listener pipeline and before the connection's clean-up after a terminal event, so the session
   * shows exactly what the machine's effects left behind.
   *
   * @return null, or what is wrong
   */
  default String onEmit(SessionView session, LifecycleEvent event) {
    return null;
  }

  /**
   * A step touched the session's link (an open completed, a fault hit it).
   *
   * @return null, or what is wrong
   */
  default String onCheck(SessionView session) {
    return null;
  }

  /**
   * Liveness regime only: the network healed at {@code healedAtNanos} and the recovery bound has
   * passed.
   *
   * @return null, or what is wrong
   */
  default String afterHeal(SessionView session, long healedAtNanos) {
    return null;
  }

  /**
   * The run is over and every session has terminated (the simulation closes the survivors).
   *
   * @return null, or what is wrong
   */
  default String atEnd(SessionView session) {
    return null;
  }
}
