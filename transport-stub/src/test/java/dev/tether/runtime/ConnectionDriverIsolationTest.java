package dev.tether.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tether.machine.Cause;
import dev.tether.machine.ConnectionState;
import dev.tether.machine.Effect;
import dev.tether.machine.Input;
import dev.tether.machine.LifecycleEvent;
import dev.tether.machine.Transition;
import dev.tether.runtime.ConnectionDriverTest.ManualTransport;
import dev.tether.runtime.ConnectionDriverTest.NullChannel;
import dev.tether.runtime.spi.Scheduler;
import dev.tether.stub.StubEndpoint;
import dev.tether.stub.StubNetwork;
import dev.tether.stub.VirtualScheduler;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;

/**
 * The driver performs each effect on its own (I1): a {@link dev.tether.runtime.spi.Channel} or
 * {@link Scheduler} call that throws is counted and skipped, and the effects after it, above all
 * the terminal event, still happen. Subscriptions changed while an event is being delivered take
 * effect at once. And what the machine leaks at termination, the driver releases (I4).
 */
class ConnectionDriverIsolationTest {
  static final URI SERVER = URI.create("stub://server");
  static final Duration LONG = Duration.ofHours(1);
  static final Cause STALE = Cause.of(Cause.Kind.HEARTBEAT_MISSED, "3 probes unanswered");

  final VirtualScheduler clock = new VirtualScheduler();
  final StubNetwork network = new StubNetwork(clock);
  final StubEndpoint server = network.endpoint(SERVER);
  final ManualTransport manual = new ManualTransport();
  final List<LifecycleEvent> events = new ArrayList<>();

  /** A channel whose close() throws, as a transport bug or an already-failed socket might. */
  static final class ThrowingCloseChannel extends NullChannel {
    int closeCalls;

    @Override
    public void close() {
      closeCalls++;
      throw new IllegalStateException("close failed: socket already broken");
    }
  }

  /**
   * The virtual clock, except that cancelling or scheduling a timer may throw, or a cancel may come
   * too late to stop the task.
   */
  static final class FaultyScheduler implements Scheduler {
    final VirtualScheduler clock;
    boolean cancelThrows;
    boolean scheduleThrows;
    boolean cancelTooLate; // the task had started: it runs anyway, and cancel answers false

    FaultyScheduler(VirtualScheduler clock) {
      this.clock = clock;
    }

    @Override
    public long nanoTime() {
      return clock.nanoTime();
    }

    @Override
    public void execute(Runnable task) {
      clock.execute(task);
    }

    @Override
    public Cancellable schedule(Duration delay, Runnable task) {
      if (scheduleThrows) {
        throw new RejectedExecutionException("timer queue full");
      }
      Cancellable real = clock.schedule(delay, task);
      return () -> {
        if (cancelThrows) {
          // Worst case: the timer stays live, so it still fires later.
          throw new IllegalStateException("cancel failed");
        }
        return !cancelTooLate && real.cancel();
      };
    }

    @Override
    public boolean inContext() {
      return clock.inContext();
    }
  }

  Connection build(ConnectionBuilder builder) {
    Connection c = builder.endpoint(SERVER).random(new SplittableRandom(7)).build();
    c.subscribe(events::add);
    return c;
  }

  /** Connected over {@link #manual} on {@code channel}. */
  Connection connectedOn(NullChannel channel) {
    Connection c = build(Connection.builder().transport(manual).scheduler(clock));
    c.start();
    clock.runUntilIdle();
    manual.opens.get(0).complete(channel);
    clock.runUntilIdle();
    assertThat(c.state()).isEqualTo(new ConnectionState.Connected(1));
    return c;
  }

  static ConnectionState terminalState(Connection c) {
    return c.terminated().toCompletableFuture().getNow(null);
  }

  List<LifecycleEvent> terminalEvents(List<LifecycleEvent> seen) {
    return seen.stream().filter(LifecycleEvent::isTerminal).toList();
  }

  @Test
  void channelCloseThrowingOnCloseStillDeliversTheTerminalEvent() {
    ThrowingCloseChannel channel = new ThrowingCloseChannel();
    Connection c = connectedOn(channel);
    LifecycleQueue queue = LifecycleQueue.bounded(2);
    c.subscribe(queue);
    clock.runUntilIdle();

    c.close("bye");
    clock.runUntilIdle();

    assertThat(channel.closeCalls).isEqualTo(1);
    assertThat(events).last().isEqualTo(new LifecycleEvent.Closed("bye"));
    assertThat(terminalEvents(events)).hasSize(1);
    List<LifecycleEvent> queued = new ArrayList<>();
    for (LifecycleEvent e = queue.poll(); e != null; e = queue.poll()) {
      queued.add(e);
    }
    assertThat(queued).last().isEqualTo(new LifecycleEvent.Closed("bye"));
    assertThat(terminalState(c)).isEqualTo(new ConnectionState.Closed("bye"));
    List<LifecycleEvent> late = new ArrayList<>();
    c.subscribe(late::add);
    clock.runUntilIdle();
    assertThat(late).containsExactly(new LifecycleEvent.Closed("bye"));
    assertThat(c.effectFailures()).isEqualTo(1);
  }

