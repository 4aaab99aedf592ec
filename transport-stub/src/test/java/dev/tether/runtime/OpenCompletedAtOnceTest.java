package dev.tether.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tether.machine.BackoffPolicy;
import dev.tether.machine.Cause;
import dev.tether.runtime.spi.Channel;
import dev.tether.runtime.spi.ChannelListener;
import dev.tether.runtime.spi.Transport;
import dev.tether.stub.VirtualScheduler;
import java.net.ConnectException;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.BiFunction;
import org.junit.jupiter.api.Test;

/**
 * A transport's open that is complete when {@code open} returns (a stub, a child started inline) is
 * taken without a {@code handle} stage, and must behave exactly as one completed later: the same
 * lifecycle events, channel calls, handshakes and live timers, in the same order.
 */
class OpenCompletedAtOnceTest {
  static final URI SERVER = URI.create("stub://server");
  static final Duration DELAY = Duration.ofMillis(100);

  final VirtualScheduler clock = new VirtualScheduler();

  @Test
  void openCompleteAtOnceBehavesAsOneCompletedLater() {
    Opens later = new Opens(false);
    Opens atOnce = new Opens(true);
    List<String> expected = run(later);
    assertThat(expected)
        .as("the scenario")
        .contains("Connected epoch=1", "Reconnected epoch=2", "close #3", "Closed");
    assertThat(run(atOnce)).isEqualTo(expected);
  }

  @Test
  void openCompleteAtOnceRegistersNoCallback() {
    Opens later = new Opens(false);
    Opens atOnce = new Opens(true);
    run(later);
    run(atOnce);
    assertThat(later.handles).as("every open waited for").isEqualTo(3);
    assertThat(atOnce.handles).as("the refused open only").isEqualTo(1);
  }

  /**
   * Connects, loses the channel, fails one reopen, reconnects and closes; returns what happened.
   */
  List<String> run(Opens transport) {
    List<String> log = transport.log;
    Connection c =
        Connection.builder()
            .transport(transport)
            .endpoint(SERVER)
            .scheduler(clock)
            .policy(
                BackoffPolicy.builder()
                    .delays(List.of(DELAY))
                    .jitter(0)
                    .failFastOnFirstConnect(false)
                    .build())
            .random(new SplittableRandom(1))
            .handshake(
                (channel, epoch) -> {
                  log.add("handshake epoch " + epoch + " on " + channel);
                  return CompletableFuture.completedFuture(null);
                })
            .build();
    c.subscribe(e -> log.add(describe(e)));
    c.start();
    settle(log);
    clock.execute(() -> transport.listener.onClosed(Cause.of(Cause.Kind.CHANNEL_CLOSED, "lost")));
    settle(log);
    clock.advance(DELAY); // the second open is refused
    settle(log);
    clock.advance(DELAY); // the third succeeds
    settle(log);
    c.close("done");
    settle(log);
    return log;
  }

  void settle(List<String> log) {
    clock.runUntilIdle();
    log.add("live timers " + clock.pendingTasks());
  }

  static String describe(dev.tether.machine.LifecycleEvent e) {
    if (e instanceof dev.tether.machine.LifecycleEvent.Connected c) {
      return "Connected epoch=" + c.epoch();
    }
    if (e instanceof dev.tether.machine.LifecycleEvent.Reconnected r) {
      return "Reconnected epoch=" + r.epoch();
    }
    return e.name();
  }

  /**
   * Opens answered at once or in a later task; the second is refused. Counts the callbacks
   * registered on its stages.
   */
  final class Opens implements Transport {
    final boolean atOnce;
    final List<String> log = new ArrayList<>();
    ChannelListener listener;
    int opens;
    int handles;

    Opens(boolean atOnce) {
      this.atOnce = atOnce;
    }

    @Override
    public CompletionStage<Channel> open(URI endpoint, ChannelListener l) {
      int n = ++opens;
      log.add("open #" + n);
      listener = l;
      Watched opening = new Watched();
      Runnable answer =
          () -> {
            if (n == 2) {
              opening.completeExceptionally(new ConnectException("refused"));
            } else {
              opening.complete(new Logged(n));
            }
          };
      if (atOnce) {
        answer.run();
      } else {
        clock.execute(answer);
      }
      return opening;
    }

    /** An open's stage that counts the {@code handle} callbacks registered on it. */
    final class Watched extends CompletableFuture<Channel> {
      @Override
      public <U> CompletableFuture<U> handle(
          BiFunction<? super Channel, Throwable, ? extends U> f) {
        handles++;
        return super.handle(f);
      }
    }

    final class Logged extends ConnectionDriverTest.NullChannel {
      final int n;

      Logged(int n) {
        this.n = n;
      }

      @Override
      public void close() {
        log.add("close #" + n);
        super.close();
      }

      @Override
      public String toString() {
        return "#" + n;
      }
    }
  }
}
