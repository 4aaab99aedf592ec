package dev.tether.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tether.machine.Cause;
import dev.tether.machine.LifecycleEvent;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
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

  @Test
  void pollTimesOutWhenEmpty() throws InterruptedException {
    assertThat(LifecycleQueue.bounded().poll(Duration.ofMillis(1))).isNull();
  }
}
