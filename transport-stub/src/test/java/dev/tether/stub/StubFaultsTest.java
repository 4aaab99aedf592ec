package dev.tether.stub;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tether.machine.Cause;
import dev.tether.runtime.spi.Channel;
import dev.tether.runtime.spi.ChannelListener;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

class StubFaultsTest {

  /** Records what the client side of a stub connection is told. */
  static final class Client implements ChannelListener {
    final List<String> frames = new ArrayList<>();
    final List<Cause> closes = new ArrayList<>();

    @Override
    public void onFrame(byte[] frame) {
      frames.add(new String(frame, StandardCharsets.UTF_8));
    }

    @Override
    public void onClosed(Cause cause) {
      closes.add(cause);
    }
  }

  @Test
  void uniformLatencyIsSeededAndWithinBounds() {
    Latency a =
        Latency.uniform(Duration.ofMillis(1), Duration.ofMillis(50), new SplittableRandom(3));
    Latency b =
        Latency.uniform(Duration.ofMillis(1), Duration.ofMillis(50), new SplittableRandom(3));
    for (int i = 0; i < 1000; i++) {
      Duration d = a.next();
      assertThat(d).isEqualTo(b.next()).isBetween(Duration.ofMillis(1), Duration.ofMillis(50));
    }
    assertThatThrownBy(
            () ->
                Latency.uniform(Duration.ofMillis(5), Duration.ofMillis(1), new SplittableRandom()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("min=PT0.005S");
  }

  @Test
  void openAnswersAfterTheDrawnLatency() {
    VirtualScheduler clock = new VirtualScheduler();
    StubNetwork net = new StubNetwork(clock);
    StubEndpoint server = net.endpoint("stub://s").latency(() -> Duration.ofMillis(30));
    CompletableFuture<Channel> opened =
        net.transport().open(server.uri(), new Client()).toCompletableFuture();
    clock.advance(Duration.ofMillis(29));
    assertThat(opened).isNotDone();
    clock.advance(Duration.ofMillis(1));
    assertThat(opened).isCompleted();
  }

  @Test
  void halfOpenConnectionLosesFramesSilentlyBothWays() {
    VirtualScheduler clock = new VirtualScheduler();
    StubNetwork net = new StubNetwork(clock);
    List<String> atServer = new ArrayList<>();
    StubEndpoint server =
        net.endpoint("stub://s")
            .onFrame((c, f) -> atServer.add(new String(f, StandardCharsets.UTF_8)));
    Client client = new Client();
    CompletableFuture<Channel> opening =
        net.transport().open(server.uri(), client).toCompletableFuture();
    clock.runUntilIdle();
    Channel ch = opening.getNow(null);
    assertThat(ch).isNotNull();
    StubConnection conn = server.connections().get(0);
    conn.silence();
    ch.send("ping".getBytes(StandardCharsets.UTF_8));
    conn.push("pong".getBytes(StandardCharsets.UTF_8));
    clock.advance(Duration.ofMinutes(1));
    assertThat(atServer).isEmpty();
    assertThat(client.frames).isEmpty();
    assertThat(client.closes).isEmpty();
    assertThat(conn.isOpen()).isTrue();
    conn.drop(Cause.of(Cause.Kind.CHANNEL_ERROR, "reset"));
    clock.runUntilIdle();
    assertThat(client.closes).hasSize(1);
  }

  @Test
  void crashLoopDropsEachNewConnectionItsLifetimeAfterAcceptingIt() {
    VirtualScheduler clock = new VirtualScheduler();
    StubNetwork net = new StubNetwork(clock);
    StubEndpoint server = net.endpoint("stub://s");
    Client before = new Client();
    net.transport().open(server.uri(), before);
    clock.runUntilIdle();
    server.crashAfter(Duration.ofSeconds(1));
    Client doomed = new Client();
    net.transport().open(server.uri(), doomed);
    clock.advance(Duration.ofMillis(999));
    assertThat(doomed.closes).isEmpty();
    clock.advance(Duration.ofMillis(1));
    assertThat(doomed.closes)
        .containsExactly(
            Cause.of(Cause.Kind.CHANNEL_CLOSED, "peer crashed 1000 ms after accepting"));
    assertThat(before.closes).as("open before the crash loop began").isEmpty();
    server.crashAfter(Duration.ZERO);
    Client healed = new Client();
    net.transport().open(server.uri(), healed);
    clock.advance(Duration.ofMinutes(1));
    assertThat(healed.closes).isEmpty();
    assertThat(server.openCount()).isEqualTo(2);
    assertThat(clock.pendingTasks()).isZero();
  }

  @Test
  void connectionClosedBeforeItsCrashLeavesNoTimerBehind() {
    VirtualScheduler clock = new VirtualScheduler();
    StubNetwork net = new StubNetwork(clock);
    StubEndpoint server = net.endpoint("stub://s").crashAfter(Duration.ofHours(1));
    CompletableFuture<Channel> opened =
        net.transport().open(server.uri(), new Client()).toCompletableFuture();
    clock.runUntilIdle();
    assertThat(clock.pendingTasks()).isEqualTo(1);
    opened.getNow(null).close();
    clock.runUntilIdle();
    assertThat(clock.pendingTasks()).isZero();
    assertThatThrownBy(() -> server.crashAfter(Duration.ofMillis(-1)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("lifetime");
  }
}
