package dev.tether.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tether.machine.BackoffPolicy;
import dev.tether.machine.Cause;
import dev.tether.machine.ConnectionState;
import dev.tether.machine.LifecycleEvent;
import dev.tether.runtime.spi.Channel;
import dev.tether.runtime.spi.ChannelListener;
import dev.tether.runtime.spi.Transport;
import dev.tether.stub.StubEndpoint;
import dev.tether.stub.StubNetwork;
import dev.tether.stub.VirtualScheduler;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.junit.jupiter.api.Test;

/** The driver on virtual time: delivery guarantees (I1, I2, I3, I4, I5, R2) and edge timings. */
class ConnectionDriverTest {
  static final URI SERVER = URI.create("stub://server");
  static final Duration LONG = Duration.ofHours(1);

  final VirtualScheduler clock = new VirtualScheduler();
  final StubNetwork network = new StubNetwork(clock);
  final StubEndpoint server = network.endpoint(SERVER);
  final List<LifecycleEvent> events = new ArrayList<>();

  Connection connect(BackoffPolicy policy, long seed) {
    Connection c =
        Connection.builder()
            .transport(network.transport())
            .endpoint(SERVER)
            .scheduler(clock)
            .policy(policy)
            .random(new SplittableRandom(seed))
            .build();
    c.subscribe(events::add);
    c.start();
    clock.runUntilIdle();
    return c;
  }

  Connection connect() {
    return connect(BackoffPolicy.defaults(), 1);
  }

  void assertQuiescent() {
    assertThat(clock.pendingTasks()).as("live timers or queued tasks").isZero();
    assertThat(network.openChannels()).as("open channels").isZero();
  }

  @Test
  void terminalEventReachesAFullQueueLast() {
    Connection c = connect();
    LifecycleQueue queue = LifecycleQueue.bounded(2);
    c.subscribe(queue);
    server.down();
    clock.runUntil(() -> c.state().isTerminal(), LONG);
    List<LifecycleEvent> got = new ArrayList<>();
    LifecycleEvent e;
    while ((e = queue.poll()) != null) {
      got.add(e);
    }
    assertThat(got).last().isInstanceOf(LifecycleEvent.PermanentlyDisconnected.class);
    assertThat(got).filteredOn(LifecycleEvent::isTerminal).hasSize(1);
  }

  @Test
  void throwingListenerDoesNotStopTheOthers() {
    Connection c =
        Connection.builder()
            .transport(network.transport())
            .endpoint(SERVER)
            .scheduler(clock)
            .build();
    c.subscribe(
        e -> {
          throw new IllegalStateException("listener bug");
        });
    c.subscribe(events::add);
    c.start();
    clock.runUntilIdle();
    server.down();
    clock.runUntil(() -> c.state().isTerminal(), LONG);
    assertThat(events).first().isInstanceOf(LifecycleEvent.Connecting.class);
    assertThat(events).last().isInstanceOf(LifecycleEvent.PermanentlyDisconnected.class);
    assertThat(events).hasSize(2 + 10 + 1);
  }

  @Test
  void lateSubscriberAfterTerminationGetsTheTerminalEventOnce() {
    Connection c = connect();
    c.close("done");
    clock.runUntilIdle();
    List<LifecycleEvent> late = new ArrayList<>();
    c.subscribe(late::add);
    clock.runUntilIdle();
    clock.advance(LONG);
    assertThat(late).containsExactly(new LifecycleEvent.Closed("done"));
    assertThat(events).last().isEqualTo(new LifecycleEvent.Closed("done"));
  }

  @Test
  void subscriberFirstReceivesTheEventOfTheCurrentState() {
    Connection c = connect();
    List<LifecycleEvent> later = new ArrayList<>();
    c.subscribe(later::add);
    clock.runUntilIdle();
    assertThat(later)
        .containsExactly(new LifecycleEvent.Connected(1, Optional.of(SERVER.toString())));
  }

