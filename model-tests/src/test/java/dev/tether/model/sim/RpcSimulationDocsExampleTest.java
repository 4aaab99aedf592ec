package dev.tether.model.sim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import dev.tether.rpc.RpcConnection;
import dev.tether.stub.sim.FaultProfile;
import dev.tether.stub.sim.Oracle;
import dev.tether.stub.sim.RpcTraffic;
import dev.tether.stub.sim.SessionView;
import dev.tether.stub.sim.Simulation;
import dev.tether.stub.sim.SimulationResult;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Keeps docs/simulation.md's "Simulate your own RPC client code" example honest: the code between
 * the markers is the documented example, compiled and run here.
 */
class RpcSimulationDocsExampleTest {

  // example:rpc-simulation:begin
  /** Your code: follows stream "s1" (the traffic's server emits s0, s1, … with a serial "ev"). */
  static final class Follower {
    private long newest;
    private long seen;

    Follower(RpcConnection client) {
      client.listen(
          "s1",
          event -> {
            newest = Math.max(newest, event.path("ev").asLong());
            seen++;
          });
    }
  }

  /** Your invariant, checked after every step of every session: the newest serial never drops. */
  static final class NeverBackwards implements Oracle {
    private final Map<Integer, Follower> followers;
    private final Map<Integer, Long> before = new HashMap<>();

    NeverBackwards(Map<Integer, Follower> followers) {
      this.followers = followers;
    }

    @Override
    public String invariant() {
      return "follower-never-backwards";
    }

    @Override
    public String onCheck(SessionView s) {
      Follower f = followers.get(s.index());
      long previous = before.getOrDefault(s.index(), 0L);
      before.put(s.index(), f.newest);
      return f.newest < previous ? "newest went from " + previous + " to " + f.newest : null;
    }
  }

  @Test
  void myRpcClientCodeSurvivesFaults() {
    for (long seed = 1; seed <= 3; seed++) {
      Map<Integer, Follower> followers = new HashMap<>();
      Simulation sim =
          Simulation.builder()
              .seed(seed)
              .sessions(8)
              .duration(Duration.ofHours(2))
              .faults(FaultProfile.CHAOS) // slow consumers, crash loops, revoked credentials, …
              .rpc(RpcTraffic.defaults()) // every session an RpcConnection, all four dialects
              .onRpcConnection((client, i) -> followers.put(i, new Follower(client)))
              .oracleFactory(() -> new NeverBackwards(followers)) // a new one per run
              .build();
      SimulationResult result = sim.run();
      if (!result.passed()) {
        fail("seed %d: %s%nminimal plan:%n%s", seed, result.violation().get(), sim.shrink(result));
      }
      assertThat(followers.values()).anyMatch(f -> f.seen > 0);
    }
  }

  // example:rpc-simulation:end

}
