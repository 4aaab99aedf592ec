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
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.junit.jupiter.api.Test;

/**
 * P5 in the driver: the terminal event, and {@code terminated()}, wait for every channel's {@link
 * Channel#released()}; nothing else does. On virtual time, with releases the test completes.
 */
class TerminalEventAfterReleaseTest {
  private static final URI SERVER = URI.create("stub://server");

  private final VirtualScheduler clock = new VirtualScheduler();
  private final StubNetwork network = new StubNetwork(clock);
  private final StubEndpoint server = network.endpoint(SERVER);
  private final List<LifecycleEvent> events = new ArrayList<>();
  private final List<CompletableFuture<Void>> releases = new ArrayList<>();

  @Test
  void closedWaitsForTheChannelsReleaseAndComesOnce() {
    Connection c = connect();
    c.close("done");
    clock.runUntilIdle();

    assertThat(c.state()).isEqualTo(new ConnectionState.Closed("done"));
    assertThat(events).noneMatch(LifecycleEvent::isTerminal);
    assertThat(events)
        .last()
        .isEqualTo(new LifecycleEvent.Connected(1, Optional.of(SERVER.toString())));
    assertThat(c.terminated().toCompletableFuture()).isNotDone();
    List<LifecycleEvent> meanwhile = new ArrayList<>();
    c.subscribe(meanwhile::add);
    clock.runUntilIdle();

    releases.get(0).complete(null);
    clock.runUntilIdle();

    assertThat(events).last().isEqualTo(new LifecycleEvent.Closed("done"));
    assertThat(events).filteredOn(LifecycleEvent::isTerminal).hasSize(1);
    assertThat(meanwhile)
        .containsExactly(
            new LifecycleEvent.Connected(1, Optional.of(SERVER.toString())),
            new LifecycleEvent.Closed("done"));
    assertThat(c.terminated().toCompletableFuture()).isCompletedWithValue(c.state());
  }

  @Test
  void terminalEventWaitsForAnEarlierChannelToo() {
    Connection c = connect();
    server.dropAll(Cause.of(Cause.Kind.CHANNEL_CLOSED, "dropped"));
    clock.runUntil(
        () -> events.get(events.size() - 1) instanceof LifecycleEvent.Reconnected,
        Duration.ofMinutes(1));
    assertThat(releases).hasSize(2);
    c.close("done");
    clock.runUntilIdle();

    releases.get(1).complete(null);
    clock.runUntilIdle();
    assertThat(events).noneMatch(LifecycleEvent::isTerminal);

    releases.get(0).completeExceptionally(new IllegalStateException("could not release"));
    clock.runUntilIdle();
    assertThat(events).last().isEqualTo(new LifecycleEvent.Closed("done"));
  }

  private Connection connect() {
    Connection c =
        Connection.builder()
            .transport(new Releasing(network.transport()))
            .endpoint(SERVER)
            .scheduler(clock)
            .policy(BackoffPolicy.defaults())
            .build();
    c.subscribe(events::add);
    c.start();
    clock.runUntilIdle();
    return c;
  }

  /** Channels whose release the test completes. */
  private final class Releasing implements Transport {
    private final Transport transport;

    Releasing(Transport transport) {
      this.transport = transport;
    }

    @Override
    public CompletionStage<Channel> open(URI endpoint, ChannelListener listener) {
      CompletableFuture<Void> released = new CompletableFuture<>();
      releases.add(released);
      return transport.open(endpoint, listener).thenApply(ch -> new Held(ch, released));
    }
  }

  private record Held(Channel channel, CompletableFuture<Void> release) implements Channel {
    @Override
    public CompletionStage<Void> send(byte[] frame) {
      return channel.send(frame);
    }

    @Override
    public boolean writable() {
      return channel.writable();
    }

    @Override
    public void close() {
      channel.close();
    }

    @Override
    public CompletionStage<Void> released() {
      return release;
    }
  }
}
