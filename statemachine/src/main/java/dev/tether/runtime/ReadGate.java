package dev.tether.runtime;

import dev.tether.runtime.spi.Channel;

/**
 * Read backpressure for one channel (R4): pauses the channel's reading while the frames it handed
 * over and the connection's context has not handled yet reach {@link #MAX_HOPPED_FRAMES}, or while
 * the protocol layer above holds reading ({@link Connection#pauseReading()}); resumes when the hop
 * queue is down to {@link #RESUME_HOPPED_FRAMES} and nothing holds it.
 *
 * <p>Thread-safe: {@link #arrived()} runs on the transport's thread, the rest on the connection's
 * context. Each decision and the call that carries it out are made under one lock, so a pause
 * decided on one thread cannot overtake a resume decided on another. The channel may deliver frames
 * inline from {@code resumeReading()}; they re-enter on the same thread and see the state already
 * updated.
 */
final class ReadGate {
  /**
   * Frames hopped to a context that is not the transport's (the connection's own thread, another
   * event loop) and not yet handled, at which reading stops. A few hundred keep the context busy
   * across a scheduling hiccup; at the default 16 MiB frame limit this is still the only thing
   * standing between a flood and the heap, so it stays small.
   */
  static final int MAX_HOPPED_FRAMES = 256;

  /** Reading resumes when the hop queue is down to this: half, so it does not flap per frame. */
  static final int RESUME_HOPPED_FRAMES = MAX_HOPPED_FRAMES / 2;

  private Channel channel; // null until the open completes
  private int hopped;
  private boolean hopFull;
  private boolean held;
  private boolean paused; // what the channel was last told

  /** The channel opened: carry out what was decided before it existed. */
  synchronized void attach(Channel opened) {
    channel = opened;
    apply();
  }

  /** A frame was handed over for a hop to the context. On the transport's thread. */
  synchronized void arrived() {
    hopped++;
    apply();
  }

  /** A hopped frame was handled (or dropped) on the context. */
  synchronized void handled() {
    hopped--;
    apply();
  }

  /** Whether the protocol layer above holds reading. */
  synchronized void hold(boolean on) {
    held = on;
    apply();
  }

  /** Frames hopped and not yet handled. */
  synchronized int hopped() {
    return hopped;
  }

  /** Whether the channel was told to pause and not yet to resume. */
  synchronized boolean paused() {
    return paused;
  }

  private void apply() {
    if (hopped >= MAX_HOPPED_FRAMES) {
      hopFull = true;
    } else if (hopped <= RESUME_HOPPED_FRAMES) {
      hopFull = false;
    }
    boolean want = held || hopFull;
    if (want == paused || channel == null) {
      return;
    }
    paused = want; // before the call: frames it delivers inline re-enter and must see it
    if (want) {
      channel.pauseReading();
    } else {
      channel.resumeReading();
    }
  }
}