  @Test
  void channelCloseThrowingOnLossStillSchedulesTheReconnect() {
    ThrowingCloseChannel channel = new ThrowingCloseChannel();
    Connection c = connectedOn(channel);

    c.declareLost(1, STALE);
    clock.runUntilIdle();

    assertThat(events).last().isInstanceOf(LifecycleEvent.Reconnecting.class);
    assertThat(clock.runUntil(() -> manual.opens.size() == 2, LONG))
        .as("the backoff timer was started and fired")
        .isTrue();
    assertThat(c.effectFailures()).isEqualTo(1);
    // The driver is still stepping inputs: a close now ends it.
    c.close("done");
    clock.runUntilIdle();
    assertThat(terminalState(c)).isEqualTo(new ConnectionState.Closed("done"));
  }

  @Test
  void timerCancelThrowingOnCloseStillDeliversTheTerminalEvent() {
    FaultyScheduler faulty = new FaultyScheduler(clock);
    Connection c = build(Connection.builder().transport(network.transport()).scheduler(faulty));
    c.start();
    clock.runUntilIdle();
    server.down();
    clock.runUntilIdle();
    assertThat(c.state()).isInstanceOf(ConnectionState.Reconnecting.class);

    faulty.cancelThrows = true;
    c.close("during backoff");
    clock.runUntilIdle();

    assertThat(events).last().isEqualTo(new LifecycleEvent.Closed("during backoff"));
    assertThat(terminalEvents(events)).hasSize(1);
    assertThat(terminalState(c)).isEqualTo(new ConnectionState.Closed("during backoff"));
    assertThat(c.effectFailures()).isEqualTo(1);
    // The timer that could not be cancelled fires later and is ignored.
    int seen = events.size();
    server.up();
    clock.advance(LONG);
    assertThat(events).hasSize(seen);
    assertThat(server.accepted()).isEqualTo(1);
  }

  @Test
  void timerCancelThrowingOnOpenStillDeliversConnected() {
    FaultyScheduler faulty = new FaultyScheduler(clock);
    faulty.cancelThrows = true;
    Connection c = build(Connection.builder().transport(network.transport()).scheduler(faulty));
    c.start();
    clock.runUntilIdle();

    assertThat(events)
        .last()
        .isEqualTo(new LifecycleEvent.Connected(1, Optional.of(SERVER.toString())));
    assertThat(c.effectFailures()).isEqualTo(1);
    clock.advance(LONG); // the connect timeout that could not be cancelled fires: ignored
    assertThat(c.state()).isEqualTo(new ConnectionState.Connected(1));
  }

  @Test
  void timerScheduleThrowingDoesNotStopTheStep() {
    FaultyScheduler faulty = new FaultyScheduler(clock);
    faulty.scheduleThrows = true;
    Connection c = build(Connection.builder().transport(network.transport()).scheduler(faulty));
    c.start();
    clock.runUntilIdle();

    assertThat(events).first().isInstanceOf(LifecycleEvent.Connecting.class);
    assertThat(events)
        .last()
        .isEqualTo(new LifecycleEvent.Connected(1, Optional.of(SERVER.toString())));
    assertThat(c.effectFailures()).isEqualTo(1);
    c.close("bye");
    clock.runUntilIdle();
    assertThat(terminalState(c)).isEqualTo(new ConnectionState.Closed("bye"));
    assertThat(network.openChannels()).isZero();
  }

  // ---------------------------------------------------------------- subscriptions during delivery

  @Test
  void subscriptionCancelledByAnotherListenerMidEventGetsNothingMore() {
    Connection c = build(Connection.builder().transport(network.transport()).scheduler(clock));
    List<LifecycleEvent> second = new ArrayList<>();
    Subscription[] handle = new Subscription[1];
    c.subscribe(
        e -> {
          if (e instanceof LifecycleEvent.Connected) {
            handle[0].cancel(); // on the context: takes effect for this very event
          }
        });
    handle[0] = c.subscribe(second::add);
    c.start();
    clock.runUntilIdle();
    server.down();
    clock.runUntilIdle();

    assertThat(second).hasSize(1).first().isInstanceOf(LifecycleEvent.Connecting.class);
  }

  @Test
  void listenerSubscribedFromAListenerGetsTheCurrentEventAtOnceAndThenEveryLaterOne() {
    Connection c = build(Connection.builder().transport(network.transport()).scheduler(clock));
    List<LifecycleEvent> inner = new ArrayList<>();
    List<Integer> seenWhenSubscribed = new ArrayList<>();
    c.subscribe(
        e -> {
          if (e instanceof LifecycleEvent.Connected) {
            c.subscribe(inner::add); // atomic on the context: delivered before it returns
            seenWhenSubscribed.add(inner.size());
          }
        });
    List<LifecycleEvent> after = new ArrayList<>();
    c.subscribe(after::add); // still served after the list of subscribers grew mid-delivery
    c.start();
    clock.runUntilIdle();
    c.close("bye");
    clock.runUntilIdle();

    assertThat(seenWhenSubscribed).containsExactly(1);
    assertThat(after).isEqualTo(events);
    assertThat(inner)
        .containsExactly(
            new LifecycleEvent.Connected(1, Optional.of(SERVER.toString())),
            new LifecycleEvent.Closed("bye"));
  }

