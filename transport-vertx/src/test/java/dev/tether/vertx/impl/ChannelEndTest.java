package dev.tether.vertx.impl;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tether.machine.Cause;
import dev.tether.runtime.spi.ChannelListener;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * Vert.x may fire a socket's exception, close and end callbacks in any order, several of them, and
 * a local close may race with them: the listener hears of the end exactly once, with the first
 * cause.
 */
class ChannelEndTest {
  private static final Cause ERROR = Cause.of(Cause.Kind.CHANNEL_ERROR, "reset");
  private static final Cause CLOSED = Cause.of(Cause.Kind.CHANNEL_CLOSED, "closed by peer");
  private static final Cause ENDED = Cause.of(Cause.Kind.CHANNEL_CLOSED, "end of stream");
  private static final Cause LOCAL = Cause.of(Cause.Kind.CHANNEL_CLOSED, "closed locally");

  @Test
  void everyOrderOfCallbacksReportsOnceWithTheFirstCause() {
    for (List<Cause> order : permutations(List.of(ERROR, CLOSED, ENDED, LOCAL))) {
      Recorder listener = new Recorder();
      AtomicInteger bookkeeping = new AtomicInteger();
      ChannelEnd end = new ChannelEnd(listener, bookkeeping::incrementAndGet);
      for (Cause c : order) {
        end.end(c);
        end.end(c); // the same callback firing twice
      }
      assertThat(listener.closed).as("order %s", order).containsExactly(order.get(0));
      assertThat(bookkeeping).hasValue(1);
      assertThat(end.cause()).isEqualTo(order.get(0));
    }
  }

  @Test
  void racingThreadsReportOnce() throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      for (int round = 0; round < 200; round++) {
        Recorder listener = new Recorder();
        ChannelEnd end = new ChannelEnd(listener, () -> {});
        CountDownLatch go = new CountDownLatch(1);
        CountDownLatch done = new CountDownLatch(4);
        for (Cause c : List.of(ERROR, CLOSED, ENDED, LOCAL)) {
          pool.execute(
              () -> {
                try {
                  go.await();
                  end.end(c);
                } catch (InterruptedException e) {
                  Thread.currentThread().interrupt();
                } finally {
                  done.countDown();
                }
              });
        }
        go.countDown();
        assertThat(done.await(10, TimeUnit.SECONDS)).isTrue();
        assertThat(listener.closed).hasSize(1);
      }
    } finally {
      pool.shutdownNow();
    }
  }

  private static List<List<Cause>> permutations(List<Cause> items) {
    if (items.size() <= 1) {
      return List.of(items);
    }
    List<List<Cause>> out = new ArrayList<>();
    for (int i = 0; i < items.size(); i++) {
      List<Cause> rest = new ArrayList<>(items);
      Cause head = rest.remove(i);
      for (List<Cause> tail : permutations(rest)) {
        List<Cause> p = new ArrayList<>();
        p.add(head);
        p.addAll(tail);
        out.add(p);
      }
    }
    return out;
  }

  private static final class Recorder implements ChannelListener {
    final List<Cause> closed = new CopyOnWriteArrayList<>();

    @Override
    public void onFrame(byte[] frame) {}

    @Override
    public void onClosed(Cause cause) {
      closed.add(cause);
    }
  }
}
