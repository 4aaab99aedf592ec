package dev.tether.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tether.machine.ConnectionState;
import dev.tether.machine.LifecycleEvent;
import dev.tether.runtime.spi.Channel;
import dev.tether.runtime.spi.Transport;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Public methods called from many threads at once, on the default owned-thread scheduler. */
class ConnectionThreadingTest {

  static final Transport ACCEPTING = accepting(() -> {});

  /** A transport whose opens succeed at once, with channels whose close() runs {@code onClose}. */
  static Transport accepting(Runnable onClose) {
    return (uri, listener) ->
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
              public void close() {
                onClose.run();
              }
            });
  }

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

  /** Connects on the default owned thread and returns that thread, seen from a listener. */
  static Thread ownedThreadOf(Connection c, LifecycleQueue events) throws Exception {
    CompletableFuture<Thread> thread = new CompletableFuture<>();
    c.subscribe(e -> thread.complete(Thread.currentThread()));
    c.subscribe(events);
    c.start();
    assertThat(events.poll(Duration.ofSeconds(5))).isInstanceOf(LifecycleEvent.Connecting.class);
    assertThat(events.poll(Duration.ofSeconds(5)))
        .isEqualTo(new LifecycleEvent.Connected(1, Optional.of(c.endpoint().toString())));
    return thread.get(5, TimeUnit.SECONDS);
  }

  @Test
  void ownedThreadStopsAtTerminationAndLateSubscribersAreServedOnTheirOwnThread() throws Exception {
    Connection c =
        Connection.builder().transport(ACCEPTING).endpoint(URI.create("test://owned")).build();
    LifecycleQueue events = LifecycleQueue.bounded();
    Thread owned = ownedThreadOf(c, events);
    assertThat(owned.isDaemon()).isTrue();

    c.close("bye");
    assertThat(events.poll(Duration.ofSeconds(5))).isEqualTo(new LifecycleEvent.Closed("bye"));
    owned.join(TimeUnit.SECONDS.toMillis(10));
    assertThat(owned.isAlive()).as("the owned thread stopped").isFalse();

    List<Thread> deliveredOn = new ArrayList<>();
    List<LifecycleEvent> late = new ArrayList<>();
    c.subscribe(
        e -> {
          deliveredOn.add(Thread.currentThread());
          late.add(e);
        });
    assertThat(late).containsExactly(new LifecycleEvent.Closed("bye"));
    assertThat(deliveredOn).containsExactly(Thread.currentThread());
  }

  /** I1 on a real thread: today a throwing close() ended the task and nothing was ever emitted. */
  @Test
  void channelCloseThrowingOnTheOwnedThreadStillTerminates() throws Exception {
    Transport throwingClose =
        accepting(
            () -> {
              throw new IllegalStateException("close failed");
            });
    Connection c =
        Connection.builder().transport(throwingClose).endpoint(URI.create("test://bad")).build();
    LifecycleQueue events = LifecycleQueue.bounded();
    Thread owned = ownedThreadOf(c, events);

    c.close("bye");

    assertThat(events.poll(Duration.ofSeconds(5))).isEqualTo(new LifecycleEvent.Closed("bye"));
    assertThat(c.terminated().toCompletableFuture().get(5, TimeUnit.SECONDS))
        .isEqualTo(new ConnectionState.Closed("bye"));
    assertThat(c.effectFailures()).isEqualTo(1);
    owned.join(TimeUnit.SECONDS.toMillis(10));
    assertThat(owned.isAlive()).as("the owned thread stopped").isFalse();
  }

  @Test
  void schedulerGivenByTheUserIsLeftOpenAtTermination() throws Exception {
    ExecutorScheduler mine = ExecutorScheduler.singleThread("users-own");
    try {
      Connection c =
          Connection.builder()
              .transport(ACCEPTING)
              .endpoint(URI.create("test://users-scheduler"))
              .scheduler(mine)
              .build();
      c.start();
      c.close("bye");
      assertThat(c.terminated().toCompletableFuture().get(5, TimeUnit.SECONDS))
          .isEqualTo(new ConnectionState.Closed("bye"));
      CompletableFuture<Boolean> stillRuns = new CompletableFuture<>();
      mine.execute(() -> stillRuns.complete(true));
      assertThat(stillRuns.get(5, TimeUnit.SECONDS)).isTrue();
    } finally {
      mine.close();
    }
  }

  @Test
  void startOnAClosedUserSchedulerIsRejectedNotRunOnTheCaller() {
    ExecutorScheduler closed = ExecutorScheduler.singleThread("closed-already");
    closed.close();
    Connection c =
        Connection.builder()
            .transport(ACCEPTING)
            .endpoint(URI.create("test://closed-scheduler"))
            .scheduler(closed)
            .build();
    assertThatThrownBy(c::start).isInstanceOf(RejectedExecutionException.class);
    assertThat(c.state()).isEqualTo(new ConnectionState.Idle());
  }

  private static void awaitQuietly(CountDownLatch latch) {
    try {
      latch.await(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
