package dev.tether.vertx;

import static dev.tether.vertx.Loopback.QUIET;
import static dev.tether.vertx.Loopback.WAIT;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tether.runtime.spi.Channel;
import dev.tether.runtime.spi.ChannelListener;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.net.NetSocket;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import java.util.function.IntConsumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@link Channel#pauseReading()} on the Vert.x channels (R4): a paused channel stops reading the
 * socket, so a server writing as fast as it may sees its write queue fill; nothing arrives while
 * paused beyond what was already read; after {@link Channel#resumeReading()} every frame arrives,
 * in order.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class VertxReadPauseTest {
  /** Frames the server writes per turn of its event loop, until its write queue is full. */
  private static final int BATCH = 256;

  /** Bound on the server's write turns: far more bytes than loopback buffers hold. */
  private static final int MAX_TURNS = 10_000;

  private static final String PADDING = "x".repeat(100);

  /** The client's message that starts the server's flood. */
  private static final byte[] GO = "go".getBytes(java.nio.charset.StandardCharsets.UTF_8);

  private final Rig rig = new Rig();
  private final Vertx vertx = rig.vertx();
  private final AtomicInteger written = new AtomicInteger();
  private final AtomicBoolean serverFull = new AtomicBoolean();
  private final AtomicBoolean started = new AtomicBoolean();

  @AfterEach
  void tearDown() {
    rig.close();
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"tcp", "ws"})
  void pausedChannelPushesTheServerBackAndResumesInOrder(String kind) throws Exception {
    URI endpoint = kind.equals("tcp") ? tcpFlood() : webSocketFlood();
    RecordingListener listener = new RecordingListener();
    Channel ch =
        rig.transport()
            .open(endpoint, listener)
            .toCompletableFuture()
            .get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
    ch.pauseReading(); // from the test thread: carried out on the socket's context, in order
    ch.send(GO); // the server floods from now on
    RecordingListener.awaitTrue(serverFull::get, "the server's write queue full");
    assertThat(RecordingListener.within(() -> !listener.frames.isEmpty(), QUIET))
        .as("nothing is read while paused")
        .isFalse();

    ch.resumeReading();
    RecordingListener.awaitTrue(
        () -> listener.frames.size() == written.get(), "every written frame after the resume");
    List<String> got = new ArrayList<>(listener.frames);
    for (int i = 0; i < got.size(); i++) {
      assertThat(got.get(i)).as("frame %d", i).startsWith(i + " ");
    }
    ch.close();
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"tcp", "ws"})
  void pauseFromInsideOnFrameStopsTheNextFrameOfTheSameRead(String kind) throws Exception {
    URI endpoint = kind.equals("tcp") ? tcpFlood() : webSocketFlood();
    AtomicReference<Channel> channel = new AtomicReference<>();
    AtomicInteger atPause = new AtomicInteger(-1);
    RecordingListener recorder = new RecordingListener();
    ChannelListener pausing =
        new ChannelListener() {
          @Override
          public void onFrame(byte[] frame) {
            recorder.onFrame(frame);
            Channel ch = channel.get();
            if (ch != null && atPause.get() < 0) {
              atPause.set(recorder.frames.size());
              ch.pauseReading(); // on the socket's thread, in the middle of a read
            }
          }

          @Override
          public void onClosed(dev.tether.machine.Cause cause) {
            recorder.onClosed(cause);
          }
        };
    channel.set(
        rig.transport()
            .open(endpoint, pausing)
            .toCompletableFuture()
            .get(WAIT.toMillis(), TimeUnit.MILLISECONDS));
    channel.get().send(GO);
    RecordingListener.awaitTrue(() -> atPause.get() >= 0, "a frame after the open");
    RecordingListener.awaitTrue(serverFull::get, "the server's write queue full");
    assertThat(RecordingListener.within(() -> recorder.frames.size() > atPause.get(), QUIET))
        .as("no frame after the one that paused, not even from the same read")
        .isFalse();
    channel.get().resumeReading();
    RecordingListener.awaitTrue(
        () -> recorder.frames.size() == written.get(), "every written frame after the resume");
    channel.get().close();
  }

  @org.junit.jupiter.api.Test
  void pausedWebSocketIsNotDeclaredDeadByItsPingHeartbeat() throws Exception {
    Duration ping = VertxTransportOptions.MIN_WEB_SOCKET_PING_INTERVAL;
    rig.transport(VertxTransportOptions.builder().webSocketPingInterval(ping).build());
    RecordingListener listener = new RecordingListener();
    Channel ch =
        rig.transport()
            .open(webSocketFlood(), listener)
            .toCompletableFuture()
            .get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
    ch.pauseReading(); // the pongs now wait unread behind the data
    ch.send(GO);
    RecordingListener.awaitTrue(serverFull::get, "the server's write queue full");
    Duration misses = ping.multipliedBy(VertxTransportOptions.MAX_MISSED_PONGS + 2L);
    assertThat(listener.endsWithin(misses)).as("ended while paused: %s", listener.closed).isFalse();
    ch.resumeReading();
    RecordingListener.awaitTrue(
        () -> listener.frames.size() == written.get(), "every written frame after the resume");
    assertThat(listener.closed).isEmpty();
    ch.close();
  }

  private URI tcpFlood() throws Exception {
    int port =
        vertx
            .createNetServer()
            .connectHandler(
                (NetSocket s) ->
                    s.handler(go -> flood(i -> s.write(frame(i) + "\n"), s::writeQueueFull)))
            .listen(0, "127.0.0.1")
            .toCompletionStage()
            .toCompletableFuture()
            .get(WAIT.toMillis(), TimeUnit.MILLISECONDS)
            .actualPort();
    return URI.create("tcp://127.0.0.1:" + port);
  }

  private URI webSocketFlood() throws Exception {
    int port =
        vertx
            .createHttpServer()
            .webSocketHandler(
                (ServerWebSocket ws) ->
                    ws.handler(go -> flood(i -> ws.writeTextMessage(frame(i)), ws::writeQueueFull)))
            .listen(0, "127.0.0.1")
            .toCompletionStage()
            .toCompletableFuture()
            .get(WAIT.toMillis(), TimeUnit.MILLISECONDS)
            .actualPort();
    return URI.create("ws://127.0.0.1:" + port + "/");
  }

  private static String frame(int i) {
    return i + " " + PADDING;
  }

  /**
   * Writes numbered frames, a batch per turn of the server's event loop, until its queue is full.
   * Starts on the client's first message; later ones are ignored.
   */
  private void flood(IntConsumer write, BooleanSupplier queueFull) {
    if (!started.compareAndSet(false, true)) {
      return;
    }
    Context ctx = Vertx.currentContext();
    floodTurn(write, queueFull, ctx, 0);
  }

  private void floodTurn(IntConsumer write, BooleanSupplier queueFull, Context ctx, int turn) {
    for (int i = 0; i < BATCH && !queueFull.getAsBoolean(); i++) {
      write.accept(written.getAndIncrement());
    }
    if (queueFull.getAsBoolean()) {
      serverFull.set(true);
    } else if (turn < MAX_TURNS) {
      ctx.runOnContext(v -> floodTurn(write, queueFull, ctx, turn + 1));
    }
  }
}
