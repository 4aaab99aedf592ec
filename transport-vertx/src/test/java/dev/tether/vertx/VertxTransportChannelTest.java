package dev.tether.vertx;

import static dev.tether.vertx.Loopback.WAIT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tether.machine.Cause;
import dev.tether.runtime.spi.Channel;
import dev.tether.runtime.spi.ChannelListener;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.http.WebSocketFrame;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * One channel at a time over real loopback sockets: ends are reported exactly once whatever
 * callbacks Vert.x fires, oversize frames end the channel with a clear cause, and writes respect
 * backpressure with a bounded buffer.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class VertxTransportChannelTest {
  private static final int SMALL_FRAME_BYTES = 1024;

  /** Enough connections that a race between the peer's first write and the open shows up. */
  private static final int CONNECTIONS_FROM_FOREIGN_THREAD = 30;

  /** More live WebSockets to one server than Vert.x's default client pool allows (50). */
  private static final int MANY_WEBSOCKETS = 60;

  private final Rig rig = new Rig();
  private final Vertx vertx = rig.vertx();
  private VertxTransport transport;

  @AfterEach
  void tearDown() throws Exception {
    rig.close();
  }

  @Test
  void peerCloseOnTcpIsReportedOnce() throws Exception {
    URI endpoint =
        tcpServer(socket -> socket.write("hello\r\n").onComplete((ok, err) -> socket.close()));
    transport = rig.transport();
    RecordingListener listener = new RecordingListener();
    open(endpoint, listener);

    assertThat(listener.nextFrame()).isEqualTo("hello");
    Cause end = listener.awaitSingleEnd();
    assertThat(end.kind()).isEqualTo(Cause.Kind.CHANNEL_CLOSED);
    assertThat(transport.openChannels()).isZero();
  }

  @Test
  void linesSentTheMomentThePeerAcceptsAreNotLostWhenOpenedFromAnyThread() throws Exception {
    int lines = 50;
    URI endpoint =
        tcpServer(
            socket -> {
              StringBuilder burst = new StringBuilder();
              for (int i = 0; i < lines; i++) {
                burst.append("line ").append(i).append('\n');
              }
              socket.write(burst.toString());
            });
    transport = rig.transport();
    // The test thread is not a Vert.x thread: the peer's first bytes may arrive before the open
    // completes, and must still reach the listener, in order.
    for (int connection = 0; connection < CONNECTIONS_FROM_FOREIGN_THREAD; connection++) {
      RecordingListener listener = new RecordingListener();
      Channel channel = open(endpoint, listener);
      for (int i = 0; i < lines; i++) {
        assertThat(listener.nextFrame()).as("connection %d", connection).isEqualTo("line " + i);
      }
      channel.close();
    }
  }

  @Test
  void webSocketMessagesArriveWholeWhetherSentInOneFrameOrInFragments() throws Exception {
    URI endpoint =
        webSocketServer(
            ws -> {
              ws.writeTextMessage("{\"whole\":\"é✓\"}");
              ws.writeFrame(WebSocketFrame.textFrame("{\"in\":\"thr", false));
              ws.writeFrame(WebSocketFrame.continuationFrame(Buffer.buffer("ee ✓ fr"), false));
              ws.writeFrame(WebSocketFrame.continuationFrame(Buffer.buffer("agments\"}"), true));
              ws.writeBinaryMessage(Buffer.buffer("binary"));
              ws.writeFrame(WebSocketFrame.binaryFrame(Buffer.buffer("bin"), false));
              ws.writeFrame(WebSocketFrame.continuationFrame(Buffer.buffer("ary 2"), true));
              ws.writeTextMessage("last");
            });
    transport = rig.transport();
    RecordingListener listener = new RecordingListener();
    Channel channel = open(endpoint, listener);

    assertThat(listener.nextFrame()).isEqualTo("{\"whole\":\"é✓\"}");
    assertThat(listener.nextFrame()).isEqualTo("{\"in\":\"three ✓ fragments\"}");
    assertThat(listener.nextFrame()).isEqualTo("binary");
    assertThat(listener.nextFrame()).isEqualTo("binary 2");
    assertThat(listener.nextFrame()).isEqualTo("last");
    channel.close();
  }

  @Test
  void fragmentedMessageOverMaxFrameBytesEndsChannelWithFrameTooLarge() throws Exception {
    String half = "f".repeat(SMALL_FRAME_BYTES * 3 / 4); // each fragment fits, the message does not
    URI endpoint =
        webSocketServer(
            ws -> {
              ws.writeTextMessage("fits");
              ws.writeFrame(WebSocketFrame.textFrame(half, false));
              ws.writeFrame(WebSocketFrame.continuationFrame(Buffer.buffer(half), true));
              ws.writeTextMessage("never delivered");
            });
    transport = rig.transport(small());
    RecordingListener listener = new RecordingListener();
    open(endpoint, listener);

    assertThat(listener.nextFrame()).isEqualTo("fits");
    Cause end = listener.awaitSingleEnd();
    assertThat(end.kind()).as("cause %s", end).isEqualTo(Cause.Kind.FRAME_TOO_LARGE);
    assertThat(end.message()).contains("maxFrameBytes " + SMALL_FRAME_BYTES);
    assertThat(listener.frames).isEmpty();
  }

  @Test
  void oneTransportHoldsMoreThanFiftyWebSocketsToOneServer() throws Exception {
    // Vert.x's WebSocket client queues connects past 50 per host:port unless told otherwise.
    URI endpoint = webSocketServer(ws -> ws.writeTextMessage("hi"));
    transport = rig.transport();
    java.util.List<Channel> channels = new java.util.ArrayList<>();
    for (int i = 0; i < MANY_WEBSOCKETS; i++) {
      RecordingListener listener = new RecordingListener();
      channels.add(open(endpoint, listener));
      assertThat(listener.nextFrame()).isEqualTo("hi");
    }
    assertThat(transport.openChannels()).isEqualTo(MANY_WEBSOCKETS);
    channels.forEach(Channel::close);
  }

  @Test
  void localCloseIsReportedOnceAndLaterSendsFail() throws Exception {
    URI endpoint = tcpServer(socket -> socket.handler(socket::write)); // echo
    transport = rig.transport();
    RecordingListener listener = new RecordingListener();
    Channel ch = open(endpoint, listener);
    ch.send(bytes("ping")).toCompletableFuture().get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
    assertThat(listener.nextFrame()).isEqualTo("ping");

    ch.close();
    ch.close();
    assertThat(listener.awaitSingleEnd())
        .isEqualTo(Cause.of(Cause.Kind.CHANNEL_CLOSED, "closed locally"));
    assertThatThrownBy(
            () ->
                ch.send(bytes("late"))
                    .toCompletableFuture()
                    .get(WAIT.toMillis(), TimeUnit.MILLISECONDS))
        .isInstanceOf(ExecutionException.class)
        .hasMessageContaining("closed");
    assertThat(ch.writable()).isFalse();
  }

  @Test
  void closingTheTransportEndsItsChannelsOnceAndRefusesNewOnes() throws Exception {
    URI tcp = tcpServer(socket -> {});
    URI ws = webSocketServer(w -> {});
    transport = rig.transport();
    RecordingListener onTcp = new RecordingListener();
    RecordingListener onWs = new RecordingListener();
    open(tcp, onTcp);
    open(ws, onWs);
    assertThat(transport.openChannels()).isEqualTo(2);

    transport.close();
    assertThat(onTcp.awaitSingleEnd().kind()).isEqualTo(Cause.Kind.CHANNEL_CLOSED);
    assertThat(onWs.awaitSingleEnd().kind()).isEqualTo(Cause.Kind.CHANNEL_CLOSED);
    assertThat(transport.openChannels()).isZero();
    assertThatThrownBy(() -> open(tcp, new RecordingListener()))
        .hasMessageContaining("transport is closed");
  }

  @Test
  void ipv6LoopbackEndpointsWork() throws Exception {
    NetServer echo =
        vertx.createNetServer().connectHandler(socket -> socket.handler(socket::write));
    int port;
    try {
      port = await(echo.listen(0, "::1")).actualPort();
    } catch (ExecutionException e) {
      Assumptions.abort("no IPv6 loopback here: " + e.getMessage());
      return;
    }
    transport = rig.transport();
    RecordingListener listener = new RecordingListener();
    Channel ch = open(URI.create("tcp://[::1]:" + port), listener);
    ch.send(bytes("{\"v6\":true}"))
        .toCompletableFuture()
        .get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
    assertThat(listener.nextFrame()).isEqualTo("{\"v6\":true}");
    ch.close();
  }

  @Test
  void webSocketCloseFrameIsReportedOnceWithStatus() throws Exception {
    URI endpoint =
        webSocketServer(
            ws ->
                ws.writeTextMessage("hi")
                    .onComplete((ok, err) -> ws.close((short) 1001, "going away")));
    transport = rig.transport();
    RecordingListener listener = new RecordingListener();
    open(endpoint, listener);

    assertThat(listener.nextFrame()).isEqualTo("hi");
    Cause end = listener.awaitSingleEnd();
    assertThat(end.kind()).isEqualTo(Cause.Kind.CHANNEL_CLOSED);
    assertThat(end.message()).contains("1001").contains("going away");
    assertThat(transport.openChannels()).isZero();
  }

  @Test
  void oversizeLineEndsChannelWithFrameTooLarge() throws Exception {
    String fits = "a".repeat(SMALL_FRAME_BYTES);
    String tooLong = "b".repeat(4 * SMALL_FRAME_BYTES); // no newline: must not be buffered forever
    URI endpoint = tcpServer(socket -> socket.write(fits + "\n" + tooLong));
    transport = rig.transport(small());
    RecordingListener listener = new RecordingListener();
    open(endpoint, listener);

    assertThat(listener.nextFrame()).isEqualTo(fits);
    Cause end = listener.awaitSingleEnd();
    assertThat(end.kind()).isEqualTo(Cause.Kind.FRAME_TOO_LARGE);
    assertThat(end.message()).contains("maxFrameBytes " + SMALL_FRAME_BYTES);
    assertThat(listener.frames).isEmpty();
  }

  @Test
  void oversizeWebSocketMessageEndsChannel() throws Exception {
    URI endpoint = webSocketServer(ws -> ws.writeTextMessage("c".repeat(4 * SMALL_FRAME_BYTES)));
    transport = rig.transport(small());
    RecordingListener listener = new RecordingListener();
    open(endpoint, listener);

    Cause end = listener.awaitSingleEnd();
    assertThat(end.kind()).as("cause %s", end).isEqualTo(Cause.Kind.FRAME_TOO_LARGE);
    assertThat(end.message()).contains("maxFrameBytes " + SMALL_FRAME_BYTES);
    assertThat(listener.frames).isEmpty();
  }

  @Test
  void sendRefusesOversizeFramesAndNewlinesOnLineChannels() throws Exception {
    URI endpoint = tcpServer(socket -> {});
    transport = rig.transport(small());
    Channel ch = open(endpoint, new RecordingListener());
    assertThatThrownBy(
            () ->
                ch.send(bytes("x".repeat(SMALL_FRAME_BYTES + 1)))
                    .toCompletableFuture()
                    .get(WAIT.toMillis(), TimeUnit.MILLISECONDS))
        .hasMessageContaining("exceeds maxFrameBytes");
    assertThatThrownBy(
            () ->
                ch.send(bytes("{}\n{}"))
                    .toCompletableFuture()
                    .get(WAIT.toMillis(), TimeUnit.MILLISECONDS))
        .hasMessageContaining("newline");
    assertThat(ch.writable()).isTrue();
  }

  @Test
  void serverThatNeverAnswersTheUpgradeFailsTheOpenWithinTheConnectTimeout() throws Exception {
    URI tcp = tcpServer(socket -> {}); // accepts, reads, never answers
    URI endpoint = URI.create("ws://127.0.0.1:" + tcp.getPort() + "/ws");
    transport =
        rig.transport(
            VertxTransportOptions.builder().connectTimeout(Duration.ofMillis(300)).build());
    CompletableFuture<Channel> opening =
        transport.open(endpoint, new RecordingListener()).toCompletableFuture();
    assertThatThrownBy(() -> opening.get(WAIT.toMillis(), TimeUnit.MILLISECONDS))
        .isInstanceOf(ExecutionException.class)
        .hasMessageContaining("cannot open " + endpoint);
    assertThat(transport.openChannels()).isZero();
  }

  @Test
  void connectTimeoutDoesNotCloseAnIdleOpenChannel() throws Exception {
    URI endpoint = webSocketServer(ws -> {});
    transport =
        rig.transport(
            VertxTransportOptions.builder().connectTimeout(Duration.ofMillis(200)).build());
    RecordingListener listener = new RecordingListener();
    Channel ch = open(endpoint, listener);
    // Idle for three connect timeouts: the channel must not end.
    assertThat(listener.endsWithin(Duration.ofMillis(3 * 200))).isFalse();
    assertThat(ch.writable()).isTrue();
    ch.close();
  }

  @Test
  void unsupportedSchemeIsRejectedByName() {
    transport = rig.transport();
    assertThatThrownBy(
            () -> transport.open(URI.create("http://127.0.0.1:1/"), new RecordingListener()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'http'");
  }

  @Test
  void refusedConnectFailsNamingTheEndpoint() throws Exception {
    // A port this test holds bound but not listening: a connect to it is refused, and nothing else
    // can listen there meanwhile. (A server's port closed before the connect could be taken by a
    // server of a parallel build, and the connect then succeeded.)
    try (Socket held = new Socket()) {
      held.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
      URI endpoint = URI.create("tcp://127.0.0.1:" + held.getLocalPort());
      transport = rig.transport();
      CompletableFuture<Channel> opening =
          transport.open(endpoint, new RecordingListener()).toCompletableFuture();
      assertThatThrownBy(() -> opening.get(WAIT.toMillis(), TimeUnit.MILLISECONDS))
          .hasMessageContaining("cannot open " + endpoint);
    }
  }

  @Test
  void slowReaderMakesChannelUnwritableUntilDrainAndBoundsTheBuffer() throws Exception {
    CompletableFuture<NetSocket> serverSide = new CompletableFuture<>();
    URI endpoint =
        tcpServer(
            socket -> {
              socket.pause(); // a peer that stops reading
              serverSide.complete(socket);
            });
    int frameBytes = 64 * 1024;
    VertxTransportOptions options =
        VertxTransportOptions.builder()
            .maxFrameBytes(frameBytes)
            .maxOutboundBytes(1024 * 1024)
            .writeQueueHighWaterBytes(frameBytes)
            .build();
    transport = rig.transport(options);
    RecordingListener listener = new RecordingListener();
    Context context = vertx.getOrCreateContext();
    Channel ch =
        onContext(context, () -> transport.open(endpoint, listener))
            .get(WAIT.toMillis(), TimeUnit.MILLISECONDS)
            .toCompletableFuture()
            .get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
    NetSocket peer = serverSide.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);

    // Fill kernel buffers, then our queue, until a frame is refused and the queue stays full.
    byte[] frame = bytes("z".repeat(frameBytes - 1));
    Throwable refused = null;
    boolean saturated = false;
    for (int round = 0; round < MAX_FILL_ROUNDS && !saturated; round++) {
      Throwable r =
          onContext(context, () -> sendUntilRefused(ch, frame))
              .get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
      refused = r == null ? refused : r;
      // Give the event loop a moment to flush what the kernel still takes.
      RecordingListener.within(() -> !ch.writable(), Duration.ofMillis(20));
      saturated = refused != null && !ch.writable();
    }
    assertThat(saturated).as("saturated after at most %s rounds", MAX_FILL_ROUNDS).isTrue();
    assertThat(refused)
        .isInstanceOf(OutboundBufferFullException.class)
        .hasMessageContaining("maxOutboundBytes 1048576");
    assertThat(listener.writability).contains(false);

    peer.resume(); // the peer reads again: the queue drains and the channel says so
    RecordingListener.awaitTrue(
        () ->
            !listener.writability.isEmpty()
                && listener.writability.get(listener.writability.size() - 1),
        "writable again");
    assertThat(ch.writable()).isTrue();
    ch.send(frame).toCompletableFuture().get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
  }

  /**
   * The connection's context is the socket's event loop, where Vert.x flushes every write made
   * outside a read at once: a burst of requests cost one system call, and one TCP segment, each.
   * Frames sent in one turn of the loop must leave in one flush, so the peer reads them at once.
   */
  @Test
  void framesSentInOneEventLoopTurnLeaveInOneFlush() throws Exception {
    int burst = 20; // 20 short lines: far below one read buffer, so one flush is one read
    List<Integer> reads = new CopyOnWriteArrayList<>();
    AtomicInteger received = new AtomicInteger();
    CompletableFuture<Void> all = new CompletableFuture<>();
    // The peer reads on a loop of its own: on the client's, it could only read after the burst.
    Vertx peerVertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(1));
    try {
      URI endpoint =
          tcpServer(
              peerVertx,
              socket -> {
                AtomicBoolean greeted = new AtomicBoolean();
                socket.handler(
                    buffer -> {
                      if (greeted.compareAndSet(false, true)) {
                        // The client's greeting: now it holds its channel. It sends its burst from
                        // the socket's own loop when it hears "go".
                        socket.write("go\n");
                        return;
                      }
                      reads.add(buffer.length());
                      if (received.addAndGet(buffer.length()) >= burst * "frame 00\n".length()) {
                        all.complete(null);
                      }
                    });
              });
      transport = rig.transport();
      AtomicReference<Channel> channel = new AtomicReference<>();
      CompletableFuture<Void> go = new CompletableFuture<>();
      ChannelListener listener =
          new ChannelListener() {
            @Override
            public void onFrame(byte[] frame) {
              // A task of its own on this loop: inside a read, Vert.x defers flushes by itself.
              Vertx.currentContext()
                  .runOnContext(
                      v -> {
                        for (int i = 0; i < burst; i++) {
                          channel.get().send(bytes(String.format("frame %02d", i)));
                        }
                        go.complete(null);
                      });
            }

            @Override
            public void onClosed(Cause cause) {
              go.completeExceptionally(new AssertionError("closed: " + cause));
            }
          };
      channel.set(open(endpoint, listener));
      channel.get().send(bytes("hello"));
      go.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
      all.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);

      assertThat(reads).as("bytes per server read").hasSize(1);
    } finally {
      await(peerVertx.close());
    }
  }

  /** Bound on fill rounds: each round queues up to 64 × 64 KiB, far beyond loopback buffers. */
  private static final int MAX_FILL_ROUNDS = 200;

  private static Throwable sendUntilRefused(Channel ch, byte[] frame) {
    for (int i = 0; i < 64; i++) {
      CompletableFuture<Void> sent = ch.send(frame).toCompletableFuture();
      if (sent.isCompletedExceptionally()) {
        try {
          sent.join();
        } catch (java.util.concurrent.CompletionException e) {
          return e.getCause();
        }
      }
    }
    return null;
  }

  // ---------------------------------------------------------------- fixtures

  private URI tcpServer(Consumer<NetSocket> onConnect) throws Exception {
    return tcpServer(vertx, onConnect);
  }

  private URI tcpServer(Vertx on, Consumer<NetSocket> onConnect) throws Exception {
    NetServer server = on.createNetServer().connectHandler(onConnect::accept);
    int port = await(server.listen(0, "127.0.0.1")).actualPort();
    return URI.create("tcp://127.0.0.1:" + port);
  }

  private URI webSocketServer(Consumer<ServerWebSocket> onConnect) throws Exception {
    HttpServer server = vertx.createHttpServer().webSocketHandler(onConnect::accept);
    int port = await(server.listen(0, "127.0.0.1")).actualPort();
    return URI.create("ws://127.0.0.1:" + port + "/ws");
  }

  private Channel open(URI endpoint, ChannelListener listener) throws Exception {
    return transport
        .open(endpoint, listener)
        .toCompletableFuture()
        .get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
  }

  private static VertxTransportOptions small() {
    return VertxTransportOptions.builder().maxFrameBytes(SMALL_FRAME_BYTES).build();
  }

  private static <T> CompletableFuture<T> onContext(
      Context context, java.util.function.Supplier<T> task) {
    CompletableFuture<T> result = new CompletableFuture<>();
    context.runOnContext(
        v -> {
          try {
            result.complete(task.get());
          } catch (RuntimeException e) {
            result.completeExceptionally(e);
          }
        });
    return result;
  }

  private static <T> T await(Future<T> f) throws Exception {
    return f.toCompletionStage().toCompletableFuture().get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
