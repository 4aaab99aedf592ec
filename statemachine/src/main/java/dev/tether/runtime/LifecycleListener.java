package dev.tether.runtime;

import dev.tether.machine.LifecycleEvent;

/**
 * Receives a connection's lifecycle events, on the connection's context, one at a time.
 *
 * <p>A listener must not block: it runs on the connection's context. Hand events to another thread
 * with a {@link LifecycleQueue}. A listener that throws is logged and isolated; the others still
 * receive the event (R2).
 */
@FunctionalInterface
public interface LifecycleListener {

  /** Called for each event; the first call replays the event that led to the current state. */
  void onEvent(LifecycleEvent event);
}
