package dev.tether.session;

/**
 * Bounds of the multi-session model. Defaults follow the tool Tether grew from: 9 sessions, 60
 * memory samples, 50 GC events, 300 frame timings.
 *
 * @param maxSessions most sessions held at once (S5)
 * @param memorySamples memory ring size
 * @param gcEvents GC ring size
 * @param frameTimings frame ring size
 */
public record SessionsConfig(int maxSessions, int memorySamples, int gcEvents, int frameTimings) {

  /** Default maximum number of sessions. */
  public static final int DEFAULT_MAX_SESSIONS = 9;

  /** Validates the bounds. */
  public SessionsConfig {
    positive("maxSessions", maxSessions);
    positive("memorySamples", memorySamples);
    positive("gcEvents", gcEvents);
    positive("frameTimings", frameTimings);
  }

  /** The defaults (9, 60, 50, 300). */
  public static SessionsConfig defaults() {
    return new SessionsConfig(DEFAULT_MAX_SESSIONS, 60, 50, 300);
  }

  private static void positive(String name, int value) {
    if (value < 1) {
      throw new IllegalArgumentException(name + " must be >= 1, was " + value);
    }
  }
}
