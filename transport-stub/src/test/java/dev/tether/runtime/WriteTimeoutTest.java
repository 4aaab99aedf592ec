package dev.tether.runtime;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tether.machine.BackoffPolicy;
import dev.tether.machine.Cause;
import dev.tether.machine.ConnectionState;
import dev.tether.machine.LifecycleEvent;
import dev.tether.rpc.RpcConnection;
import dev.tether.runtime.spi.Channel;
import dev.tether.runtime.spi.Transport;
import dev.tether.stub.StubConnection;
import dev.tether.stub.StubEndpoint;
import dev.tether.stub.StubNetwork;
import dev.tether.stub.VirtualScheduler;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.junit.jupiter.api.Test;

/**
 * Write liveness (R5) on virtual time: bytes that do not drain within the write timeout end the
 * channel with {@code WRITE_TIMEOUT}; writes that drain never do; no timer is live while nothing is
 * pending, nor after termination (I4).
 */
class WriteTimeoutTest {
  static final URI SERVER = URI.create("stub://server");
  static final Duration TIMEOUT = Duration.ofSeconds(5);
  static final Duration NANO = Duration.ofNanos(1);
  static final Duration LONG = Duration.ofHours(1);

  final VirtualScheduler clock = new VirtualScheduler();
  final StubNetwork network = new StubNetwork(clock);
  final StubEndpoint server = network.endpoint(SERVER);
  final List<LifecycleEvent> events = new ArrayList<>();
  final List<CompletionStage<Void>> sent = new ArrayList<>();

  ConnectionBuilder builder(Transport transport) {
    return Connection.builder()
        .transport(transport)
        .endpoint(SERVER)
        .scheduler(clock)
        .random(new SplittableRandom(1));
  }

  Connection connect(ConnectionBuilder b) {
    Connection c = b.build();
    c.subscribe(events::add);
    c.start();
    clock.runUntilIdle();
    assertThat(c.state()).isInstanceOf(ConnectionState.Connected.class);
    return c;
  }

  Connection connect(Duration writeTimeout) {
    return connect(builder(network.transport()).writeTimeout(writeTimeout));
  }

  /** Sends {@code frames} frames on the current channel, from the context, as a protocol does. */
  void send(Connection c, int frames) {
    clock.execute(
        () -> {
          Channel ch = c.currentChannel().orElseThrow();
          for (int i = 0; i < frames; i++) {
            sent.add(ch.send(("frame " + sent.size()).getBytes(UTF_8)));
          }
        });
    clock.runUntilIdle();
  }

  /** The server stops reading, and the client writes until one write stays pending. */
  CompletionStage<Void> stallAWrite(Connection c) {
    server.connections().get(0).stopServerReading();
    send(c, StubConnection.WRITE_BUFFER_FRAMES + 1);
    CompletionStage<Void> stuck = sent.get(sent.size() - 1);
    assertThat(stuck.toCompletableFuture()).as("the write past the socket buffer").isNotDone();
    return stuck;
  }

  Cause lastLossCause() {
    assertThat(events).last().isInstanceOf(LifecycleEvent.Reconnecting.class);
    return ((LifecycleEvent.Reconnecting) events.get(events.size() - 1)).cause();
  }

  @Test
  void peerThatStopsReadingIsNoLongerInvisibleToABusyWriter() {
    Connection c = connect(TIMEOUT);
    StubConnection first = server.connections().get(0);
    CompletionStage<Void> stuck = stallAWrite(c);

    clock.advance(TIMEOUT.minus(NANO));
    assertThat(c.state()).isInstanceOf(ConnectionState.Connected.class);
    clock.advance(NANO);
    assertThat(c.state()).isInstanceOf(ConnectionState.Reconnecting.class);
    Cause cause = lastLossCause();
    assertThat(cause.kind()).isEqualTo(Cause.Kind.WRITE_TIMEOUT);
    assertThat(cause.message()).contains("writeTimeout 5000 ms");
    clock.runUntilIdle();
    assertThat(first.isOpen()).as("the stuck channel is closed").isFalse();
    assertThat(stuck.toCompletableFuture()).isCompletedExceptionally();

    clock.runUntil(() -> c.state() instanceof ConnectionState.Connected, LONG);
    assertThat(events).last().isInstanceOf(LifecycleEvent.Reconnected.class);
  }

  @Test
  void defaultWriteTimeoutIsThirtySeconds() {
    Connection c = connect(builder(network.transport()));
    stallAWrite(c);
    clock.advance(ConnectionBuilder.DEFAULT_WRITE_TIMEOUT.minus(NANO));
    assertThat(c.state()).isInstanceOf(ConnectionState.Connected.class);
    clock.advance(NANO);
    assertThat(lastLossCause().kind()).isEqualTo(Cause.Kind.WRITE_TIMEOUT);
  }

