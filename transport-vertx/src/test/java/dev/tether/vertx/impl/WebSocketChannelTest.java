package dev.tether.vertx.impl;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tether.machine.Cause;
import dev.tether.runtime.spi.ChannelListener;
import dev.tether.vertx.VertxTransportOptions;
import io.netty.channel.WriteBufferWaterMark;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.internal.http.WebSocketInternal;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The socket under a channel gets the write-queue high-water mark of the options: left at Netty's
 * default when it is the same (no water-mark object per socket, B5), set when it differs.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class WebSocketChannelTest {
  private static final long WAIT_SECONDS = 15;

  private final Vertx vertx = Vertx.vertx();

  @AfterEach
  void tearDown() throws Exception {
    vertx.close().toCompletionStage().toCompletableFuture().get(WAIT_SECONDS, TimeUnit.SECONDS);
  }

  @Test
  void defaultHighWaterMarkKeepsNettysSharedWaterMark() throws Exception {
    WriteBufferWaterMark mark = attachedMark(VertxTransportOptions.defaults());
    assertThat(mark).isSameAs(WriteBufferWaterMark.DEFAULT);
    assertThat(mark.high())
        .isEqualTo(VertxTransportOptions.DEFAULT_WRITE_QUEUE_HIGH_WATER_BYTES)
        .isEqualTo(VertxTransportOptions.defaults().writeQueueHighWaterBytes());
    assertThat(mark.low()).isEqualTo(mark.high() / 2);
  }

  @Test
  void otherHighWaterMarkIsSetOnTheSocket() throws Exception {
    int high = 16 * 1024;
    WriteBufferWaterMark mark =
        attachedMark(VertxTransportOptions.builder().writeQueueHighWaterBytes(high).build());
    assertThat(mark.high()).isEqualTo(high);
    assertThat(mark.low()).isEqualTo(high / 2);
  }

  /** Attaches a channel with {@code options} to a fresh loopback WebSocket; its socket's marks. */
  private WriteBufferWaterMark attachedMark(VertxTransportOptions options) throws Exception {
    HttpServer server = vertx.createHttpServer().webSocketHandler(ws -> {});
    await(server.listen(0, "127.0.0.1"));
    WebSocketClient client = vertx.createWebSocketClient();
    WebSocket ws = await(client.connect(server.actualPort(), "127.0.0.1", "/"));
    CompletableFuture<WebSocketChannel> attached = new CompletableFuture<>();
    ((WebSocketInternal) ws)
        .channelHandlerContext()
        .executor()
        .execute(
            () ->
                attached.complete(
                    WebSocketChannel.attach(ws, vertx, new Quiet(), options, () -> {})));
    WebSocketChannel channel = attached.get(WAIT_SECONDS, TimeUnit.SECONDS);
    try {
      return ((WebSocketInternal) ws)
          .channelHandlerContext()
          .channel()
          .config()
          .getWriteBufferWaterMark();
    } finally {
      channel.close();
      await(client.close());
      await(server.close());
    }
  }

  private static <T> T await(Future<T> f) throws Exception {
    return f.toCompletionStage().toCompletableFuture().get(WAIT_SECONDS, TimeUnit.SECONDS);
  }

  private static final class Quiet implements ChannelListener {
    @Override
    public void onFrame(byte[] frame) {}

    @Override
    public void onClosed(Cause cause) {}
  }
}
