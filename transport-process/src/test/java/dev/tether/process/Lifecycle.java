package dev.tether.process;

import dev.tether.machine.LifecycleEvent;
import dev.tether.runtime.LifecycleQueue;
import java.time.Duration;

/** Bounded waits for a connection's lifecycle events, for tests against real children. */
final class Lifecycle {
  private Lifecycle() {}

  /**
   * Takes events from {@code events} until one of {@code type}, within {@link Children#WAIT}.
   *
   * @throws AssertionError naming the type if none came in time
   */
  static <T extends LifecycleEvent> T await(LifecycleQueue events, Class<T> type)
      throws InterruptedException {
    long deadline = System.nanoTime() + Children.WAIT.toNanos();
    for (LifecycleEvent e; System.nanoTime() < deadline; ) {
      e = events.poll(Duration.ofNanos(deadline - System.nanoTime()));
      if (type.isInstance(e)) {
        return type.cast(e);
      }
    }
    throw new AssertionError("no " + type.getSimpleName() + " within " + Children.WAIT);
  }
}
