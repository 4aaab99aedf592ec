package dev.tether.runtime;

/** A handle to a lifecycle subscription. Thread-safe. */
public interface Subscription extends AutoCloseable {

  /** Stops delivery to the listener. Idempotent; an event already being delivered completes. */
  void cancel();

  /** Same as {@link #cancel()}. */
  @Override
  default void close() {
    cancel();
  }
}
