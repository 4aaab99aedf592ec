package dev.tether.bench;

import dev.tether.stub.sim.CheckCounter;
import dev.tether.stub.sim.FaultProfile;
import dev.tether.stub.sim.Oracles;
import dev.tether.stub.sim.RpcOracles;
import dev.tether.stub.sim.RpcTraffic;
import dev.tether.stub.sim.Simulation;
import dev.tether.stub.sim.SimulationResult;
import java.time.Duration;
import java.util.Locale;

/**
 * B6-rpc: the simulator with RPC sessions. 1,000 RPC sessions × 24 h under flaky faults, each with
 * a request per minute and an event per stream every 10 s on two streams (the {@link
 * RpcTraffic#defaults() default traffic}); prints the wall time, simulated session-seconds per wall
 * second (goal ≥ 10^5) and oracle checks per second. Measured with the simulator itself, not JMH.
 *
 * <pre>{@code
 * java -cp benchmarks/target/benchmarks.jar dev.tether.bench.RpcSimulationBench [sessions] [hours]
 * }</pre>
 */
public final class RpcSimulationBench {
  private RpcSimulationBench() {}

  /**
   * Runs B6-rpc.
   *
   * @param args optional: sessions (default 1000), hours (default 24)
   */
  public static void main(String[] args) {
    int sessions = args.length > 0 ? Integer.parseInt(args[0]) : 1_000;
    int hours = args.length > 1 ? Integer.parseInt(args[1]) : 24;
    CheckCounter counting = new CheckCounter();
    SimulationResult r =
        Simulation.builder()
            .seed(1)
            .sessions(sessions)
            .duration(Duration.ofHours(hours))
            .faults(FaultProfile.FLAKY)
            .rpc(RpcTraffic.defaults())
            .oracle(counting)
            .build()
            .run();
    int oracles = Oracles.standard().size() + RpcOracles.standard().size();
    double wallSeconds = r.wallMillis() / 1000.0;
    double sessionSeconds = (double) sessions * r.simulatedSeconds();
    System.out.println(r.toJson());
    System.out.printf(
        Locale.ROOT,
        "B6-rpc: %d RPC sessions x %d h, flaky: %.1f s wall, %.3g session-seconds per wall second,"
            + " %.3g oracle checks per second (%d hook calls x %d oracles), traceHash %s, %s%n",
        sessions,
        hours,
        wallSeconds,
        sessionSeconds / wallSeconds,
        counting.calls() * (double) oracles / wallSeconds,
        counting.calls(),
        oracles,
        r.traceHashHex(),
        r.passed() ? "0 violations" : r.violation().orElseThrow().toString());
  }
}