  @Test
  void writesThatKeepDrainingNeverTimeOutHoweverBusy() {
    ManualChannels transport = new ManualChannels();
    Connection c = connect(builder(transport).writeTimeout(TIMEOUT));
    // Always one write pending, each drained half a timeout after it was handed over.
    send(c, 1);
    for (int i = 0; i < 20; i++) {
      clock.advance(TIMEOUT.dividedBy(2));
      send(c, 1);
      transport.drain(sent.get(sent.size() - 2));
    }
    assertThat(c.state()).isInstanceOf(ConnectionState.Connected.class);
    assertThat(events).hasSize(2); // Connecting, Connected
  }

  @Test
  void writeStuckBehindOneThatDrainedIsNoticedWithinTwoTimeouts() {
    ManualChannels transport = new ManualChannels();
    Connection c = connect(builder(transport).writeTimeout(TIMEOUT));
    send(c, 1); // watched from now
    clock.advance(TIMEOUT.dividedBy(2));
    transport.drain(sent.get(0));
    send(c, 1); // never drains
    clock.advance(TIMEOUT.dividedBy(2).plus(TIMEOUT).minus(NANO)); // 2 timeouts after the first
    assertThat(c.state()).isInstanceOf(ConnectionState.Connected.class);
    clock.advance(NANO);
    assertThat(lastLossCause().kind()).isEqualTo(Cause.Kind.WRITE_TIMEOUT);
    assertThat(transport.channels.get(0).closed).isTrue();
  }

  @Test
  void idleConnectionHoldsNoWriteTimer() {
    ManualChannels transport = new ManualChannels();
    Connection c = connect(builder(transport).writeTimeout(TIMEOUT));
    assertThat(clock.pendingTasks()).as("connected, nothing written").isZero();
    send(c, 3);
    assertThat(clock.pendingTasks()).as("one timer for all pending writes").isEqualTo(1);
    sent.forEach(transport::drain);
    clock.advance(TIMEOUT);
    assertThat(clock.pendingTasks()).as("the timer lapsed: nothing pending").isZero();
    assertThat(c.state()).isInstanceOf(ConnectionState.Connected.class);

    send(c, 1); // a write after the quiet spell is watched again
    clock.advance(TIMEOUT);
    assertThat(lastLossCause().kind()).isEqualTo(Cause.Kind.WRITE_TIMEOUT);
  }

  @Test
  void writesThatDrainAtOnceArmNoTimer() {
    Connection c = connect(TIMEOUT);
    send(c, 10);
    assertThat(clock.pendingTasks()).isZero();
    assertThat(c.state()).isInstanceOf(ConnectionState.Connected.class);
  }

  @Test
  void noWriteTimerOutlivesTheConnection() {
    Connection c = connect(TIMEOUT);
    stallAWrite(c);
    c.close();
    clock.runUntilIdle();
    assertThat(c.state()).isInstanceOf(ConnectionState.Closed.class);
    assertThat(clock.pendingTasks()).as("live timers or queued tasks").isZero();
    assertThat(network.openChannels()).isZero();
  }

  @Test
  void writeTimeoutThatExhaustsTheRetriesLeavesNothingLive() {
    Connection c =
        connect(
            builder(network.transport())
                .writeTimeout(TIMEOUT)
                .policy(BackoffPolicy.builder().maxAttempts(1).build()));
    stallAWrite(c);
    server.mode(StubEndpoint.Mode.REFUSE); // the one retry fails
    clock.runUntil(() -> c.state().isTerminal(), LONG);
    assertThat(c.state()).isInstanceOf(ConnectionState.PermanentlyDisconnected.class);
    assertThat(events)
        .filteredOn(LifecycleEvent.Reconnecting.class::isInstance)
        .map(e -> ((LifecycleEvent.Reconnecting) e).cause().kind())
        .containsExactly(Cause.Kind.WRITE_TIMEOUT);
    assertThat(clock.pendingTasks()).as("live timers or queued tasks").isZero();
    assertThat(network.openChannels()).isZero();
  }

  @Test
  void lostChannelLeavesNoWriteTimerBehind() {
    Connection c = connect(TIMEOUT);
    stallAWrite(c); // the watch's timer is live
    server.connections().get(0).drop(Cause.of(Cause.Kind.CHANNEL_CLOSED, "lost"));
    clock.runUntil(() -> c.state() instanceof ConnectionState.Connected, TIMEOUT.minus(NANO));
    assertThat(events).last().isInstanceOf(LifecycleEvent.Reconnected.class);
    assertThat(clock.pendingTasks())
        .as("live timers, the lost channel's write timer among them")
        .isZero();
  }

