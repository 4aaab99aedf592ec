package dev.tether.session;

/**
 * A session's accumulated telemetry in bounded ring buffers. Survives reconnects (S2).
 *
 * @param memory heap samples
 * @param gc garbage collections
 * @param frames frame timings
 */
public record Telemetry(
    Ring<TelemetrySample.Memory> memory,
    Ring<TelemetrySample.Gc> gc,
    Ring<TelemetrySample.Frame> frames) {

  /** Empty buffers sized by {@code config}. */
  public static Telemetry empty(SessionsConfig config) {
    return new Telemetry(
        Ring.empty(config.memorySamples()),
        Ring.empty(config.gcEvents()),
        Ring.empty(config.frameTimings()));
  }

  /** These buffers with {@code sample} added to the matching one. */
  public Telemetry with(TelemetrySample sample) {
    if (sample instanceof TelemetrySample.Memory m) {
      return new Telemetry(memory.add(m), gc, frames);
    } else if (sample instanceof TelemetrySample.Gc g) {
      return new Telemetry(memory, gc.add(g), frames);
    } else if (sample instanceof TelemetrySample.Frame f) {
      return new Telemetry(memory, gc, frames.add(f));
    }
    throw new AssertionError("unknown sample " + sample);
  }

  /** Total number of samples kept. */
  public int size() {
    return memory.size() + gc.size() + frames.size();
  }
}
