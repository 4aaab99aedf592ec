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
    // Enough sessions that each half (≈ 14 MB of client state) stands far above the heap's
    // noise after GC in a test JVM (≈ 0.2 MB seen): with 100, the raw half once came out negative.
    SocketMemoryFootprint.Result r =
        SocketMemoryFootprint.measure(BenchMain.socketSessions(BenchMain.Profile.SMOKE));
    assertThat(r.tetherBytes()).isPositive();
    assertThat(r.rawBytes()).isPositive();
  }

  @Test
  void memoryFootprintIsMeasurable() {
    assertThat(MemoryFootprint.bytesPerSession(2_000)).isPositive();
  }
}
