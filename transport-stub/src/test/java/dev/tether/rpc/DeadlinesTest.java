package dev.tether.rpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tether.rpc.Ledger.Pending;
import dev.tether.stub.VirtualScheduler;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** One sweep timer per connection for all request deadlines, on virtual time. */
class DeadlinesTest {
  final VirtualScheduler clock = new VirtualScheduler();
  final List<String> expired = new ArrayList<>();
  final Deadlines deadlines = new Deadlines(clock, p -> expired.add(p.method));

  static Pending request(String name, long timeoutMillis) {
    return new Pending(name, false, false, false, Duration.ofMillis(timeoutMillis));
  }

  Pending arm(String name, long timeoutMillis) {
    Pending p = request(name, timeoutMillis);
    deadlines.arm(p);
    return p;
  }

  @Test
  void aRequestExpiresExactlyAtItsTimeoutAndNotBefore() {
    arm("a", 100);
    clock.advance(Duration.ofMillis(100).minusNanos(1));
    assertThat(expired).isEmpty();
    clock.advance(Duration.ofNanos(1));
    assertThat(expired).containsExactly("a");
    assertThat(deadlines.armed()).isZero();
  }

  @Test
  void manyArmedRequestsHoldOneTimer() {
    for (int i = 0; i < 100; i++) {
      clock.advance(Duration.ofMillis(1));
      arm("r" + i, 1_000);
    }
    assertThat(deadlines.armed()).isEqualTo(100);
    assertThat(clock.pendingTasks()).isEqualTo(1);
    clock.advance(Duration.ofMillis(950));
    assertThat(expired).hasSize(50); // armed at 1..100 ms, due at 1001..1100 ms; now 1050 ms
    assertThat(expired.get(0)).isEqualTo("r0");
    assertThat(clock.pendingTasks()).isEqualTo(1);
  }

  @Test
  void disarmingTheLastDeadlineCancelsTheTimer() {
    Pending a = arm("a", 100);
    Pending b = arm("b", 200);
    deadlines.disarm(a);
    assertThat(clock.pendingTasks()).isEqualTo(1);
    deadlines.disarm(b);
    assertThat(clock.pendingTasks()).as("no live timer once nothing is armed (I4)").isZero();
    clock.advance(Duration.ofSeconds(1));
    assertThat(expired).isEmpty();
  }

  @Test
  void disarmedRequestsNeverExpireAndTheRestStillDo() {
    Pending a = arm("a", 100);
    arm("b", 100);
    Pending c = arm("c", 100);
    arm("d", 100);
    deadlines.disarm(a);
    deadlines.disarm(c);
    deadlines.disarm(c); // twice is harmless
    clock.advance(Duration.ofMillis(100));
    assertThat(expired).containsExactly("b", "d");
  }

  @Test
  void aShorterTimeoutArmedLaterExpiresFirst() {
    arm("slow", 1_000);
    clock.advance(Duration.ofMillis(10));
    arm("fast", 50);
    clock.advance(Duration.ofMillis(60));
    assertThat(expired).containsExactly("fast");
    clock.advance(Duration.ofMillis(930));
    assertThat(expired).containsExactly("fast", "slow");
  }

  @Test
  void deadlinesDueTogetherExpireInArmingOrderAcrossTimeouts() {
    arm("first", 100); // its timeout's lane is the oldest, yet "c" and "d" were armed last
    clock.advance(Duration.ofMillis(100));
    expired.clear();
    arm("a", 300);
    clock.advance(Duration.ofMillis(100));
    arm("b", 200);
    clock.advance(Duration.ofMillis(100));
    arm("c", 100);
    arm("d", 100);
    clock.advance(Duration.ofMillis(100));
    assertThat(expired).containsExactly("a", "b", "c", "d");
  }

  @Test
  void anExpiryMayArmAnotherRequestAndTheTimerFollowsIt() {
    Deadlines[] self = new Deadlines[1];
    Pending next = request("next", 100);
    self[0] =
        new Deadlines(
            clock,
            p -> {
              expired.add(p.method);
              if (p.method.equals("first")) {
                self[0].arm(next);
              }
            });
    self[0].arm(request("first", 100));
    clock.advance(Duration.ofMillis(100));
    assertThat(expired).containsExactly("first");
    assertThat(self[0].armed()).isOne();
    assertThat(clock.pendingTasks()).as("re-armed for the request armed during the sweep").isOne();
    clock.advance(Duration.ofMillis(100));
    assertThat(expired).containsExactly("first", "next");
    assertThat(next.lane).isNull();
    assertThat(clock.pendingTasks()).isZero();
  }

  @Test
  void manyDistinctTimeoutsStillExpireInOrder() {
    for (int i = 20; i >= 1; i--) {
      arm("t" + i, i);
    }
    clock.advance(Duration.ofMillis(20));
    List<String> want = new ArrayList<>();
    for (int i = 1; i <= 20; i++) {
      want.add("t" + i);
    }
    assertThat(expired).isEqualTo(want);
    assertThat(clock.pendingTasks()).isZero();
  }

  @Test
  void armingTwiceIsRefused() {
    Pending a = arm("a", 100);
    assertThatThrownBy(() -> deadlines.arm(a)).isInstanceOf(IllegalStateException.class);
  }
}
