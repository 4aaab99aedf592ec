package dev.tether.micrometer;

import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.ArrayList;
import java.util.List;

/**
 * The meters one {@link TetherMetrics#bind bind} registered. {@link #close()} removes them from the
 * registry; a connection's binding does so by itself at the terminal event, so meters never outlive
 * what they measure. Thread-safe.
 */
public final class MetricsBinding implements AutoCloseable {
  private final MeterRegistry registry;
  private final List<Meter> meters = new ArrayList<>();
  private final List<AutoCloseable> hooks = new ArrayList<>();
  private boolean closed;

  MetricsBinding(MeterRegistry registry) {
    this.registry = registry;
  }

  /** Registers {@code meter} with this binding; removes it at once if the binding is closed. */
  synchronized <M extends Meter> M add(M meter) {
    meters.add(meter);
    if (closed) {
      registry.remove(meter);
    }
    return meter;
  }

  /** A listener registration to cancel when the binding closes. */
  synchronized void onClose(AutoCloseable hook) {
    hooks.add(hook);
  }

  /** The meters bound now (a copy); empty once closed. */
  public synchronized List<Meter> meters() {
    return closed ? List.of() : List.copyOf(meters);
  }

  /** Whether the meters were removed. */
  public synchronized boolean isClosed() {
    return closed;
  }

  /** Removes the meters and stops listening. Idempotent. */
  @Override
  public void close() {
    List<Meter> removed;
    List<AutoCloseable> cancelled;
    synchronized (this) {
      if (closed) {
        return;
      }
      closed = true;
      removed = new ArrayList<>(meters);
      cancelled = new ArrayList<>(hooks);
      meters.clear();
      hooks.clear();
    }
    removed.forEach(registry::remove);
    for (AutoCloseable hook : cancelled) {
      try {
        hook.close();
      } catch (Exception e) {
        throw new IllegalStateException("could not cancel a listener of the binding", e);
      }
    }
  }
}