  @Test
  void nothingLiveAfterPermanentDisconnect() {
    Connection c = connect();
    server.down();
    clock.runUntil(() -> c.state().isTerminal(), LONG);
    assertThat(c.state()).isInstanceOf(ConnectionState.PermanentlyDisconnected.class);
    assertQuiescent();
    int seen = events.size();
    server.up();
    clock.advance(LONG);
    assertThat(events).hasSize(seen);
    assertThat(server.accepted()).isEqualTo(1);
  }

  @Test
  void nothingLiveAfterCloseInEveryState() {
    // while connected
    Connection c = connect();
    c.close();
    clock.runUntilIdle();
    assertQuiescent();
    // during backoff
    c = connect();
    server.down();
    clock.runUntilIdle();
    assertThat(c.state()).isInstanceOf(ConnectionState.Reconnecting.class);
    c.close("during backoff");
    clock.runUntilIdle();
    assertQuiescent();
    // while an open hangs
    server.up().mode(StubEndpoint.Mode.HANG);
    c = connect();
    assertThat(c.state()).isInstanceOf(ConnectionState.Connecting.class);
    c.close("while connecting");
    clock.runUntilIdle();
    assertQuiescent();
  }

  @Test
  void terminatedCompletesWithTheTerminalState() {
    Connection c = connect();
    c.close("bye");
    clock.runUntilIdle();
    assertThat(c.terminated().toCompletableFuture().getNow(null))
        .isEqualTo(new ConnectionState.Closed("bye"));
  }

  @Test
  void attemptsAreConsecutiveAndRestartAfterReconnected() {
    Connection c = connect();
    for (int outage = 0; outage < 3; outage++) {
      server.down();
      clock.advance(Duration.ofSeconds(2)); // several failed attempts
      server.up();
      clock.runUntil(() -> c.state() instanceof ConnectionState.Connected, LONG);
    }
    List<Integer> attempts = new ArrayList<>();
    for (LifecycleEvent e : events) {
      if (e instanceof LifecycleEvent.Reconnecting r) {
        attempts.add(r.attempt());
      } else if (e instanceof LifecycleEvent.Reconnected) {
        attempts.add(0);
      }
    }
    // Each outage: 1, 2, 3, ... then Reconnected (0); never a gap or repeat.
    int expected = 1;
    for (int a : attempts) {
      if (a == 0) {
        expected = 1;
      } else {
        assertThat(a).isEqualTo(expected++);
      }
    }
    assertThat(attempts).contains(0).contains(3);
  }

  @Test
  void delaysLieWithinPolicyBoundsAndAreHonoured() {
    BackoffPolicy policy = BackoffPolicy.defaults();
    for (long seed = 0; seed < 50; seed++) {
      events.clear();
      Connection c = connect(policy, seed);
      List<Long> eventTimes = new ArrayList<>();
      c.subscribe(e -> eventTimes.add(clock.nanoTime()));
      clock.runUntilIdle();
      server.down();
      clock.runUntil(() -> c.state().isTerminal(), LONG);
      List<LifecycleEvent.Reconnecting> rs = new ArrayList<>();
      for (LifecycleEvent e : events) {
        if (e instanceof LifecycleEvent.Reconnecting r) {
          rs.add(r);
        }
      }
      assertThat(rs).hasSize(10);
      for (int i = 0; i < rs.size(); i++) {
        LifecycleEvent.Reconnecting r = rs.get(i);
        assertThat(r.delay()).isBetween(policy.minDelay(r.attempt()), policy.maxDelay(r.attempt()));
        // eventTimes[0] is the replayed Connected; the next attempt's event follows after delay.
        long waited = eventTimes.get(i + 2) - eventTimes.get(i + 1);
        assertThat(waited)
            .as("seed %d attempt %d", seed, r.attempt())
            .isEqualTo(r.delay().toNanos());
      }
      server.up();
    }
  }

