package dev.tether.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** Keeps the benchmarks from rotting: each runs a handful of iterations. No speed assertions. */
class BenchmarkSmokeTest {

  @Test
  void everyComparisonRunsAndReportsBothSides() throws Exception {
    Map<String, Double> scores = BenchMain.run(BenchMain.Profile.SMOKE, true);
    for (var row : BenchMain.rows(scores)) {
      assertThat(row.get("tether").asDouble()).as(row.toString()).isPositive();
      assertThat(row.get("baseline").asDouble()).as(row.toString()).isPositive();
    }
  }

  @Test
  void bothMachinesAgreeOnTheTraceOutcome() throws Exception {
    InputTrace trace = new InputTrace(42, TransitionBenchmark.TRACE_LENGTH);
    assertThat(trace.replay()).isPositive();
    SpringConnectionMachine spring = new SpringConnectionMachine(trace.policy.maxAttempts());
    // Both end Closed: "CLOSED".length()
    assertThat(spring.replay(trace.kinds)).isEqualTo("CLOSED".length());
  }

  @Test
  void reconnectLatencyIsMeasured() {
    ReconnectLatency.Result r = ReconnectLatency.measure(3, 1);
    assertThat(r.samples()).isPositive();
    assertThat(r.p99Micros()).isPositive();
    assertThat(r.raw().p99Micros()).as("the raw baseline's rounds").isPositive();
    assertThat(r.handshake().p50Micros()).as("the resubscribe phase").isPositive();
  }

  @Test
  void socketMemoryFootprintIsMeasurable() {
    SocketMemoryFootprint.Result r = SocketMemoryFootprint.measure(100);
    assertThat(r.tetherBytes()).isPositive();
    assertThat(r.rawBytes()).isPositive();
  }

  @Test
  void memoryFootprintIsMeasurable() {
    assertThat(MemoryFootprint.bytesPerSession(2_000)).isPositive();
  }
}
