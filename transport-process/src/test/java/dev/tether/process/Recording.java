package dev.tether.process;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tether.machine.Cause;
import dev.tether.runtime.spi.ChannelListener;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/** A {@link ChannelListener} that records frames and the end, for bounded waits. Thread-safe. */
final class Recording implements ChannelListener {
  final LinkedBlockingQueue<String> frames = new LinkedBlockingQueue<>();
  final CompletableFuture<Cause> closed = new CompletableFuture<>();
  final AtomicInteger ends = new AtomicInteger();

  @Override
  public void onFrame(byte[] frame) {
    frames.add(new String(frame, StandardCharsets.UTF_8));
  }

  @Override
  public void onClosed(Cause cause) {
    ends.incrementAndGet();
    closed.complete(cause);
  }

  /** The next frame within {@link Children#WAIT}. */
  String next() throws InterruptedException {
    String f = frames.poll(Children.WAIT.toMillis(), TimeUnit.MILLISECONDS);
    assertThat(f).as("a frame within %s", Children.WAIT).isNotNull();
    return f;
  }

  /** The channel's end within {@link Children#WAIT}. */
  Cause end() throws Exception {
    return closed.get(Children.WAIT.toMillis(), TimeUnit.MILLISECONDS);
  }
}
