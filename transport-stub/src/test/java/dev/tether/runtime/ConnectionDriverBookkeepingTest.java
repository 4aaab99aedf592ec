package dev.tether.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tether.machine.BackoffPolicy;
import dev.tether.machine.Cause;
import dev.tether.machine.ConnectionState;
import dev.tether.machine.LifecycleEvent;
import dev.tether.runtime.spi.Channel;
import dev.tether.runtime.spi.ChannelListener;
import dev.tether.runtime.spi.ConnectParameters;
import dev.tether.runtime.spi.ConnectParametersProvider;
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

/**
 * The driver's own bookkeeping, kept lean for B1 and B5: subscribers copied on write, the fixed
 * endpoint's attempts without a resolver round trip, the public state derived when read.
 */
class ConnectionDriverBookkeepingTest {
  static final URI SERVER = URI.create("stub://server");

  final VirtualScheduler clock = new VirtualScheduler();
  final StubNetwork network = new StubNetwork(clock);
  final StubEndpoint server = network.endpoint(SERVER);

  ConnectionBuilder builder() {
    return Connection.builder()
        .transport(network.transport())
        .endpoint(SERVER)
        .scheduler(clock)
        .policy(
            BackoffPolicy.builder()
                .delays(List.of(Duration.ofMillis(100)))
                .jitter(0)
                .failFastOnFirstConnect(false)
                .build())
        .random(new SplittableRandom(1));
  }

  static LifecycleEvent connected(long epoch) {
    return new LifecycleEvent.Connected(epoch, Optional.of(SERVER.toString()));
  }

  @Test
  void subscriberAddedDuringDeliveryGetsThatEventOnce() {
    Connection c = builder().build();
    List<LifecycleEvent> added = new ArrayList<>();
    c.subscribe(
        e -> {
          if (e instanceof LifecycleEvent.Connected) {
            c.subscribe(added::add);
          }
        });
    c.start();
    clock.runUntilIdle();
    assertThat(added).containsExactly(connected(1));
  }

  @Test
  void cancellingOneOfThreeSubscribersKeepsTheOtherTwo() {
    Connection c = builder().build();
    List<LifecycleEvent> first = new ArrayList<>();
    List<LifecycleEvent> second = new ArrayList<>();
    List<LifecycleEvent> third = new ArrayList<>();
    c.subscribe(first::add);
    Subscription middle = c.subscribe(second::add);
    c.subscribe(third::add);
    c.start();
    clock.runUntilIdle();
    middle.cancel();
    c.close("done");
    clock.runUntilIdle();
    LifecycleEvent closed = new LifecycleEvent.Closed("done");
    assertThat(first).endsWith(connected(1), closed);
    assertThat(second).last().isEqualTo(connected(1));
    assertThat(third).endsWith(connected(1), closed);
  }

  @Test
  void subscriberCancelledByAnotherDuringDeliveryMissesThatEvent() {
    Connection c = builder().build();
    List<LifecycleEvent> victim = new ArrayList<>();
    Subscription[] victimSub = new Subscription[1];
    c.subscribe(
        e -> {
          if (e instanceof LifecycleEvent.Connected) {
            victimSub[0].cancel();
          }
        });
    victimSub[0] = c.subscribe(victim::add);
    c.start();
    clock.runUntilIdle();
    assertThat(victim).noneMatch(e -> e instanceof LifecycleEvent.Connected);
  }

