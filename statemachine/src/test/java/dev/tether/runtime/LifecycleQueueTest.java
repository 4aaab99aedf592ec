package dev.tether.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;

import dev.tether.machine.Cause;
import dev.tether.machine.LifecycleEvent;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class LifecycleQueueTest {
  static final Cause LOST = Cause.of(Cause.Kind.CHANNEL_CLOSED, "lost");

  static LifecycleEvent reconnecting(int attempt) {
    return new LifecycleEvent.Reconnecting(attempt, 10, Duration.ofMillis(100), LOST);
  }

  static List<LifecycleEvent> drain(LifecycleQueue q) {
    List<LifecycleEvent> out = new ArrayList<>();
    LifecycleEvent e;
    while ((e = q.poll()) != null) {
      out.add(e);
    }
    return out;
  }

  /** The seed's defect: PermanentlyDisconnected was dropped by try_send on a full channel. */
  @Test
  void fullQueueStillReceivesTerminalEventLast() {
    LifecycleQueue q = LifecycleQueue.bounded(4);
    q.onEvent(new LifecycleEvent.Connected(1));
    for (int i = 1; i <= 10; i++) {
      q.onEvent(reconnecting(i));
    }
    LifecycleEvent terminal = new LifecycleEvent.PermanentlyDisconnected(LOST, 10);
    q.onEvent(terminal);
    List<LifecycleEvent> got = drain(q);
    assertThat(got).last().isEqualTo(terminal);
    assertThat(got).filteredOn(LifecycleEvent::isTerminal).hasSize(1);
    assertThat(q.coalesced()).isPositive();
  }

  @Test
  void coalescingKeepsTheLatestAttempt() {
    LifecycleQueue q = LifecycleQueue.bounded(3);
    q.onEvent(new LifecycleEvent.Connected(1));
    for (int i = 1; i <= 5; i++) {
      q.onEvent(reconnecting(i));
    }
    assertThat(drain(q))
        .containsExactly(new LifecycleEvent.Connected(1), reconnecting(1), reconnecting(5));
    assertThat(q.coalesced()).isEqualTo(3);
  }

  @Test
  void reconnectedIsNeverCoalescedAway() {
    LifecycleQueue q = LifecycleQueue.bounded(2);
    q.onEvent(reconnecting(1));
    q.onEvent(reconnecting(2));
    q.onEvent(new LifecycleEvent.Reconnected(2, 2, Duration.ofMillis(300)));
    assertThat(drain(q)).contains(new LifecycleEvent.Reconnected(2, 2, Duration.ofMillis(300)));
  }

  @Test
  void staysBoundedWhenTheConsumerNeverReads() {
    LifecycleQueue q = LifecycleQueue.bounded(4);
    for (int epoch = 1; epoch <= 1000; epoch++) {
      q.onEvent(reconnecting(1));
      q.onEvent(new LifecycleEvent.Reconnected(epoch, 1, Duration.ofMillis(100)));
    }
    q.onEvent(new LifecycleEvent.Closed("bye"));
    assertThat(q.size()).isLessThanOrEqualTo(8);
    assertThat(q.dropped()).isPositive();
    assertThat(drain(q)).last().isEqualTo(new LifecycleEvent.Closed("bye"));
  }

  // ------------------------------------------------------------ blocking reads on another thread

  static final long WAIT_SECONDS = 10; // bound on waiting for a real condition, never a timing
  static final Duration FOREVER = Duration.ofHours(1);
  static final LifecycleEvent CONNECTED = new LifecycleEvent.Connected(1);

  interface Read {
    LifecycleEvent from(LifecycleQueue q) throws InterruptedException;
  }

  final List<Thread> consumers = new ArrayList<>();

  @AfterEach
  void stopConsumers() {
    consumers.forEach(Thread::interrupt);
  }

  /** Runs {@code read} on a consumer thread of its own; the future holds what it returned. */
  CompletableFuture<LifecycleEvent> consume(LifecycleQueue q, Read read) {
    CompletableFuture<LifecycleEvent> result = new CompletableFuture<>();
    Thread t =
        new Thread(
            () -> {
              try {
                result.complete(read.from(q));
              } catch (InterruptedException | RuntimeException e) {
                result.completeExceptionally(e);
              }
            },
            "lifecycle-queue-consumer");
    t.setDaemon(true);
    consumers.add(t);
    t.start();
    return result;
  }

  /** Waits until the last consumer blocks inside the queue, so the next event must wake it. */
  void awaitConsumerBlocked() {
    Thread t = consumers.get(consumers.size() - 1);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_SECONDS);
    while (t.getState() != Thread.State.WAITING && t.getState() != Thread.State.TIMED_WAITING) {
      if (System.nanoTime() - deadline > 0) {
        fail("consumer never blocked; state " + t.getState());
      }
      Thread.onSpinWait();
    }
  }

  static LifecycleEvent within(CompletableFuture<LifecycleEvent> read) throws Exception {
    return read.get(WAIT_SECONDS, TimeUnit.SECONDS);
  }

  @Test
  void takeWakesWhenAnEventArrivesFromAnotherThread() throws Exception {
    LifecycleQueue q = LifecycleQueue.bounded();
    CompletableFuture<LifecycleEvent> read = consume(q, LifecycleQueue::take);
    awaitConsumerBlocked();
    assertThat(read).isNotDone();
    q.onEvent(CONNECTED);
    assertThat(within(read)).isEqualTo(CONNECTED);
    assertThat(q.size()).isZero();
  }

  @Test
  void pollWithTimeoutWakesWhenAnEventArrivesFromAnotherThread() throws Exception {
    LifecycleQueue q = LifecycleQueue.bounded();
    CompletableFuture<LifecycleEvent> read = consume(q, queue -> queue.poll(FOREVER));
    awaitConsumerBlocked();
    assertThat(read).isNotDone();
    q.onEvent(CONNECTED);
    assertThat(within(read)).isEqualTo(CONNECTED);
  }

  @Test
  void pollWithTimeoutReturnsAQueuedEventAtOnce() throws Exception {
    LifecycleQueue q = LifecycleQueue.bounded();
    q.onEvent(CONNECTED);
    assertThat(within(consume(q, queue -> queue.poll(FOREVER)))).isEqualTo(CONNECTED);
    q.onEvent(CONNECTED);
    assertThat(within(consume(q, queue -> queue.poll(Duration.ZERO)))).isEqualTo(CONNECTED);
  }

  @Test
  void pollWithTimeoutGivesUpWithNullWhenNothingArrives() throws Exception {
    LifecycleQueue q = LifecycleQueue.bounded();
    assertThat(within(consume(q, queue -> queue.poll(Duration.ofMillis(1))))).isNull();
    assertThat(within(consume(q, queue -> queue.poll(Duration.ZERO)))).isNull();
    assertThat(within(consume(q, queue -> queue.poll(Duration.ofMillis(-5))))).isNull();
  }

  @Test
  void blockedReadersAreInterruptible() {
    LifecycleQueue q = LifecycleQueue.bounded();
    CompletableFuture<LifecycleEvent> take = consume(q, LifecycleQueue::take);
    awaitConsumerBlocked();
    consumers.get(0).interrupt();
    assertThatThrownBy(() -> within(take)).hasCauseInstanceOf(InterruptedException.class);
  }

  @Test
  void takeAndPollHandOutEventsOldestFirst() throws Exception {
    LifecycleQueue q = LifecycleQueue.bounded();
    q.onEvent(connecting(1));
    q.onEvent(CONNECTED);
    q.onEvent(reconnecting(1));
    assertThat(q.size()).isEqualTo(3);
    assertThat(within(consume(q, LifecycleQueue::take))).isEqualTo(connecting(1));
    assertThat(within(consume(q, queue -> queue.poll(FOREVER)))).isEqualTo(CONNECTED);
    assertThat(q.poll()).isEqualTo(reconnecting(1));
    assertThat(q.poll()).isNull();
  }

  // ------------------------------------------------------------ coalescing and the hard limit

  static LifecycleEvent connecting(int attempt) {
    return new LifecycleEvent.Connecting(attempt, 10, Duration.ofMillis(100), Optional.of(LOST));
  }

  @Test
  void connectingAttemptsCoalesceWhenFullLikeReconnecting() {
    LifecycleQueue q = LifecycleQueue.bounded(2);
    for (int i = 1; i <= 4; i++) {
      q.onEvent(connecting(i));
    }
    assertThat(drain(q)).containsExactly(connecting(1), connecting(4));
    assertThat(q.coalesced()).isEqualTo(2);
  }

  @Test
  void nothingCoalescesBelowCapacity() {
    LifecycleQueue q = LifecycleQueue.bounded(4);
    for (int i = 1; i <= 4; i++) {
      q.onEvent(reconnecting(i));
    }
    assertThat(drain(q)).hasSize(4);
    assertThat(q.coalesced()).isZero();
  }

  @Test
  void anAttemptNeverReplacesAnEventOfAnotherKind() {
    LifecycleQueue q = LifecycleQueue.bounded(2);
    q.onEvent(connecting(1));
    q.onEvent(CONNECTED);
    q.onEvent(reconnecting(1));
    q.onEvent(new LifecycleEvent.Reconnected(2, 1, Duration.ofMillis(100)));
    assertThat(drain(q))
        .containsExactly(
            connecting(1),
            CONNECTED,
            reconnecting(1),
            new LifecycleEvent.Reconnected(2, 1, Duration.ofMillis(100)));
    assertThat(q.coalesced()).isZero();
  }

  @Test
  void consecutiveReconnectedAndTerminalEventsAreNeverCoalesced() {
    // One queue may listen to several connections, so these can follow each other.
    LifecycleQueue q = LifecycleQueue.bounded(2);
    LifecycleEvent closedA = new LifecycleEvent.Closed("a");
    LifecycleEvent closedB = new LifecycleEvent.Closed("b");
    q.onEvent(new LifecycleEvent.Reconnected(2, 1, Duration.ofMillis(100)));
    q.onEvent(new LifecycleEvent.Reconnected(3, 1, Duration.ofMillis(100)));
    q.onEvent(new LifecycleEvent.Reconnected(4, 1, Duration.ofMillis(100)));
    q.onEvent(closedA);
    q.onEvent(closedB);
    assertThat(drain(q)).hasSize(4).endsWith(closedA, closedB);
    assertThat(q.coalesced()).isZero();
    assertThat(q.dropped()).isEqualTo(1);
  }

  @Test
  void pastTwiceTheCapacityTheOldestEventIsDropped() {
    LifecycleQueue q = LifecycleQueue.bounded(2);
    for (int epoch = 1; epoch <= 5; epoch++) {
      q.onEvent(new LifecycleEvent.Reconnected(epoch, 1, Duration.ofMillis(100)));
    }
    assertThat(q.size()).isEqualTo(4);
    assertThat(q.dropped()).isEqualTo(1);
    assertThat(q.poll()).isEqualTo(new LifecycleEvent.Reconnected(2, 1, Duration.ofMillis(100)));
  }

  @Test
  void terminalEventIsNeverDroppedEvenWhenOldest() {
    // A queue shared by two connections: the first one's end is followed by the second's events.
    LifecycleQueue q = LifecycleQueue.bounded(2);
    LifecycleEvent ended = new LifecycleEvent.PermanentlyDisconnected(LOST, 10);
    q.onEvent(ended);
    for (int epoch = 1; epoch <= 5; epoch++) {
      q.onEvent(new LifecycleEvent.Reconnected(epoch, 1, Duration.ofMillis(100)));
    }
    assertThat(q.size()).isEqualTo(4);
    assertThat(q.dropped()).isEqualTo(2);
    assertThat(drain(q))
        .containsExactly(
            ended,
            new LifecycleEvent.Reconnected(3, 1, Duration.ofMillis(100)),
            new LifecycleEvent.Reconnected(4, 1, Duration.ofMillis(100)),
            new LifecycleEvent.Reconnected(5, 1, Duration.ofMillis(100)));
  }

  @Test
  void capacityOutsideItsRangeIsRejected() {
    assertThatThrownBy(() -> LifecycleQueue.bounded(1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("was 1");
    assertThatThrownBy(() -> LifecycleQueue.bounded(LifecycleQueue.MAX_CAPACITY + 1))
        .isInstanceOf(IllegalArgumentException.class);
    LifecycleQueue largest = LifecycleQueue.bounded(LifecycleQueue.MAX_CAPACITY);
    largest.onEvent(CONNECTED);
    assertThat(largest.poll()).isEqualTo(CONNECTED);
    assertThat(LifecycleQueue.bounded().size()).isZero();
  }
}
