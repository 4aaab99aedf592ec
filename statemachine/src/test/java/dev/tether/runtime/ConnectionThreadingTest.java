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

  final List<Throwable> workerFailures = new CopyOnWriteArrayList<>();

  @Test
  void everyConcurrentSubscriberGetsExactlyOneTerminalEventLast() throws Exception {
    for (int round = 0; round < 200; round++) {
      Connection c =
          Connection.builder()
              .transport(ACCEPTING)
              .endpoint(URI.create("test://concurrent"))
              .build();
      int threads = 8;
      List<List<LifecycleEvent>> seen = new ArrayList<>();
      List<CompletableFuture<Void>> ended = new ArrayList<>();
      CountDownLatch ready = new CountDownLatch(1);
      List<Thread> workers = new ArrayList<>();
      for (int i = 0; i < threads; i++) {
        List<LifecycleEvent> mine = new CopyOnWriteArrayList<>();
        CompletableFuture<Void> end = new CompletableFuture<>();
        seen.add(mine);
        ended.add(end);
        Thread t =
            new Thread(
                () -> {
                  awaitQuietly(ready);
                  c.subscribe(
                      e -> {
                        mine.add(e);
                        if (e.isTerminal()) {
                          end.complete(null);
                        }
                      });
                });
        t.setUncaughtExceptionHandler((th, ex) -> workerFailures.add(ex));
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
      assertThat(workerFailures).as("exceptions in subscribing threads").isEmpty();
      // Registrations may be queued behind close; each still gets the terminal event.
      CompletableFuture.allOf(ended.toArray(new CompletableFuture<?>[0])).get(5, TimeUnit.SECONDS);
      for (List<LifecycleEvent> events : seen) {
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
