package dev.tether.model.sim;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tether.machine.LifecycleEvent;
import dev.tether.stub.sim.FaultPlan;
import dev.tether.stub.sim.FaultProfile;
import dev.tether.stub.sim.Oracle;
import dev.tether.stub.sim.RpcTraffic;
import dev.tether.stub.sim.SessionView;
import dev.tether.stub.sim.Simulation;
import dev.tether.stub.sim.SimulationResult;
import dev.tether.stub.sim.Violation;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * Issue 17, "shrinking reduces a failing run to a minimal fault plan plus the traffic that
 * matters": a planted RPC bug shrinks to a plan whose {@code traffic without} line turns off the
 * traffic unrelated to it, and the printed plan replays the same violation; and every re-run while
 * shrinking has oracles that start from nothing.
 */
class ShrinkTrafficAndFreshOraclesTest {

  /** The I7 bug of {@link RpcPlantedBugTest}: a dialect that takes every refusal for success. */
  static Simulation refusalTakenForSuccess(long seed) {
    return RpcPlantedBugTest.simulation(
        seed,
        RpcTraffic.builder().dialects(RpcPlantedBugTest::everyErrorMeansSubscribed).build(),
        () -> {});
  }

  @Test
  void plantedRpcBugShrinksToTheTrafficItNeedsAndTheReplayShowsIt() {
    SimulationHarness.Caught caught =
        SimulationHarness.firstFailingSeed(
            "the planted I7 bug is caught at a low seed",
            RpcPlantedBugTest.SEEDS,
            ShrinkTrafficAndFreshOraclesTest::refusalTakenForSuccess);
    Violation v = caught.violation();
    assertThat(v.invariant()).isEqualTo("I7");

    FaultPlan shrunk = caught.shrink();
    // A refused resubscription that nobody reports needs subscriptions, and none of the rest.
    assertThat(shrunk.trafficOff())
        .as("shrunk plan:%n%s", shrunk)
        .contains(
            RpcTraffic.Part.REQUESTS,
            RpcTraffic.Part.EVENTS,
            RpcTraffic.Part.SERVER_REQUESTS,
            RpcTraffic.Part.HEARTBEAT)
        .doesNotContain(RpcTraffic.Part.SUBSCRIPTIONS);
    assertThat(shrunk.toString()).startsWith("traffic without ");

    SimulationResult replay = caught.replayPrinted(shrunk);
    assertThat(replay.violation().map(Violation::invariant)).contains("I7");
    assertThat(replay.violation().orElseThrow().message()).contains("not reported");
    System.out.println(
        "I7 caught at seed " + caught.seed() + ": " + v + "\nshrunk plan:\n" + shrunk);
  }

  @Test
  void trafficLinesReadBackAsPrinted() {
    FaultPlan plan =
        FaultPlan.parse(
            """
            traffic without heartbeat wait-for-ready
            traffic slower 8
            drop 0 1000
            """);
    assertThat(plan.trafficOff())
        .containsExactly(RpcTraffic.Part.WAIT_FOR_READY, RpcTraffic.Part.HEARTBEAT);
    assertThat(plan.trafficSlower()).isEqualTo(8);
    assertThat(FaultPlan.parse(plan.toString())).isEqualTo(plan);
    assertThat(plan.toString())
        .isEqualTo("traffic without wait-for-ready heartbeat\ntraffic slower 8\ndrop 0 1000\n");
  }

  /**
   * An oracle of the user's own that remembers: it fires at the run's {@link #LIMIT}th reconnect.
   * Had a re-run kept the failing run's count, every candidate would "fail" at once and the shrink
   * would end at a plan that passes.
   */
  static final class FiresAtTheThirdReconnect implements Oracle {
    static final int LIMIT = 3;
    private int reconnects;

    @Override
    public String invariant() {
      return "third-reconnect";
    }

    @Override
    public String onEvent(SessionView s, LifecycleEvent previous, LifecycleEvent event) {
      return event instanceof LifecycleEvent.Reconnected && ++reconnects >= LIMIT
          ? "reconnect number " + reconnects + " in this run"
          : null;
    }
  }

  static Simulation counting(long seed) {
    return SimulationHarness.simulation(seed, 4, Duration.ofHours(2), FaultProfile.FLAKY, 1.0)
        .oracleFactory(FiresAtTheThirdReconnect::new)
        .build();
  }

  @Test
  void everyShrinkRerunGetsFreshOracles() {
    SimulationResult failed = counting(1).run();
    assertThat(failed.violation().map(Violation::invariant)).contains("third-reconnect");

    FaultPlan shrunk = counting(1).shrink(failed);
    // Three reconnects need faults; and a fresh simulation replaying the plan sees them again.
    assertThat(shrunk.size()).as("shrunk plan:%n%s", shrunk).isPositive();
    SimulationResult replay = counting(1).run(FaultPlan.parse(shrunk.toString()));
    assertThat(replay.violation().map(Violation::invariant))
        .as("replay of the shrunk plan:%n%s", shrunk)
        .contains("third-reconnect");
  }
}