  @Test
  void connectTimeoutAbandonsAHangingOpenAndRetries() {
    server.mode(StubEndpoint.Mode.HANG);
    Connection c = connect();
    clock.advance(BackoffPolicy.DEFAULT_CONNECT_TIMEOUT);
    assertThat(c.state()).isInstanceOf(ConnectionState.Connecting.class);
    ConnectionState.Connecting s = (ConnectionState.Connecting) c.state();
    assertThat(s.attempt()).isEqualTo(2);
    assertThat(s.lastFailure().orElseThrow().kind()).isEqualTo(Cause.Kind.CONNECT_TIMEOUT);
    server.up();
    clock.runUntil(() -> c.state() instanceof ConnectionState.Connected, LONG);
    assertThat(c.state()).isEqualTo(new ConnectionState.Connected(1));
  }

  @Test
  void lateChannelFromATimedOutAttemptIsClosedAndNeverUsed() {
    server.latency(Duration.ofSeconds(15));
    Connection c = connect();
    server.latency(Duration.ZERO);
    clock.advance(Duration.ofSeconds(11)); // attempt 1 timed out at 10 s, attempt 2 connected
    assertThat(c.state()).isEqualTo(new ConnectionState.Connected(1));
    clock.advance(Duration.ofSeconds(5)); // attempt 1's channel arrives now
    assertThat(server.accepted()).isEqualTo(2);
    assertThat(server.openCount()).isEqualTo(1);
    assertThat(c.state()).isEqualTo(new ConnectionState.Connected(1));
  }

  @Test
  void closeRequestedFromAListenerRunsAfterTheCurrentStep() {
    Connection[] holder = new Connection[1];
    Connection c =
        Connection.builder()
            .transport(network.transport())
            .endpoint(SERVER)
            .scheduler(clock)
            .build();
    holder[0] = c;
    c.subscribe(
        e -> {
          events.add(e);
          if (e instanceof LifecycleEvent.Reconnecting) {
            holder[0].close("listener gave up");
          }
        });
    c.start();
    clock.runUntilIdle();
    server.down();
    clock.runUntilIdle();
    assertThat(events)
        .containsExactly(
            events.get(0),
            new LifecycleEvent.Connected(1, Optional.of(SERVER.toString())),
            events.get(2),
            new LifecycleEvent.Closed("listener gave up"));
    assertQuiescent();
  }

  /** Vert.x may fire both closeHandler and exceptionHandler: that must not reconnect twice. */
  @Test
  void channelEndReportedTwiceCausesOneReconnect() {
    ManualTransport transport = new ManualTransport();
    Connection c =
        Connection.builder()
            .transport(transport)
            .endpoint(SERVER)
            .scheduler(clock)
            .random(new SplittableRandom(3))
            .build();
    c.subscribe(events::add);
    c.start();
    clock.runUntilIdle();
    transport.opens.get(0).complete(new NullChannel());
    clock.runUntilIdle();
    ChannelListener l = transport.listeners.get(0);
    l.onClosed(Cause.of(Cause.Kind.CHANNEL_CLOSED, "close handler"));
    l.onClosed(Cause.of(Cause.Kind.CHANNEL_ERROR, "exception handler"));
    clock.runUntilIdle();
    assertThat(events).filteredOn(e -> e instanceof LifecycleEvent.Reconnecting).hasSize(1);
    clock.advance(Duration.ofSeconds(1));
    assertThat(transport.opens).hasSize(2);
  }

  @Test
  void channelEndingBeforeItsOpenCompletesCountsAsAFailedAttempt() {
    ManualTransport transport = new ManualTransport();
    Connection c =
        Connection.builder().transport(transport).endpoint(SERVER).scheduler(clock).build();
    c.start();
    clock.runUntilIdle();
    transport.listeners.get(0).onClosed(Cause.of(Cause.Kind.CHANNEL_CLOSED, "early"));
    NullChannel ch = new NullChannel();
    transport.opens.get(0).complete(ch);
    clock.runUntilIdle();
    assertThat(ch.closed).isTrue();
    assertThat(c.state()).isInstanceOf(ConnectionState.Connecting.class);
    assertThat(((ConnectionState.Connecting) c.state()).attempt()).isEqualTo(2);
  }

