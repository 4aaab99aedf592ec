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

  @Override
  public void onFrame(byte[] frame) {
    frames.add(new String(frame, StandardCharsets.UTF_8));
  }

  @Override
  public void onWritabilityChanged(boolean writable) {
    writability.add(writable);
  }

  @Override
  public void onClosed(Cause cause) {
    closed.add(cause);
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
    Thread.sleep(Loopback.QUIET.toMillis()); // observe that nothing more arrives
    assertThat(closed).as("ends reported").hasSize(1);
    return closed.get(0);
  }

  static void awaitTrue(Supplier<Boolean> condition, String what) throws InterruptedException {
    long deadline = System.nanoTime() + Loopback.WAIT.toNanos();
    while (!condition.get()) {
      assertThat(System.nanoTime() - deadline).as("%s within %s", what, Loopback.WAIT).isNegative();
      Thread.sleep(Duration.ofMillis(5).toMillis());
    }
  }
}
