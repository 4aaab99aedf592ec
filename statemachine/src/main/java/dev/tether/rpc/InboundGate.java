package dev.tether.rpc;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayDeque;
import java.util.function.Consumer;

/**
 * Inbound flow control of the RPC layer (R4). While a {@link Delivery.Overflow#PAUSE} lane is full,
 * stream notifications (of every stream, so their order holds) are parked here, in order, and
 * answers to requests keep flowing. Reading goes on while fewer than {@link #lookAhead()}
 * notifications are parked: a window in which answers behind events are read at once. At the
 * look-ahead the connection stops reading ({@code pauseReading}), so TCP pushes the server back; it
 * reads again once the consumer has drained the parked notifications to half the look-ahead.
 *
 * <p>{@link #maxParked()} is the last-resort bound, for a transport that cannot pause: past it
 * {@link #park} refuses, and the caller ends the channel. It is never reached with a transport that
 * pauses, which keeps at most a read's worth of frames coming after the pause.
 *
 * <p>Confined to the connection's context.
 */
final class InboundGate {
  /**
   * Default look-ahead: notifications parked before reading stops. A second or two of a slow
   * consumer's work at typical event sizes, small enough that the parked frames stay a few MiB.
   */
  static final int LOOK_AHEAD_FRAMES = 1024;

  // Created at the first park: most connections never park (B5: 48 B per connection without).
  private ArrayDeque<ObjectNode> parked;
  private final int maxParked;
  private final Reading reading;
  private int fullLanes;
  private boolean readingPaused;
  private long pauses;

  /**
   * @param maxParked the last-resort bound ({@code maxBacklogFrames}); the look-ahead is {@link
   *     #LOOK_AHEAD_FRAMES}, or half of it when it is smaller, so frames a transport delivers after
   *     the pause have room
   * @param reading stops and resumes the connection's reading
   */
  InboundGate(int maxParked, Reading reading) {
    this.maxParked = maxParked;
    this.reading = reading;
  }

  /**
   * Stops and resumes the connection's reading. An interface rather than two {@code Runnable}s, so
   * that a connection's own object ({@link Link}) does it without two lambdas per connection (B5).
   */
  interface Reading {
    void pauseReading();

    void resumeReading();
  }

  /** Notifications parked before reading stops. */
  int lookAhead() {
    return Math.max(1, Math.min(LOOK_AHEAD_FRAMES, maxParked / 2));
  }

  /** The last-resort bound on parked notifications. */
  int maxParked() {
    return maxParked;
  }

  /** Notifications parked now. */
  int parked() {
    return parked == null ? 0 : parked.size();
  }

  /** Whether reading is paused by this gate. */
  boolean readingPaused() {
    return readingPaused;
  }

  /** How many times this gate paused reading. */
  long pauses() {
    return pauses;
  }

  /** Whether a new notification must be parked: a lane is full, or older ones wait. */
  boolean holdsBack() {
    return fullLanes > 0 || parked() > 0;
  }

  /**
   * Parks {@code notification} behind the others; stops reading at the look-ahead.
   *
   * @return false, parking nothing, if the last-resort bound is reached
   */
  boolean park(ObjectNode notification) {
    if (parked() >= maxParked) {
      return false;
    }
    if (parked == null) {
      parked = new ArrayDeque<>(1);
    }
    parked.addLast(notification);
    if (parked.size() >= lookAhead() && !readingPaused) {
      readingPaused = true;
      pauses++;
      reading.pauseReading();
    }
    return true;
  }

  /** A {@code PAUSE} lane became full. */
  void laneFull() {
    fullLanes++;
  }

  /**
   * A full lane got room: hands parked notifications to {@code deliver}, oldest first, until a lane
   * is full again or none is left; resumes reading when the parked ones are down to half the
   * look-ahead.
   */
  void laneHasRoom(Consumer<ObjectNode> deliver) {
    fullLanes--;
    while (fullLanes == 0 && parked() > 0) {
      deliver.accept(parked.pollFirst());
    }
    if (readingPaused && parked() <= lookAhead() / 2) {
      readingPaused = false;
      reading.resumeReading(); // last: the transport may deliver frames inline, re-entering here
    }
  }

  /** Discards the parked notifications (the connection ended); returns how many. */
  int clear() {
    int n = parked();
    parked = null;
    return n;
  }
}
