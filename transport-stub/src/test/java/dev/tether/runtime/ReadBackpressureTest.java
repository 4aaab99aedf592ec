package dev.tether.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tether.runtime.spi.Channel;
import dev.tether.runtime.spi.ChannelListener;
import dev.tether.runtime.spi.Scheduler;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.junit.jupiter.api.Test;

/**
 * The driver's read backpressure (R4): frames a transport hands over off the connection's context
 * wait in the hop queue; at {@link ReadGate#MAX_HOPPED_FRAMES} the channel is told to stop reading,
 * and at {@link ReadGate#RESUME_HOPPED_FRAMES} to read again; {@link Connection#pauseReading()}
 * holds every channel, the next one included.
 */
class ReadBackpressureTest {
  private final ManualScheduler scheduler = new ManualScheduler();
  private final List<ChannelListener> listeners = new ArrayList<>();
  private final List<ReadChannel> channels = new ArrayList<>();
  private final List<byte[]> handled = new ArrayList<>();
  private final Connection connection =
      Connection.builder()
          .transport(this::open)
          .endpoint(URI.create("test://flood"))
          .scheduler(scheduler)
          .frameListener((epoch, frame) -> handled.add(frame))
          .build();

  private CompletionStage<Channel> open(URI uri, ChannelListener listener) {
    ReadChannel ch = new ReadChannel();
    listeners.add(listener);
    channels.add(ch);
    return CompletableFuture.completedFuture(ch);
  }

  private ChannelListener connect() {
    connection.start();
    scheduler.runAll();
    return listeners.get(listeners.size() - 1);
  }

  /** The transport's thread: frames arrive while the connection's context is busy elsewhere. */
  private static void flood(ChannelListener transport, int frames) {
    for (int i = 0; i < frames; i++) {
      transport.onFrame(new byte[] {(byte) i});
    }
  }

  @Test
  void slowHandlerOnOwnThreadStopsReadingAtTheHopBound() {
    ChannelListener transport = connect();
    ReadChannel ch = channels.get(0);
    flood(transport, ReadGate.MAX_HOPPED_FRAMES - 1);
    assertThat(ch.paused).isFalse();
    flood(transport, 1);
    assertThat(ch.paused).as("paused at the bound").isTrue();
    assertThat(ch.pauses).isEqualTo(1);
    scheduler.run(ReadGate.MAX_HOPPED_FRAMES - ReadGate.RESUME_HOPPED_FRAMES - 1);
    assertThat(ch.paused).as("still over the resume mark").isTrue();
    scheduler.run(1);
    assertThat(ch.paused).as("resumed at half").isFalse();
    scheduler.runAll();
    assertThat(handled).hasSize(ReadGate.MAX_HOPPED_FRAMES);
    assertThat(ch.pauses).isEqualTo(1);
  }

  @Test
  void framesOnTheContextAreHandledInlineWithoutPausing() {
    ChannelListener transport = connect();
    scheduler.inContext = true;
    flood(transport, 2 * ReadGate.MAX_HOPPED_FRAMES);
    scheduler.inContext = false;
    assertThat(handled).hasSize(2 * ReadGate.MAX_HOPPED_FRAMES);
    assertThat(channels.get(0).pauses).isZero();
  }

  @Test
  void pauseReadingHoldsTheChannelAndTheNextOne() {
    ChannelListener transport = connect();
    connection.pauseReading();
    scheduler.runAll();
    assertThat(channels.get(0).paused).isTrue();
    flood(transport, ReadGate.MAX_HOPPED_FRAMES);
    scheduler.runAll();
    assertThat(channels.get(0).paused).as("the hop queue drained, the hold stays").isTrue();
    transport.onClosed(
        dev.tether.machine.Cause.of(dev.tether.machine.Cause.Kind.CHANNEL_CLOSED, "x"));
    scheduler.runAll();
    scheduler.runTimers();
    assertThat(channels).hasSize(2);
    assertThat(channels.get(1).paused).as("the new channel starts held").isTrue();
    connection.resumeReading();
    scheduler.runAll();
    assertThat(channels.get(1).paused).isFalse();
  }

  /** A channel that records what it was told about reading. */
  static final class ReadChannel implements Channel {
    boolean paused;
    int pauses;

    @Override
    public CompletionStage<Void> send(byte[] frame) {
      return CompletableFuture.completedFuture(null);
    }

    @Override
    public boolean writable() {
      return true;
    }

    @Override
    public void close() {}

    @Override
    public void pauseReading() {
      if (!paused) {
        pauses++;
      }
      paused = true;
    }

    @Override
    public void resumeReading() {
      paused = false;
    }
  }

  /** Runs tasks only when told; in context only while running them (or when a test says so). */
  static final class ManualScheduler implements Scheduler {
    private final ArrayDeque<Runnable> tasks = new ArrayDeque<>();
    private final List<Runnable> timers = new ArrayList<>();
    boolean inContext;

    @Override
    public long nanoTime() {
      return 0;
    }

    @Override
    public void execute(Runnable task) {
      tasks.add(task);
    }

    @Override
    public Cancellable schedule(Duration delay, Runnable task) {
      timers.add(task);
      return () -> timers.remove(task);
    }

    @Override
    public boolean inContext() {
      return inContext;
    }

    void run(int n) {
      for (int i = 0; i < n && !tasks.isEmpty(); i++) {
        inContext = true;
        try {
          tasks.poll().run();
        } finally {
          inContext = false;
        }
      }
    }

    void runAll() {
      run(Integer.MAX_VALUE);
    }

    /** Fires the timers once (a backoff), then the tasks they queued. */
    void runTimers() {
      for (Runnable t : new ArrayList<>(timers)) {
        timers.remove(t);
        inContext = true;
        try {
          t.run();
        } finally {
          inContext = false;
        }
      }
      runAll();
    }
  }
}
