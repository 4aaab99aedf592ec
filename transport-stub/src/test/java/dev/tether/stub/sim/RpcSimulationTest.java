package dev.tether.stub.sim;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tether.rpc.ConnectionStats;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/**
 * RPC sessions in the simulator: every built-in dialect and both envelopes under chaos, with the
 * model's own floods and write stalls, keep I6, I7, I11, R4 and R5 besides the connection
 * invariants; the trace covers the RPC traffic, so one seed gives one trace.
 */
class RpcSimulationTest {

  static Simulation.Builder chaos(long seed) {
    return Simulation.builder()
        .seed(seed)
        .sessions(8)
        .duration(Duration.ofHours(3))
        .faults(FaultProfile.CHAOS)
        .rpc(RpcTraffic.builder().faults(1.0, 1.0).build());
  }

  /** An oracle that never fires: it hands each session's view to {@code books} as the run ends. */
  static Oracle atEnd(Consumer<SessionView> books) {
    return new Oracle() {
      @Override
      public String invariant() {
        return "books";
      }

      @Override
      public String atEnd(SessionView s) {
        books.accept(s);
        return null;
      }
    };
  }

  @Test
  void rpcSessionsUnderChaosKeepEveryInvariant() {
    List<ConnectionStats> stats = new ArrayList<>();
    for (long seed = 1; seed <= 3; seed++) {
      SimulationResult r =
          chaos(seed).oracle(atEnd(s -> stats.add(s.rpc().orElseThrow().stats()))).build().run();
      assertThat(r.violation()).as("seed %d: %s", seed, r.violation()).isEmpty();
    }
    // The traffic reached what it is there for: every outcome, floods past the limit, stalls.
    assertThat(stats.stream().mapToLong(ConnectionStats::succeeded).sum()).isPositive();
    assertThat(stats.stream().mapToLong(ConnectionStats::timeouts).sum()).isPositive();
    assertThat(stats.stream().mapToLong(ConnectionStats::remoteErrors).sum()).isPositive();
    assertThat(stats.stream().mapToLong(ConnectionStats::connectionLost).sum()).isPositive();
    assertThat(stats.stream().mapToLong(ConnectionStats::replayed).sum()).isPositive();
    assertThat(stats.stream().mapToLong(ConnectionStats::servedErrors).sum()).isPositive();
    assertThat(stats.stream().mapToLong(ConnectionStats::servedDropped).sum()).isPositive();
    assertThat(stats.stream().mapToLong(ConnectionStats::resubscribeFailures).sum()).isPositive();
    assertThat(stats.stream().mapToLong(ConnectionStats::eventsReceived).sum()).isPositive();
  }

  @Test
  void oneSeedOneTraceWithRpcTraffic() {
    SimulationResult a = chaos(7).build().run();
    SimulationResult b = chaos(7).build().run();
    assertThat(a.traceHash()).isEqualTo(b.traceHash());
    // The RPC traffic is in the trace: the same run with another request pace hashes differently.
    SimulationResult other =
        chaos(7)
            .rpc(RpcTraffic.builder().faults(1.0, 1.0).requestEvery(Duration.ofSeconds(59)).build())
            .build()
            .run();
    assertThat(other.traceHash()).isNotEqualTo(a.traceHash());
  }

  /**
   * A move of an RPC session is the outage it causes: its scripted peer stays at one address, so
   * the session reconnects to it there and its traffic goes on (a session moved to a fresh address
   * would talk to a server without the peer: no answers, frames it cannot read).
   */
  @Test
  void movedRpcSessionReconnectsToItsScriptedPeer() {
    List<Long> succeeded = new ArrayList<>();
    SimulationResult r =
        Simulation.builder()
            .seed(3)
            .sessions(1)
            .duration(Duration.ofMinutes(15))
            .rpc(RpcTraffic.defaults())
            .plan(FaultPlan.parse("move 0 60000 30000\n"))
            .oracle(atEnd(s -> succeeded.add(s.rpc().orElseThrow().stats().succeeded())))
            .build()
            .run();

    assertThat(r.violation()).isEmpty();
    assertThat(r.coverage().reconnected()).isEqualTo(1);
    // A request a minute: about 14 of them answered after the move, besides the one before it.
    assertThat(succeeded).singleElement().satisfies(n -> assertThat(n).isGreaterThan(5));
  }

  /** A report counts each RPC session's requests by outcome: every settled request, once. */
  @Test
  void timelinesCountTheRequestOutcomesOfRpcSessions() {
    long[] settled = new long[1];
    SimulationResult r =
        chaos(2)
            .sessions(1)
            .timelines(1)
            .oracle(
                atEnd(
                    s -> {
                      RpcSessionView v = s.rpc().orElseThrow();
                      settled[0] = v.requestsMade() - v.requestsUnsettled();
                    }))
            .build()
            .run();

    assertThat(r.violation()).isEmpty();
    var requests = r.timelines().get(0).requests();
    assertThat(requests.keySet()).first().isEqualTo("ok");
    assertThat(requests).hasSizeGreaterThan(1); // chaos: some requests fail
    assertThat(requests.values().stream().mapToLong(Long::longValue).sum()).isEqualTo(settled[0]);
  }

  @Test
  void floodsAndWriteStallsArePartOfThePlan() {
    FaultPlan plan = chaos(3).build().plan();
    assertThat(plan.faults()).anyMatch(f -> f.kind() == Fault.Kind.FLOOD);
    assertThat(plan.faults()).anyMatch(f -> f.kind() == Fault.Kind.WRITE_STALL);
    assertThat(FaultPlan.parse(plan.toString())).isEqualTo(plan);
  }
}