  // ---------------------------------------------------------------- clean-up at termination

  /** Plants a machine bug: effects matching {@code dropped} are lost when the user closes. */
  static void dropOnClose(Connection c, Predicate<Effect> dropped) {
    ((ConnectionDriver) c)
        .plantVariant(
            (input, t) ->
                input instanceof Input.CloseRequested
                    ? new Transition(
                        t.next(), t.effects().stream().filter(dropped.negate()).toList())
                    : t);
  }

  @Test
  void channelLeakedByTheMachineIsClosedAtTermination() {
    Connection c = build(Connection.builder().transport(network.transport()).scheduler(clock));
    dropOnClose(c, e -> e instanceof Effect.CloseChannel);
    c.start();
    clock.runUntilIdle();
    assertThat(network.openChannels()).isEqualTo(1);

    c.close("bye");
    clock.runUntilIdle();

    assertThat(network.openChannels()).isZero();
    assertThat(terminalState(c)).isEqualTo(new ConnectionState.Closed("bye"));
    assertThat(c.effectFailures()).isZero();
  }

  @Test
  void timerLeakedByTheMachineIsCancelledAtTermination() {
    Connection c = build(Connection.builder().transport(network.transport()).scheduler(clock));
    dropOnClose(c, e -> e instanceof Effect.CancelTimer);
    c.start();
    clock.runUntilIdle();
    server.down();
    clock.runUntilIdle();
    assertThat(clock.pendingTasks()).as("the backoff timer").isEqualTo(1);

    c.close("during backoff");
    clock.runUntilIdle();

    assertThat(clock.pendingTasks()).isZero();
    assertThat(terminalState(c)).isEqualTo(new ConnectionState.Closed("during backoff"));
  }

  @Test
  void leakedChannelWhoseCloseThrowsStillLetsTerminationComplete() {
    ThrowingCloseChannel channel = new ThrowingCloseChannel();
    Connection c = build(Connection.builder().transport(manual).scheduler(clock));
    dropOnClose(c, e -> e instanceof Effect.CloseChannel);
    c.start();
    clock.runUntilIdle();
    manual.opens.get(0).complete(channel);
    clock.runUntilIdle();

    c.close("bye");
    clock.runUntilIdle();

    assertThat(channel.closeCalls).as("closed by the clean-up").isEqualTo(1);
    assertThat(terminalState(c)).isEqualTo(new ConnectionState.Closed("bye"));
    assertThat(c.effectFailures()).isEqualTo(1);
  }

  @Test
  void leakedTimerWhoseCancelThrowsStillLetsTerminationComplete() {
    FaultyScheduler faulty = new FaultyScheduler(clock);
    Connection c = build(Connection.builder().transport(network.transport()).scheduler(faulty));
    dropOnClose(c, e -> e instanceof Effect.CancelTimer);
    c.start();
    clock.runUntilIdle();
    server.down();
    clock.runUntilIdle();

    faulty.cancelThrows = true;
    c.close("during backoff");
    clock.runUntilIdle();

    assertThat(terminalState(c)).isEqualTo(new ConnectionState.Closed("during backoff"));
    assertThat(c.effectFailures()).isEqualTo(1);
    server.up();
    clock.advance(LONG);
    assertThat(server.accepted()).as("the uncancelled timer is ignored").isEqualTo(1);
  }

  @Test
  void closingWhileAnOpenHangsIsNoEffectFailure() {
    server.mode(StubEndpoint.Mode.HANG);
    Connection c = build(Connection.builder().transport(network.transport()).scheduler(clock));
    c.start();
    clock.runUntilIdle();

    c.close("while connecting");
    clock.runUntilIdle();

    assertThat(terminalState(c)).isEqualTo(new ConnectionState.Closed("while connecting"));
    assertThat(c.effectFailures()).as("no channel yet, so nothing to close").isZero();
  }

  @Test
  void timerStartedTwiceByTheMachineCancelsTheEarlierAndFinishesTheStep() {
    Connection c = build(Connection.builder().transport(network.transport()).scheduler(clock));
    ((ConnectionDriver) c)
        .plantVariant(
            (input, t) -> {
              if (!(input instanceof Input.Start)) {
                return t;
              }
              List<Effect> doubled = new ArrayList<>();
              for (Effect e : t.effects()) {
                doubled.add(e);
                if (e instanceof Effect.StartTimer) {
                  doubled.add(e);
                }
              }
              return new Transition(t.next(), doubled);
            });
    server.mode(StubEndpoint.Mode.HANG);
    c.start();
    clock.runUntilIdle();

    assertThat(events).last().isInstanceOf(LifecycleEvent.Connecting.class);
    assertThat(clock.pendingTasks()).as("one connect timeout live").isEqualTo(1);
    assertThat(c.effectFailures()).isZero();
  }
}
