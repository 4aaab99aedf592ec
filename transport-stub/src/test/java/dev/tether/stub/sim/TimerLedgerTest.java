package dev.tether.stub.sim;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tether.runtime.spi.Scheduler;
import dev.tether.stub.VirtualScheduler;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class TimerLedgerTest {
  final VirtualScheduler clock = new VirtualScheduler();
  final TimerLedger ledger = new TimerLedger(clock);
  final List<String> ran = new ArrayList<>();

  @Test
  void countsTimersUntilTheyRunOrAreCancelled() {
    Scheduler.Cancellable a = ledger.schedule(Duration.ofSeconds(1), () -> ran.add("a"));
    Scheduler.Cancellable b = ledger.schedule(Duration.ofSeconds(2), () -> ran.add("b"));
    ledger.schedule(Duration.ofSeconds(3), () -> ran.add("c"));
    assertThat(ledger.live()).isEqualTo(3);

    assertThat(b.cancel()).isTrue();
    assertThat(b.cancel()).isFalse(); // cancelling twice counts once
    assertThat(ledger.live()).isEqualTo(2);

    clock.advance(Duration.ofSeconds(1));
    assertThat(ran).containsExactly("a");
    assertThat(ledger.live()).isEqualTo(1);
    assertThat(a.cancel()).isFalse(); // already ran: no effect on the count
    assertThat(ledger.live()).isEqualTo(1);

    clock.advance(Duration.ofSeconds(5));
    assertThat(ran).containsExactly("a", "c");
    assertThat(ledger.live()).isZero();
  }

  @Test
  void executeIsNotATimer() {
    ledger.execute(() -> ran.add("now"));
    assertThat(ledger.live()).isZero();
    clock.runUntilIdle();
    assertThat(ran).containsExactly("now");
  }
}
