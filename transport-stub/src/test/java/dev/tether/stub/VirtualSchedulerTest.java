package dev.tether.stub;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tether.runtime.spi.Scheduler;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class VirtualSchedulerTest {
  final VirtualScheduler clock = new VirtualScheduler();
  final List<String> ran = new ArrayList<>();

  Runnable log(String name) {
    return () -> ran.add(name);
  }

  @Test
  void equalDeadlinesRunInSubmissionOrderWhateverTheSubmission() {
    clock.schedule(Duration.ZERO, log("timer1"));
    clock.execute(log("now1"));
    clock.schedule(Duration.ZERO, log("timer2"));
    clock.execute(log("now2"));
    clock.schedule(Duration.ZERO, log("timer3"));

    clock.runUntilIdle();

    assertThat(ran).containsExactly("timer1", "now1", "timer2", "now2", "timer3");
  }

  @Test
  void workSubmittedByARunningTaskForTheSameInstantRunsAfterWhatWasAlreadyDue() {
    clock.schedule(Duration.ofSeconds(1), log("a"));
    clock.schedule(
        Duration.ofSeconds(1),
        () -> {
          ran.add("b");
          clock.execute(log("b.now"));
          clock.schedule(Duration.ZERO, log("b.timer"));
          clock.execute(log("b.now2"));
        });
    clock.schedule(Duration.ofSeconds(1), log("c"));
    clock.schedule(Duration.ofSeconds(2), log("later"));

    clock.advance(Duration.ofSeconds(1));

    assertThat(ran).containsExactly("a", "b", "c", "b.now", "b.timer", "b.now2");
    assertThat(clock.pendingTasks()).isEqualTo(1);
    assertThat(clock.now()).isEqualTo(Duration.ofSeconds(1));
  }

  @Test
  void aTaskCancelledByAnEarlierOneAtTheSameInstantDoesNotRun() {
    Scheduler.Cancellable[] victim = new Scheduler.Cancellable[1];
    clock.schedule(Duration.ofMillis(5), () -> ran.add("cancels:" + victim[0].cancel()));
    victim[0] = clock.schedule(Duration.ofMillis(5), log("victim"));

    clock.advance(Duration.ofMillis(5));

    assertThat(ran).containsExactly("cancels:true");
    assertThat(victim[0].cancel()).isFalse();
    assertThat(clock.pendingTasks()).isZero();
  }

  /** Many more cancelled timers than live ones: the survivors still run in exact order. */
  @Test
  void cancelHeavyTimersKeepTheirOrderAndCounts() {
    SplittableRandom random = new SplittableRandom(7);
    int n = 10 * TimerHeap.PURGE_MIN;
    List<Scheduler.Cancellable> handles = new ArrayList<>();
    List<long[]> expected = new ArrayList<>(); // {due millis, submission index}
    for (int i = 0; i < n; i++) {
      long dueMillis = random.nextLong(50); // few distinct deadlines: many ties
      int index = i;
      handles.add(
          clock.schedule(Duration.ofMillis(dueMillis), () -> ran.add(dueMillis + "/" + index)));
      expected.add(new long[] {dueMillis, i});
    }
    List<long[]> survivors = new ArrayList<>();
    int cancelled = 0;
    for (int i = 0; i < n; i++) {
      if (i % 10 != 3) {
        assertThat(handles.get(i).cancel()).isTrue();
        assertThat(handles.get(i).cancel()).isFalse();
        cancelled++;
      } else {
        survivors.add(expected.get(i));
      }
    }
    assertThat(clock.pendingTasks()).isEqualTo(n - cancelled);
    survivors.sort((x, y) -> x[0] != y[0] ? Long.compare(x[0], y[0]) : Long.compare(x[1], y[1]));

    clock.advance(Duration.ofMillis(100));

    assertThat(ran)
        .containsExactlyElementsOf(survivors.stream().map(s -> s[0] + "/" + s[1]).toList());
    assertThat(clock.pendingTasks()).isZero();
    assertThat(clock.tasksRun()).isEqualTo(survivors.size());
  }

  @Test
  void nextDueSkipsCancelledTimers() {
    Scheduler.Cancellable first = clock.schedule(Duration.ofSeconds(1), log("first"));
    clock.schedule(Duration.ofSeconds(3), log("second"));
    first.cancel();

    assertThat(clock.nextDueNanos()).hasValue(Duration.ofSeconds(3).toNanos());
    assertThat(clock.runUntil(() -> !ran.isEmpty(), Duration.ofSeconds(10))).isTrue();
    assertThat(ran).containsExactly("second");
    assertThat(clock.now()).isEqualTo(Duration.ofSeconds(3));
  }
}
