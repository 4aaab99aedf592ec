package dev.tether.rpc;

/**
 * A handler's registration on a stream. The last subscription of a stream to be cancelled cancels
 * the server-side subscription. Thread-safe.
 */
public interface StreamSubscription extends AutoCloseable {

  /** The stream this subscription listens to. */
  String stream();

  /**
   * Stops delivery to the handler: for a queued delivery, events still queued are discarded at
   * once, so no handler call starts after this returns (one already running finishes). Also valid
   * after the connection terminated. Idempotent.
   */
  void cancel();

  /** Same as {@link #cancel()}. */
  @Override
  default void close() {
    cancel();
  }
}
