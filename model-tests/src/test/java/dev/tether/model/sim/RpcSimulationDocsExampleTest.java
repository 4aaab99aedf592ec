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
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Keeps the README's "Simulate your own RPC client code" example honest: the code between the
 * markers is the documented example, compiled and run here.
 */
class RpcSimulationDocsExampleTest {

  // DOCS:rpc-simulation:begin
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
              .oracle(new NeverBackwards(followers))
              .build();
      SimulationResult result = sim.run();
      if (!result.passed()) {
        fail("seed %d: %s%nminimal plan:%n%s", seed, result.violation().get(), sim.shrink(result));
      }
      assertThat(followers.values()).anyMatch(f -> f.seen > 0);
    }
  }

  // DOCS:rpc-simulation:end

  @Test
  void readmeShowsExactlyThisExample() throws IOException {
    String docs = Files.readString(Path.of("..", "README.md"), StandardCharsets.UTF_8);
    int marker = docs.indexOf("<!-- example:rpc-simulation -->");
    assertThat(marker).as("README marker <!-- example:rpc-simulation -->").isNotNegative();
    int start = docs.indexOf("```java", marker) + "```java".length();
    List<String> documented =
        SimulationDocsExampleTest.trimmed(docs.substring(start, docs.indexOf("```", start)));
    String self =
        Files.readString(
            Path.of("src/test/java/dev/tether/model/sim/RpcSimulationDocsExampleTest.java"),
            StandardCharsets.UTF_8);
    String begin = "// DOCS:rpc-simulation:begin";
    List<String> source =
        SimulationDocsExampleTest.trimmed(
            self.substring(
                self.indexOf(begin) + begin.length(), self.indexOf("// DOCS:rpc-simulation:end")));
    assertThat(documented).isNotEmpty().containsExactlyElementsOf(source);
  }
}
