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

  /** Bytes of retained heap per connected session, over {@code sessions} sessions. */
  static double bytesPerSession(int sessions) {
    VirtualScheduler clock = new VirtualScheduler();
    Transport transport = (uri, listener) -> CompletableFuture.completedFuture(SHARED);
    URI endpoint = URI.create("stub://memory");
    long before = usedAfterGc();
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
    long after = usedAfterGc();
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

  static long usedAfterGc() {
    MemoryMXBean mem = ManagementFactory.getMemoryMXBean();
    long used = Long.MAX_VALUE;
    for (int i = 0; i < 5; i++) {
      System.gc();
      used = Math.min(used, mem.getHeapMemoryUsage().getUsed());
    }
    return used;
  }
}
