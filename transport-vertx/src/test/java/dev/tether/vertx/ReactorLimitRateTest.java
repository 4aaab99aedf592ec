package dev.tether.vertx;

import static dev.tether.vertx.Loopback.QUIET;
import static dev.tether.vertx.Loopback.WAIT;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tether.machine.BackoffPolicy;
import dev.tether.rpc.Dialect;
import dev.tether.rpc.RpcConnection;
import dev.tether.rpc.StreamPublisher;
import dev.tether.runtime.spi.Channel;
import dev.tether.runtime.spi.Transport;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.net.NetSocket;
import java.net.URI;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.reactivestreams.Subscription;
import reactor.adapter.JdkFlowAdapter;
import reactor.core.publisher.BaseSubscriber;

/**
 * Read flow control end to end on a real socket: a Reactor {@code Flux} of a {@link
 * StreamPublisher} with {@code limitRate}, whose consumer stops taking events, makes the transport
 * pause reading, so a server that floods on 127.0.0.1 sees its write queue fill (TCP pushes it
 * back); when the consumer takes again, every event arrives, in order, none dropped.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ReactorLimitRateTest {
  /** Lines the server writes per turn of its event loop, until its write queue is full. */
  private static final int BATCH = 256;

  /** Bound on the server's write turns: far more bytes than loopback buffers hold. */
  private static final int MAX_TURNS = 10_000;

  /** Events the consumer takes before it stops. */
  private static final int TAKEN_FIRST = 10;

  private static final String PADDING = "x".repeat(100);

  private final Rig rig = new Rig();
  private final Vertx vertx = rig.vertx();
  private final AtomicInteger written = new AtomicInteger();
  private final AtomicBoolean serverFull = new AtomicBoolean();
  private final AtomicBoolean started = new AtomicBoolean();
  private final AtomicInteger pauses = new AtomicInteger();
  private final AtomicBoolean paused = new AtomicBoolean();

  @AfterEach
  void tearDown() {
    rig.close();
  }

  /** Takes {@link #TAKEN_FIRST} events, one at a time, then nothing until told. */
  static final class SlowConsumer extends BaseSubscriber<JsonNode> {
    final ConcurrentLinkedQueue<Integer> got = new ConcurrentLinkedQueue<>();

    @Override
    protected void hookOnSubscribe(Subscription subscription) {
      request(1);
    }

    @Override
    protected void hookOnNext(JsonNode event) {
      got.add(event.path("n").asInt());
      if (got.size() < TAKEN_FIRST) {
        request(1);
      }
    }
  }

  @Test
  void limitRateWithASlowConsumerPausesTheSocket() throws Exception {
    RpcConnection rpc =
        RpcConnection.builder()
            .transport(counting(rig.transport()))
            .endpoint(floodServer())
            .dialect(Dialect.plain())
            .policy(BackoffPolicy.builder().maxAttempts(1).build())
            .build();
    SlowConsumer consumer = new SlowConsumer();
    try {
      rpc.start();
      JdkFlowAdapter.flowPublisherToFlux(StreamPublisher.builder(rpc, "tick").prefetch(16).build())
          .limitRate(8)
          .subscribe(consumer);
      rpc.notify("go", null); // the server floods from now on

      RecordingListener.awaitTrue(serverFull::get, "the server's write queue full");
      RecordingListener.awaitTrue(paused::get, "the transport paused reading");
      // Delivery runs on the publisher's executor: the socket may pause (the lane holds its
      // prefetch) before the consumer has been handed its first events.
      RecordingListener.awaitTrue(
          () -> consumer.got.size() >= TAKEN_FIRST, "the consumer took its first events");
      assertThat(consumer.got).as("and no more").hasSize(TAKEN_FIRST);
      // Frames of a chunk the socket delivered before the pause are still decoded after it, so
      // reading is seen to stop once no frame arrives for QUIET (bounded by WAIT), and then the
      // rest waits with the server.
      long read = readingStops(rpc);
      assertThat(read).as("the rest waits with the server").isLessThan(written.get());

      consumer.request(Long.MAX_VALUE);
      RecordingListener.awaitTrue(
          () -> consumer.got.size() == written.get(), "every written event after the consumer");
      int i = 0;
      for (int n : consumer.got) {
        assertThat(n).as("event %d", i).isEqualTo(i++);
      }
      assertThat(pauses.get()).isPositive();
      assertThat(paused.get()).as("reading resumed").isFalse();
      assertThat(rpc.stats().eventsDropped()).isZero();
    } finally {
      consumer.dispose();
      rpc.close();
      rpc.terminated().toCompletableFuture().get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
    }
  }

  /**
   * Waits until no frame is read for {@code QUIET}, and returns the frames read by then.
   *
   * @throws AssertionError if frames keep arriving for {@code WAIT}: reading did not stop
   */
  private static long readingStops(RpcConnection rpc) throws InterruptedException {
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (System.nanoTime() < deadline) {
      long read = rpc.stats().framesIn();
      if (!RecordingListener.within(() -> rpc.stats().framesIn() > read, QUIET)) {
        return read;
      }
    }
    throw new AssertionError("frames were still read after " + WAIT + ": reading never paused");
  }

  /** The transport, with each channel's pauses and resumes counted: what the test observes. */
  private Transport counting(Transport inner) {
    return (uri, listener) ->
        inner.open(uri, listener).thenApply(ch -> (Channel) new CountingChannel(ch));
  }

  private final class CountingChannel implements Channel {
    private final Channel inner;

    CountingChannel(Channel inner) {
      this.inner = inner;
    }

    @Override
    public CompletionStage<Void> send(byte[] frame) {
      return inner.send(frame);
    }

    @Override
    public boolean writable() {
      return inner.writable();
    }

    @Override
    public void close() {
      inner.close();
    }

    @Override
    public void pauseReading() {
      pauses.incrementAndGet();
      paused.set(true);
      inner.pauseReading();
    }

    @Override
    public void resumeReading() {
      paused.set(false);
      inner.resumeReading();
    }

    @Override
    public CompletionStage<Void> released() {
      return inner.released();
    }
  }

  /** A TCP server that, on the client's first line, floods {@code tick} notifications. */
  private URI floodServer() throws Exception {
    int port =
        vertx
            .createNetServer()
            .connectHandler((NetSocket s) -> s.handler(go -> flood(s, Vertx.currentContext())))
            .listen(0, "127.0.0.1")
            .toCompletionStage()
            .toCompletableFuture()
            .get(WAIT.toMillis(), TimeUnit.MILLISECONDS)
            .actualPort();
    return URI.create("tcp://127.0.0.1:" + port);
  }

  private void flood(NetSocket s, Context ctx) {
    if (started.compareAndSet(false, true)) {
      floodTurn(s, ctx, 0);
    }
  }

  private void floodTurn(NetSocket s, Context ctx, int turn) {
    for (int i = 0; i < BATCH && !s.writeQueueFull(); i++) {
      s.write(
          "{\"jsonrpc\":\"2.0\",\"method\":\"tick\",\"params\":{\"n\":"
              + written.getAndIncrement()
              + ",\"pad\":\""
              + PADDING
              + "\"}}\n");
    }
    if (s.writeQueueFull()) {
      serverFull.set(true);
    } else if (turn < MAX_TURNS) {
      ctx.runOnContext(v -> floodTurn(s, ctx, turn + 1));
    }
  }
}