  @Test
  void handshakeWriteThatNeverDrainsEndsTheAttempt() {
    // The handshake writes through the channel handed to it, which is watched like the one
    // currentChannel() answers: a stuck handshake write is a write timeout, not a connect timeout.
    ManualChannels transport = new ManualChannels();
    Connection c =
        builder(transport)
            .writeTimeout(TIMEOUT)
            .handshake(
                (channel, epoch) -> {
                  sent.add(channel.send("hello".getBytes(UTF_8)));
                  return new CompletableFuture<>();
                })
            .build();
    c.subscribe(events::add);
    c.start();
    clock.advance(TIMEOUT);
    assertThat(events).last().isInstanceOf(LifecycleEvent.Connecting.class);
    LifecycleEvent.Connecting retry = (LifecycleEvent.Connecting) events.get(events.size() - 1);
    assertThat(retry.attempt()).isEqualTo(2);
    assertThat(retry.lastFailure().orElseThrow().kind()).isEqualTo(Cause.Kind.WRITE_TIMEOUT);
  }

  @Test
  void zeroTurnsTheWriteTimeoutOff() {
    Connection c = connect(Duration.ZERO);
    stallAWrite(c);
    assertThat(clock.pendingTasks()).as("no timer armed").isZero();
    clock.advance(LONG);
    assertThat(c.state()).isInstanceOf(ConnectionState.Connected.class);
  }

  @Test
  void badWriteTimeoutIsRejectedNamingTheOptionAndValue() {
    assertThatThrownBy(() -> Connection.builder().writeTimeout(Duration.ofSeconds(-1)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("writeTimeout")
        .hasMessageContaining("PT-1S");
    assertThatThrownBy(() -> Connection.builder().writeTimeout(Duration.ofDays(2)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("writeTimeout")
        .hasMessageContaining("PT48H");
    assertThatThrownBy(() -> RpcConnection.builder().writeTimeout(Duration.ofMillis(-5)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("writeTimeout")
        .hasMessageContaining("PT-0.005S");
    Connection.builder().writeTimeout(ConnectionBuilder.MAX_WRITE_TIMEOUT).writeTimeout(NANO);
  }

  @Test
  void minimalStagesFromSendAreWatchedNotCalledIsDoneOn() {
    // Regression: the watch polled a send's stage through Future.isDone(), which a minimal stage
    // (CompletableFuture.completedStage, minimalCompletionStage()) refuses: send threw.
    List<CompletableFuture<Void>> writes = new ArrayList<>();
    Transport transport =
        (uri, listener) ->
            CompletableFuture.completedFuture(
                new ConnectionDriverTest.NullChannel() {
                  @Override
                  public CompletionStage<Void> send(byte[] frame) {
                    if (writes.isEmpty()) {
                      writes.add(CompletableFuture.completedFuture(null));
                      return CompletableFuture.completedStage(null);
                    }
                    CompletableFuture<Void> pending = new CompletableFuture<>();
                    writes.add(pending);
                    return pending.minimalCompletionStage();
                  }
                });
    Connection c = connect(builder(transport).writeTimeout(TIMEOUT));
    send(c, 1); // drained at once: no timer
    assertThat(sent).hasSize(1);
    assertThat(clock.pendingTasks()).isZero();
    send(c, 1); // stays pending
    assertThat(sent).hasSize(2);
    clock.advance(TIMEOUT);
    assertThat(lastLossCause().kind()).isEqualTo(Cause.Kind.WRITE_TIMEOUT);
  }

  /** Opens channels at once whose sends stay pending until the test drains them. */
  final class ManualChannels implements Transport {
    final List<ManualChannel> channels = new ArrayList<>();

    @Override
    public CompletionStage<Channel> open(URI endpoint, dev.tether.runtime.spi.ChannelListener l) {
      ManualChannel ch = new ManualChannel();
      channels.add(ch);
      CompletableFuture<Channel> opened = new CompletableFuture<>();
      clock.execute(() -> opened.complete(ch));
      return opened;
    }

    /** The write behind {@code stage} reached the network. */
    void drain(CompletionStage<Void> stage) {
      clock.execute(() -> stage.toCompletableFuture().complete(null));
      clock.runUntilIdle();
    }
  }

  /** A channel whose sends stay pending until the test drains them. */
  static final class ManualChannel extends ConnectionDriverTest.NullChannel {
    @Override
    public CompletionStage<Void> send(byte[] frame) {
      return new CompletableFuture<>();
    }
  }
}