  @Test
  void transportThrowingOnOpenIsAFailedAttempt() {
    Transport broken =
        (uri, listener) -> {
          throw new IllegalArgumentException("unsupported scheme: stub");
        };
    Connection c =
        Connection.builder()
            .transport(broken)
            .endpoint(SERVER)
            .scheduler(clock)
            .policy(BackoffPolicy.builder().failFastOnFirstConnect(true).build())
            .build();
    c.subscribe(events::add);
    c.start();
    clock.runUntilIdle();
    assertThat(events)
        .last()
        .isEqualTo(
            new LifecycleEvent.PermanentlyDisconnected(
                Cause.of(Cause.Kind.OPEN_FAILED, "unsupported scheme: stub"), 1));
  }

  @Test
  void failingHandshakeCountsAsFailedAttemptAndClosesTheChannel() {
    int[] runs = {0};
    Connection c =
        Connection.builder()
            .transport(network.transport())
            .endpoint(SERVER)
            .scheduler(clock)
            .handshake(
                (channel, epoch) ->
                    ++runs[0] < 3
                        ? CompletableFuture.failedFuture(new IllegalStateException("no isolate"))
                        : CompletableFuture.completedFuture(null))
            .build();
    c.subscribe(events::add);
    c.start();
    clock.runUntil(() -> c.state() instanceof ConnectionState.Connected, LONG);
    assertThat(runs[0]).isEqualTo(3);
    assertThat(server.openCount()).isEqualTo(1);
    assertThat(events)
        .filteredOn(e -> e instanceof LifecycleEvent.Connecting)
        .extracting(e -> ((LifecycleEvent.Connecting) e).attempt())
        .containsExactly(1, 2, 3);
  }

  @Test
  void declareLostReconnectsOnlyForTheCurrentEpoch() {
    Connection c = connect();
    c.declareLost(7, Cause.of(Cause.Kind.HEARTBEAT_MISSED, "stale epoch"));
    clock.runUntilIdle();
    assertThat(c.state()).isEqualTo(new ConnectionState.Connected(1));
    c.declareLost(1, Cause.of(Cause.Kind.HEARTBEAT_MISSED, "3 probes unanswered"));
    clock.runUntilIdle();
    assertThat(c.state()).isInstanceOf(ConnectionState.Reconnecting.class);
    assertThat(server.openCount()).as("the half-open channel is closed").isZero();
  }

  @Test
  void framesOfTheCurrentChannelReachTheFrameListener() {
    List<String> frames = new ArrayList<>();
    Connection c =
        Connection.builder()
            .transport(network.transport())
            .endpoint(SERVER)
            .scheduler(clock)
            .frameListener((epoch, f) -> frames.add(epoch + ":" + new String(f, UTF8)))
            .build();
    c.start();
    clock.runUntilIdle();
    server.connections().get(0).push("hello".getBytes(UTF8));
    clock.runUntilIdle();
    assertThat(frames).containsExactly("1:hello");
  }

  static final java.nio.charset.Charset UTF8 = java.nio.charset.StandardCharsets.UTF_8;

  /** A transport whose opens the test completes by hand. */
  static final class ManualTransport implements Transport {
    final List<CompletableFuture<Channel>> opens = new ArrayList<>();
    final List<ChannelListener> listeners = new ArrayList<>();

    @Override
    public CompletionStage<Channel> open(URI endpoint, ChannelListener listener) {
      CompletableFuture<Channel> f = new CompletableFuture<>();
      opens.add(f);
      listeners.add(listener);
      return f;
    }
  }

  static class NullChannel implements Channel {
    boolean closed;

    @Override
    public CompletionStage<Void> send(byte[] frame) {
      return CompletableFuture.completedFuture(null);
    }

    @Override
    public boolean writable() {
      return !closed;
    }

    @Override
    public void close() {
      closed = true;
    }
  }
}