  @Test
  void theFixedEndpointsAttemptsTellTheParametersProviderTheirNumbers() {
    List<String> asked = new ArrayList<>();
    ConnectParametersProvider provider =
        new ConnectParametersProvider() {
          @Override
          public CompletionStage<ConnectParameters> parameters(AttemptContext ctx) {
            asked.add(ctx.attempt() + (ctx.reconnect() ? "r" : "i") + " " + ctx.endpoint());
            return CompletableFuture.completedFuture(ConnectParameters.none());
          }

          @Override
          public String describe() {
            return "recording";
          }
        };
    server.down();
    Connection c = builder().connectParameters(provider).build();
    c.start();
    clock.runUntilIdle();
    clock.advance(Duration.ofMillis(100));
    server.up();
    clock.advance(Duration.ofMillis(100));
    assertThat(c.state()).isEqualTo(new ConnectionState.Connected(1));
    server.down().up();
    clock.advance(Duration.ofMillis(100));
    assertThat(c.state()).isEqualTo(new ConnectionState.Connected(2));
    assertThat(c.endpoint()).isEqualTo(SERVER);
    assertThat(asked)
        .containsExactly("1i " + SERVER, "2i " + SERVER, "3i " + SERVER, "1r " + SERVER);
  }

  @Test
  void stateIsTheMachinesAfterEveryStep() {
    Connection c = builder().build();
    assertThat(c.state()).isEqualTo(new ConnectionState.Idle());
    c.start();
    clock.runUntilIdle();
    assertThat(c.state()).isEqualTo(new ConnectionState.Connected(1));
    assertThat(c.toString()).contains("Connected");
    c.close("done");
    clock.runUntilIdle();
    assertThat(c.state()).isEqualTo(new ConnectionState.Closed("done"));
  }

  @Test
  void everyChannelIsClosedOnceHoweverOftenItsAttemptWasListedAndUnlisted() {
    // The channels and timers live in intrusive lists: one left listed after its removal would be
    // closed again, as a leak, when the connection ends.
    List<int[]> closes = new ArrayList<>();
    ChannelListener[] listener = new ChannelListener[1];
    Transport counting =
        (uri, l) -> {
          listener[0] = l;
          int[] count = new int[1];
          closes.add(count);
          CompletableFuture<Channel> opened = new CompletableFuture<>();
          clock.execute(
              () ->
                  opened.complete(
                      new ConnectionDriverTest.NullChannel() {
                        @Override
                        public void close() {
                          count[0]++;
                          super.close();
                        }
                      }));
          return opened;
        };
    Connection c = builder().transport(counting).build();
    c.start();
    clock.runUntilIdle();
    for (int i = 0; i < 3; i++) {
      clock.execute(() -> listener[0].onClosed(Cause.of(Cause.Kind.CHANNEL_CLOSED, "lost")));
      clock.advance(Duration.ofMillis(100));
      assertThat(c.state()).isEqualTo(new ConnectionState.Connected(i + 2));
    }
    c.close("done");
    clock.runUntilIdle();
    assertThat(closes).hasSize(4).allSatisfy(count -> assertThat(count[0]).isEqualTo(1));
    assertThat(clock.pendingTasks()).as("live timers").isZero();
  }

  @Test
  void lateRunOfACancelledTimerNeverFiresATimerOfALaterAttempt() {
    // A timer that fired is reused for the next one. A cancelled one must not be: a cancel that
    // loses its race with the scheduler still runs the task, which must then find nothing listed.
    var lateCancels = new ConnectionDriverIsolationTest.FaultyScheduler(clock);
    lateCancels.cancelTooLate = true;
    Connection c = builder().scheduler(lateCancels).build();
    c.start();
    clock.runUntilIdle(); // connected at 0 s; its connect timer still runs at 10 s
    assertThat(c.state()).isEqualTo(new ConnectionState.Connected(1));
    server.mode(StubEndpoint.Mode.HANG);
    server.dropAll(Cause.of(Cause.Kind.CHANNEL_CLOSED, "lost"));
    Duration backoff = Duration.ofMillis(100);
    clock.advance(backoff); // attempt 1 opens and hangs; its connect timer is due at 10.1 s
    Duration timeout = BackoffPolicy.DEFAULT_CONNECT_TIMEOUT;
    clock.advance(timeout.minus(backoff)); // 10 s: the first connect timer's task runs
    assertThat(((ConnectionState.Reconnecting) c.state()).attempt()).isEqualTo(1);
    clock.advance(backoff); // 10.1 s: the hanging attempt times out
    assertThat(((ConnectionState.Reconnecting) c.state()).attempt()).isEqualTo(2);
  }
}
