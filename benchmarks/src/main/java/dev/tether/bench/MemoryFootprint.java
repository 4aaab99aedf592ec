package dev.tether.bench;

import dev.tether.machine.ConnectionState;
import dev.tether.runtime.Connection;
import dev.tether.runtime.spi.Channel;
import dev.tether.runtime.spi.Transport;
import dev.tether.stub.VirtualScheduler;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * B5 (simulator half): retained heap per connected session, measured after full GC. The transport
 * hands every connection the same stateless channel, so what remains is Tether's own heap: the
 * driver, its machine state, listener and timer bookkeeping.
 */
final class MemoryFootprint {
  private MemoryFootprint() {}

  /** One shared channel: the transport keeps no per-connection state. */
  static final Channel SHARED =
      new Channel() {
        @Override
        public CompletionStage<Void> send(byte[] frame) {
          return CompletableFuture.completedFuture(null);
        }

        @Override
        public boolean writable() {
          return true;
        }

        @Override
        public void close() {}
      };

  /**
   * Bytes of retained heap per connected session, over {@code sessions} sessions; each heap reading
   * the least of {@code gcs} full GCs ({@link #usedAfterGc}).
   */
  static double bytesPerSession(int sessions, int gcs) {
    VirtualScheduler clock = new VirtualScheduler();
    Transport transport = (uri, listener) -> CompletableFuture.completedFuture(SHARED);
    URI endpoint = URI.create("stub://memory");
    long before = usedAfterGc(gcs);
    List<Connection> live = new ArrayList<>(sessions);
    for (int i = 0; i < sessions; i++) {
      Connection c =
          Connection.builder()
              .transport(transport)
              .endpoint(endpoint)
              .scheduler(clock)
              .random(new SplittableRandom(i))
              .build();
      c.subscribe(e -> {});
      c.start();
      live.add(c);
    }
    // Past the connect timeout, so cancelled timers have left the virtual queue.
    clock.advance(Duration.ofSeconds(11));
    long after = usedAfterGc(gcs);
    for (Connection c : live) {
      if (!(c.state() instanceof ConnectionState.Connected)) {
        throw new IllegalStateException("not connected: " + c);
      }
    }
    double perSession = (after - before) / (double) sessions;
    if (live.size() != sessions || clock.pendingTasks() < 0) {
      throw new AssertionError("unreachable; keeps the sessions and clock reachable until here");
    }
    return perSession;
  }

  /**
   * Full GCs per heap reading in the quick and full profiles: one {@code System.gc()} can leave
   * garbage that the next one collects (the heap's noise after one GC in a test JVM has been seen
   * at 2.5 MB), so the least of five readings is taken. The smoke pass, which only proves the
   * runners run, takes one: each full GC of the test JVM's heap costs a tenth of a second or more.
   */
  static final int GCS = 5;

  /** The heap in use after each of {@code gcs} full GCs: the least reading. */
  static long usedAfterGc(int gcs) {
    MemoryMXBean mem = ManagementFactory.getMemoryMXBean();
    long used = Long.MAX_VALUE;
    for (int i = 0; i < gcs; i++) {
      System.gc();
      used = Math.min(used, mem.getHeapMemoryUsage().getUsed());
    }
    return used;
  }
}
