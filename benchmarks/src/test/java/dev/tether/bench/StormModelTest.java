package dev.tether.bench;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tether.machine.BackoffPolicy;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * B7 on the virtual clock offers the load each reconnect rule makes, exactly as the rules say: the
 * figures follow from the policy's delays, the connect latency and the outage, and one seed gives
 * them again.
 */
class StormModelTest {
  private static final int SESSIONS = 2_000;
  private static final Duration OUTAGE = ReconnectStorm.OUTAGE;
  private static final long LATENCY_NANOS = StormModel.CONNECT_LATENCY.toNanos();

  private static StormModel.Result result;

  @BeforeAll
  static void storm() {
    result = StormModel.measure(SESSIONS, OUTAGE, StormModel.DEFAULT_SEED);
  }

  @Test
  void sameSeedGivesTheSameFiguresAndAnotherSeedOthers() {
    StormModel.Result again = StormModel.measure(SESSIONS, OUTAGE, StormModel.DEFAULT_SEED);
    assertThat(List.of(again.tether(), again.tetherNoJitter(), again.naive()))
        .containsExactly(result.tether(), result.tetherNoJitter(), result.naive());
    StormModel.Result other = StormModel.measure(SESSIONS, OUTAGE, StormModel.DEFAULT_SEED + 1);
    assertThat(other.tether().offeredPerWindow()).isNotEqualTo(result.tether().offeredPerWindow());
  }

  /**
   * The naive loop opens every {@code NAIVE_INTERVAL} after each refusal (one connect latency
   * later): every session's first open after the return falls at the same instant.
   */
  @Test
  void naiveLoopOffersEverySessionInTheFirstWindowAfterTheReturn() {
    StormModel.Side naive = result.naive();
    assertThat(naive.offeredPeak()).isEqualTo(SESSIONS);
    assertThat(windows(naive)).containsExactly(SESSIONS);
    long interval = ReconnectStorm.NAIVE_INTERVAL.toNanos();
    long attempt = interval; // the first, one interval after the loss
    int refused = 0;
    while (attempt < OUTAGE.toNanos()) {
      refused++;
      attempt += LATENCY_NANOS + interval;
    }
    assertThat(naive.attemptsDown()).isEqualTo((long) refused * SESSIONS);
    double backMillis = (attempt + LATENCY_NANOS - OUTAGE.toNanos()) / 1e6;
    assertThat(List.of(naive.p50Millis(), naive.maxMillis())).containsOnly(backMillis);
    assertEveryoneCameBack(naive);
  }

  /**
   * With the defaults (100 ms x 2, +-20 %) the fourth retry is over by 1.8 s and the fifth starts
   * 2.48 s at the earliest: every session opens four times while down and once after the return.
   * Those fifth opens spread over the sum of five jittered delays, whose density is at most that of
   * the widest one alone (1,600 ms +-20 %: 100 ms hold at most 100/640 of them), so the peak stays
   * near 16 % of the sessions, far below the naive loop's 100 %.
   */
  @Test
  void defaultPolicySpreadsTheReturnWellBelowTheNaivePeakAndBringsAllBackWithinItsBound() {
    StormModel.Side tether = result.tether();
    assertThat(tether.attemptsDown()).isEqualTo(4L * SESSIONS);
    assertThat(windows(tether).stream().mapToInt(Integer::intValue).sum()).isEqualTo(SESSIONS);
    assertThat(tether.offeredPeak()).isPositive().isLessThanOrEqualTo(SESSIONS / 5);
    assertThat(result.naive().offeredPeak() / (double) tether.offeredPeak()).isGreaterThan(2.0);
    assertThat(tether.maxMillis()).isLessThanOrEqualTo(tether.bound().millis());
    assertEveryoneCameBack(tether);
  }

  /**
   * Without jitter every session's schedule is the same, so all fifth opens fall at one instant:
   * the sum of the five delays plus one connect latency per refused open.
   */
  @Test
  void jitterZeroPutsEverySessionsRetryAtOneInstant() {
    StormModel.Side flat = result.tetherNoJitter();
    assertThat(flat.offeredPeak()).isEqualTo(SESSIONS);
    BackoffPolicy policy = BackoffPolicy.builder().jitter(0).build();
    long opened = 0;
    for (int retry = 1; retry <= 5; retry++) {
      opened += policy.delay(retry, 0.5).toNanos() + (retry == 1 ? 0 : LATENCY_NANOS);
    }
    double backMillis = (opened + LATENCY_NANOS - OUTAGE.toNanos()) / 1e6;
    assertThat(List.of(flat.p50Millis(), flat.p99Millis(), flat.maxMillis()))
        .containsOnly(backMillis);
    assertThat(flat.attemptsDown()).isEqualTo(4L * SESSIONS);
    assertEveryoneCameBack(flat);
  }

  private static void assertEveryoneCameBack(StormModel.Side side) {
    assertThat(side.dropped())
        .as(side.name() + ": sessions that saw the outage")
        .isEqualTo(SESSIONS);
    assertThat(side.lost()).as(side.name() + ": lost").isZero();
    assertThat(side.failedAfterReturn()).as(side.name() + ": refused after the return").isZero();
  }

  private static List<Integer> windows(StormModel.Side side) {
    List<Integer> counts = new ArrayList<>();
    side.offeredPerWindow().forEach(n -> counts.add(n.asInt()));
    return counts;
  }
}
