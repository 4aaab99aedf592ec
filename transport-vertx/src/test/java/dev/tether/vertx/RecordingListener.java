package dev.tether.vertx;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tether.machine.Cause;
import dev.tether.runtime.spi.ChannelListener;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/** A {@link ChannelListener} that records everything, for bounded waits. Thread-safe. */
final class RecordingListener implements ChannelListener {
  final LinkedBlockingQueue<String> frames = new LinkedBlockingQueue<>();
  final List<Cause> closed = new CopyOnWriteArrayList<>();
  final List<Boolean> writability = new CopyOnWriteArrayList<>();

  /** Signalled on every callback, so waits on this listener's state wake at once. */
  private static final Object SIGNAL = new Object();

  @Override
  public void onFrame(byte[] frame) {
    frames.add(new String(frame, StandardCharsets.UTF_8));
    signal();
  }

  @Override
  public void onWritabilityChanged(boolean writable) {
    writability.add(writable);
    signal();
  }

  @Override
  public void onClosed(Cause cause) {
    closed.add(cause);
    signal();
  }

  private static void signal() {
    synchronized (SIGNAL) {
      SIGNAL.notifyAll();
    }
  }

  /** Whether the channel ends within {@code limit}: a bounded wait for the end itself. */
  boolean endsWithin(Duration limit) throws InterruptedException {
    return within(() -> !closed.isEmpty(), limit);
  }

  /** The next frame within {@link Loopback#WAIT}. */
  String nextFrame() throws InterruptedException {
    String f = frames.poll(Loopback.WAIT.toMillis(), TimeUnit.MILLISECONDS);
    assertThat(f).as("a frame within %s", Loopback.WAIT).isNotNull();
    return f;
  }

  /**
   * Waits for the channel's end, then watches {@link Loopback#QUIET} more to make sure no second
   * end is reported.
   */
  Cause awaitSingleEnd() throws InterruptedException {
    awaitTrue(() -> !closed.isEmpty(), "channel end");
    assertThat(within(() -> closed.size() > 1, Loopback.QUIET))
        .as("a second end within %s", Loopback.QUIET)
        .isFalse();
    return closed.get(0);
  }

  static void awaitTrue(Supplier<Boolean> condition, String what) throws InterruptedException {
    assertThat(within(condition, Loopback.WAIT)).as("%s within %s", what, Loopback.WAIT).isTrue();
  }

  /**
   * Waits until {@code condition} holds or {@code limit} passes; returns whether it holds. Wakes on
   * every listener callback, and re-checks every {@link #RECHECK} for conditions no listener
   * signals (such as a server's connection count).
   */
  static boolean within(Supplier<Boolean> condition, Duration limit) throws InterruptedException {
    long deadline = System.nanoTime() + limit.toNanos();
    synchronized (SIGNAL) {
      while (!condition.get()) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          return false;
        }
        SIGNAL.wait(Math.max(1, Math.min(RECHECK.toMillis(), left / 1_000_000)));
      }
      return true;
    }
  }

  /** Longest time between checks of a condition that no callback signals. */
  static final Duration RECHECK = Duration.ofMillis(5);
}
