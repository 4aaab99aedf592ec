package dev.tether.model.sim;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tether.model.prop.Property;
import dev.tether.stub.sim.CheckCounter;
import dev.tether.stub.sim.FaultProfile;
import dev.tether.stub.sim.Oracles;
import dev.tether.stub.sim.RpcOracles;
import dev.tether.stub.sim.RpcTraffic;
import dev.tether.stub.sim.Simulation;
import dev.tether.stub.sim.SimulationResult;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/**
 * The soak every CI run carries (issue 17): at least 10^6 simulated session-hours, connection and
 * RPC sessions together, flaky and chaos faults, every standard oracle (and the RPC oracles) after
 * every step, zero violations. Seeds 1..{@value #SEEDS} each simulate {@value #SESSIONS} sessions
 * for {@value #HOURS} h; one session in {@value #RPC_EVERY_NTH} is an RPC session with the default
 * traffic (odd, so RPC sessions meet all four default backoff policies). Seeds run on up to two
 * threads: each simulation is confined to its thread and owns everything it touches, so a seed's
 * trace does not depend on what runs beside it, and {@link
 * #parallelSoakLeavesEachSeedsTraceAsAlone} holds the runner to that.
 *
 * <p>On a violation the seed is shrunk and the failure names the replay command ({@code
 * -Dtether.seed=N} runs that seed alone) and the shrunk plan.
 */
class MillionSessionHoursTest {
  static final int SEEDS = 21;
  static final int SESSIONS = 2_000;
  static final int HOURS = 24;
  static final int RPC_EVERY_NTH = 199;

  /** Most simulations at once: two cores in CI; more only costs memory. */
  static final int THREADS = Math.max(1, Math.min(2, Runtime.getRuntime().availableProcessors()));

  static Simulation.Builder soak(long seed) {
    return Simulation.builder()
        .seed(seed)
        .sessions(SESSIONS)
        .duration(Duration.ofHours(HOURS))
        .faults(seed % 2 == 0 ? FaultProfile.CHAOS : FaultProfile.FLAKY)
        .rpc(RpcTraffic.builder().everyNth(RPC_EVERY_NTH).build());
  }

  record Outcome(
      long seed, SimulationResult result, long oracleCalls, long cpuNanos, Simulation sim) {}

  static Outcome run(long seed) {
    CheckCounter counting = new CheckCounter();
    Simulation sim = soak(seed).oracle(counting).build();
    ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    long cpuStart = threads.getCurrentThreadCpuTime(); // reported only, never asserted
    SimulationResult r = sim.run();
    return new Outcome(
        seed, r, counting.calls(), threads.getCurrentThreadCpuTime() - cpuStart, sim);
  }

  static List<Outcome> runAll(long[] seeds) throws InterruptedException, ExecutionException {
    ExecutorService pool = Executors.newFixedThreadPool(THREADS);
    try {
      List<Future<Outcome>> futures = new ArrayList<>();
      for (long seed : seeds) {
        futures.add(pool.submit(() -> run(seed)));
      }
      List<Outcome> out = new ArrayList<>();
      for (Future<Outcome> f : futures) {
        out.add(f.get());
      }
      return out;
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void millionSessionHoursPassEveryOracle() throws Exception {
    long[] seeds = Property.seeds(SEEDS);
    long wallStart = System.nanoTime();
    List<Outcome> outcomes = runAll(seeds);
    double wallSeconds = (System.nanoTime() - wallStart) / 1e9;
    long sessions = 0;
    long rpcSessions = 0;
    long transitions = 0;
    long faults = 0;
    long checks = 0;
    long cpuNanos = 0;
    int oracles = Oracles.standard().size() + RpcOracles.standard().size();
    for (Outcome o : outcomes) {
      if (!o.result().passed()) {
        throw SimulationHarness.failure(
            "million session-hours", getClass(), o.seed(), o.sim(), o.result());
      }
      sessions += o.result().sessions();
      rpcSessions += (o.result().sessions() + RPC_EVERY_NTH - 1) / RPC_EVERY_NTH;
      transitions += o.result().transitions();
      faults += o.result().faultsApplied();
      checks += o.oracleCalls() * oracles;
      cpuNanos += o.cpuNanos();
    }
    long sessionHours = sessions * HOURS;
    System.out.printf(
        Locale.ROOT,
        "million session-hours: %,d session-hours (%,d sessions, %,d of them RPC, x %d h), seeds"
            + " %d..%d, %d thread(s), %.1f s wall (%.1f s CPU), %,d faults, %,d transitions, %,d oracle checks,"
            + " 0 violations%n",
        sessionHours,
        sessions,
        rpcSessions,
        HOURS,
        seeds[0],
        seeds[seeds.length - 1],
        THREADS,
        wallSeconds,
        cpuNanos / 1e9,
        faults,
        transitions,
        checks);
    if (!Property.replaying()) {
      assertThat(sessionHours).as("session-hours simulated").isGreaterThanOrEqualTo(1_000_000L);
    }
  }

  /**
   * I9 for the runner itself: a seed run beside others on the pool gives the trace hash it gives
   * alone on this thread (a simulation leaking state into another would break every replay).
   */
  @Test
  void parallelSoakLeavesEachSeedsTraceAsAlone() throws Exception {
    // Small seeds of the same shape: the property is about the runner, not the size.
    long[] seeds = {1, 2, 3, 4};
    List<Long> parallel = new ArrayList<>();
    ExecutorService pool = Executors.newFixedThreadPool(THREADS);
    try {
      List<Future<Long>> futures = new ArrayList<>();
      for (long seed : seeds) {
        futures.add(pool.submit(() -> small(seed).run().traceHash()));
      }
      for (Future<Long> f : futures) {
        parallel.add(f.get());
      }
    } finally {
      pool.shutdownNow();
    }
    for (int i = 0; i < seeds.length; i++) {
      assertThat(small(seeds[i]).run().traceHash())
          .as("seed %d alone vs on the pool", seeds[i])
          .isEqualTo(parallel.get(i));
    }
  }

  private static Simulation small(long seed) {
    return soak(seed).sessions(RPC_EVERY_NTH + 2).duration(Duration.ofHours(2)).build();
  }
}
