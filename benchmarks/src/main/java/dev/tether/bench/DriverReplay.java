package dev.tether.bench;

import dev.tether.machine.ConnectionState;
import dev.tether.runtime.Connection;
import dev.tether.runtime.spi.Channel;
import dev.tether.runtime.spi.ChannelListener;
import dev.tether.runtime.spi.Scheduler;
import dev.tether.runtime.spi.Transport;
import java.net.ConnectException;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Consumer;

/**
 * B1 with effects: the {@link InputTrace} replayed through Tether's runtime (a {@link Connection},
 * its driver performing every effect: channels opened and closed, timers armed and cancelled,
 * lifecycle events delivered to a listener) against a stub transport whose opens are answered as
 * the trace says, on a scheduler that runs everything inline and fires a timer when the trace says
 * it elapsed. No I/O and no threads, so what is measured is the driver's own work; a fresh
 * connection per replay (its construction is part of the cost). Confined to one thread.
 */
final class DriverReplay {
  private static final URI ENDPOINT = URI.create("stub://bench");
  private static final Channel CHANNEL = new StubChannel();

  private final InputTrace trace;
  private final InlineScheduler scheduler = new InlineScheduler();
  private final ScriptedTransport transport = new ScriptedTransport();

  /** The trace's refused open: one exception for every replay, so none pays for a stack trace. */
  private final ConnectException refused = new ConnectException("refused");

  private int events;

  DriverReplay(InputTrace trace) {
    this.trace = trace;
    refused.setStackTrace(new StackTraceElement[0]);
  }

  /**
   * Replays the trace; returns the number of lifecycle events the listener received. Does not read
   * the connection's state after each input (a read is not a transition, and {@code state()} is
   * derived when read): the other rows read none either, or a field (stateless4j).
   */
  int replay() {
    return replay(null);
  }

  /**
   * Replays the trace, telling {@code visit}, if not null, the connection's state after each input.
   */
  int replay(Consumer<ConnectionState> visit) {
    events = 0;
    scheduler.reset();
    transport.reset();
    Connection c =
        Connection.builder()
            .transport(transport)
            .endpoint(ENDPOINT)
            .scheduler(scheduler)
            .policy(trace.policy)
            .build();
    c.subscribe(e -> events++);
    for (InputTrace.Kind k : trace.kinds) {
      apply(c, k);
      if (visit != null) {
        visit.accept(c.state());
      }
    }
    return events;
  }

  private void apply(Connection c, InputTrace.Kind kind) {
    switch (kind) {
      case START -> c.start();
      case OPENED -> transport.pending.complete(CHANNEL);
      case OPEN_FAILED -> transport.pending.completeExceptionally(refused);
      case TIMEOUT, BACKOFF -> scheduler.fireLatest();
      case LOST -> transport.current().onClosed(InputTrace.LOST);
      case STALE -> transport.stale().onClosed(InputTrace.LOST);
      case CLOSE -> c.close("end of trace");
    }
  }

  /**
   * Opens wait for the trace; remembers the latest two attempts' listeners for losses and stale
   * calls (the trace needs no older one; a list of every attempt's cost the driver row ≈ 4 % of its
   * samples).
   */
  private static final class ScriptedTransport implements Transport {
    CompletableFuture<Channel> pending;
    private ChannelListener current;
    private ChannelListener previous;

    void reset() {
      pending = null;
      current = null;
      previous = null;
    }

    @Override
    public CompletionStage<Channel> open(URI endpoint, ChannelListener listener) {
      previous = current;
      current = listener;
      pending = new CompletableFuture<>();
      return pending;
    }

    ChannelListener current() {
      return current;
    }

    /** A listener of an earlier attempt (its callbacks are late); the current one if none. */
    ChannelListener stale() {
      return previous != null ? previous : current;
    }
  }

  /** Runs tasks inline; keeps armed timers until the trace fires the latest one. */
  private static final class InlineScheduler implements Scheduler {
    private final List<Runnable> armed = new ArrayList<>(4);
    private long now;

    void reset() {
      armed.clear();
      now = 0;
    }

    void fireLatest() {
      armed.remove(armed.size() - 1).run();
    }

    @Override
    public long nanoTime() {
      return now += 1_000;
    }

    @Override
    public void execute(Runnable task) {
      task.run();
    }

    @Override
    public Cancellable schedule(Duration delay, Runnable task) {
      armed.add(task);
      return () -> armed.remove(task);
    }

    @Override
    public boolean inContext() {
      return true;
    }
  }

  /** A channel whose writes complete at once and whose close does nothing. */
  private static final class StubChannel implements Channel {
    private static final CompletionStage<Void> DONE = CompletableFuture.completedStage(null);

    @Override
    public CompletionStage<Void> send(byte[] frame) {
      return DONE;
    }

    @Override
    public boolean writable() {
      return true;
    }

    @Override
    public void close() {}
  }
}
