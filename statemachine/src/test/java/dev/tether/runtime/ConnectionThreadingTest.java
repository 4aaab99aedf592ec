package dev.tether.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tether.machine.ConnectionState;
import dev.tether.machine.LifecycleEvent;
import dev.tether.runtime.spi.Channel;
import dev.tether.runtime.spi.Transport;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Public methods called from many threads at once, on the default owned-thread scheduler. */
class ConnectionThreadingTest {

  static final Transport ACCEPTING =
      (uri, listener) ->
          CompletableFuture.completedFuture(
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
              });

  @Test
  void everyConcurrentSubscriberGetsExactlyOneTerminalEventLast() throws Exception {
    for (int round = 0; round < 20; round++) {
      Connection c =
          Connection.builder()
              .transport(ACCEPTING)
              .endpoint(URI.create("test://concurrent"))
              .build();
      int threads = 8;
      List<List<LifecycleEvent>> seen = new ArrayList<>();
      CountDownLatch ready = new CountDownLatch(1);
      List<Thread> workers = new ArrayList<>();
      for (int i = 0; i < threads; i++) {
        List<LifecycleEvent> mine = new CopyOnWriteArrayList<>();
        seen.add(mine);
        Thread t =
            new Thread(
                () -> {
                  awaitQuietly(ready);
                  c.subscribe(mine::add);
                });
        workers.add(t);
        t.start();
      }
      c.start();
      ready.countDown();
      c.close("round over");
      for (Thread t : workers) {
        t.join(TimeUnit.SECONDS.toMillis(5));
      }
      assertThat(c.terminated().toCompletableFuture().get(5, TimeUnit.SECONDS))
          .isEqualTo(new ConnectionState.Closed("round over"));
      for (List<LifecycleEvent> events : seen) {
        // Registration may be queued behind close; the late subscriber still gets the end.
        CompletableFuture<Void> settled = new CompletableFuture<>();
        c.subscribe(e -> settled.complete(null));
        settled.get(5, TimeUnit.SECONDS);
        assertThat(events).last().isEqualTo(new LifecycleEvent.Closed("round over"));
        assertThat(events).filteredOn(LifecycleEvent::isTerminal).hasSize(1);
      }
    }
  }

  private static void awaitQuietly(CountDownLatch latch) {
    try {
      latch.await(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
