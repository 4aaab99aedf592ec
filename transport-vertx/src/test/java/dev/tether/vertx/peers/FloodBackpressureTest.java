package dev.tether.vertx.peers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tether.machine.LifecycleEvent;
import dev.tether.rpc.Delivery;
import dev.tether.rpc.RpcConnection;
import dev.tether.rpc.RpcConnectionBuilder;
import dev.tether.vertx.Rig;
import dev.tether.vertx.VertxScheduler;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Read backpressure (R4) on a real socket: a Node {@code ws} server floods {@code tick}
 * notifications as fast as TCP lets it, and the client's handler takes {@link #HANDLER_COST} per
 * event. The client must stop reading (so TCP pushes back and the server's buffer fills) instead of
 * queueing frames without bound, whatever its scheduler, and a slow {@code PAUSE} consumer must
 * never cost the connection.
 *
 * <p>Each case runs for {@link #RUN}; the heap is sampled after a GC every {@link #SAMPLE_EVERY}
 * and the case fails as soon as it grows past {@link #MAX_HEAP_GROWTH_BYTES} (before it could
 * exhaust the test JVM). The Node process is killed in {@link #tearDown()}, whatever happened.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class FloodBackpressureTest {
  /** How long each case floods: the OOM came within about 6 s, the storm within 1 s. */
  private static final Duration RUN = Duration.ofSeconds(30);

  /** What the user's handler costs per event. */
  private static final Duration HANDLER_COST = Duration.ofMillis(2);

  private static final Duration SAMPLE_EVERY = Duration.ofSeconds(1);

  /**
   * Heap growth (after GC, over the heap before the connection started) the client may hold: the
   * client's own bounds (hop queue, look-ahead, lane) hold a few MiB of these small frames; an
   * unbounded queue passes this within seconds of the flood.
   */
  private static final long MAX_HEAP_GROWTH_BYTES = 64L * 1024 * 1024;

  /** The PAUSE lane's capacity, as in the issue. */
  private static final int LANE_CAPACITY = 256;

  private final Rig rig = new Rig();
  private final List<LifecycleEvent> events = new CopyOnWriteArrayList<>();
  private NodePeer peer;
  private RpcConnection rpc;
  private ExecutorService laneExecutor;

  @AfterEach
  void tearDown() throws InterruptedException {
    try {
      if (rpc != null) {
        rpc.close();
        rpc.terminated().toCompletableFuture().completeOnTimeout(null, 10, TimeUnit.SECONDS).join();
      }
    } finally {
      if (peer != null) {
        peer.close();
      }
      if (laneExecutor != null) {
        laneExecutor.shutdownNow();
        laneExecutor.awaitTermination(10, TimeUnit.SECONDS);
      }
      rig.close();
    }
  }

  @ParameterizedTest(name = "{0} scheduler")
  @ValueSource(strings = {"default", "vertx"})
  void slowHandlerOnOwnThreadDoesNotExhaustMemory(String scheduler) throws Exception {
    Ticks ticks = floodInto(scheduler, null);
    assertThat(ticks.gaps.get()).as("direct delivery never drops").isZero();
  }

  @ParameterizedTest(name = "{0} scheduler")
  @ValueSource(strings = {"default", "vertx"})
  void slowPauseConsumerDoesNotReconnect(String scheduler) throws Exception {
    laneExecutor = Executors.newSingleThreadExecutor();
    Ticks ticks =
        floodInto(scheduler, Delivery.queued(laneExecutor, LANE_CAPACITY, Delivery.Overflow.PAUSE));
    assertThat(ticks.gaps.get()).as("PAUSE drops nothing: sequence numbers contiguous").isZero();
    assertThat(rpc.stats().eventsDropped()).isZero();
  }

  /**
   * Runs one case: connect, flood for {@link #RUN}, check heap, reconnects, server backpressure.
   */
  private Ticks floodInto(String scheduler, Delivery delivery) throws Exception {
    peer = NodePeer.flood().start();
    RpcConnectionBuilder b =
        RpcConnection.builder().transport(rig.transport()).endpoint(peer.endpoint());
    if (scheduler.equals("vertx")) {
      b.scheduler(VertxScheduler.create(rig.vertx()));
    }
    rpc = b.build();
    rpc.subscribe(events::add);
    Ticks ticks = new Ticks();
    if (delivery == null) {
      rpc.listen("tick", ticks::handle);
    } else {
      rpc.listen("tick", ticks::handle, delivery);
    }
    MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
    long baseline = heapAfterGc(memory);
    rpc.start();
    long deadline = System.nanoTime() + RUN.toNanos();
    long peak = 0;
    while (System.nanoTime() < deadline) {
      LockSupport.parkNanos(SAMPLE_EVERY.toNanos());
      long growth = heapAfterGc(memory) - baseline;
      peak = Math.max(peak, growth);
      if (growth > MAX_HEAP_GROWTH_BYTES) {
        fail(
            "heap grew by %d MiB (bound %d MiB) after %d events; %s",
            growth >> 20, MAX_HEAP_GROWTH_BYTES >> 20, ticks.handled.get(), rpc.stats());
      }
    }
    assertThat(ticks.handled.get()).as("events handled").isPositive();
    assertThat(events)
        .as("lifecycle events: connected once, never lost")
        .hasSize(2)
        .last()
        .isInstanceOf(LifecycleEvent.Connected.class);
    assertThat(rpc.stats().reconnects()).isZero();
    assertThat(peer.output())
        .as("the server's socket buffer filled: TCP pushed back")
        .contains("FULL 1");
    assertThat(peer.output()).doesNotContain("OPEN 2");
    System.out.printf(
        "flood %s %s: %d events handled, peak heap growth %d MiB%n",
        scheduler, delivery == null ? "direct" : "PAUSE", ticks.handled.get(), peak >> 20);
    return ticks;
  }

  private static long heapAfterGc(MemoryMXBean memory) {
    System.gc();
    return memory.getHeapMemoryUsage().getUsed();
  }

  /** The user's slow handler: checks that sequence numbers are contiguous. */
  private static final class Ticks {
    final AtomicLong handled = new AtomicLong();
    final AtomicLong last = new AtomicLong();
    final AtomicLong gaps = new AtomicLong();

    void handle(JsonNode params) {
      long seq = params.path("seq").asLong();
      if (last.getAndSet(seq) + 1 != seq) {
        gaps.incrementAndGet();
      }
      handled.incrementAndGet();
      LockSupport.parkNanos(HANDLER_COST.toNanos());
    }
  }
}
