package dev.tether.model.sim;

import static dev.tether.model.sim.ConnectionOraclePlantedBugsTest.SMALL;
import static dev.tether.model.sim.ConnectionOraclePlantedBugsTest.caughtAndShrunk;
import static dev.tether.model.sim.ConnectionOraclePlantedBugsTest.handshaking;
import static dev.tether.model.sim.ConnectionOraclePlantedBugsTest.withBug;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tether.machine.BackoffPolicy;
import dev.tether.runtime.PlantedMachineBugs;
import dev.tether.stub.sim.Fault;
import dev.tether.stub.sim.FaultPlan;
import dev.tether.stub.sim.Simulation;
import dev.tether.stub.sim.Violation;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * I5 has two halves, each with a planted machine bug that its own check catches first (before I4's
 * late-accept check or state against link), at a low seed, shrunk to a small plan: at most one open
 * channel at any instant ({@code Oracles.oneLiveChannel()}), and late callbacks from an attempt
 * already given up never change state: no lifecycle event and no frame for the user while the
 * connection handles one ({@code Oracles.lateCallbacks()}). The same runs with the real machine
 * pass.
 */
class LateCallbackPlantedBugsTest {

  /**
   * Handshakes up to twice the default connect timeout (10 s): about half of them time out with
   * their channel open.
   */
  static Simulation.Builder outlivedHandshakes(long seed) {
    return handshaking(seed).handshakes(Duration.ofSeconds(20));
  }

  /** A machine that keeps the channel of a handshake the connect timeout gave up. */
  static Simulation keepingTimedOutHandshakeChannels(long seed) {
    return withBug(
            outlivedHandshakes(seed),
            PlantedMachineBugs::channelKeptOnConnectTimeoutDuringHandshake)
        .build();
  }

  /** A machine that takes any attempt's handshake success for the current attempt's. */
  static Simulation takingAnyHandshakeSuccess(long seed) {
    return withBug(handshaking(seed), PlantedMachineBugs::handshakeSuccessOfAnyAttempt).build();
  }

  /** Retries that wait ten minutes, so a kept channel is the only one open for a while. */
  static final BackoffPolicy SLOW_RETRIES =
      BackoffPolicy.builder()
          .delays(List.of(Duration.ofMinutes(10)))
          .unlimitedAttempts()
          .noFlapGuard()
          .build();

  static final int FRAME_SESSIONS = 8;

  /**
   * Every session's server pushes frames to every channel it holds, all hour long (a slow consumer
   * window), to sessions whose handshakes may outlive the connect timeout and whose retries wait
   * ten minutes: a kept channel then delivers frames long before the next attempt opens another.
   */
  static Simulation.Builder pushingToKeptChannels(long seed) {
    List<Fault> faults = new ArrayList<>();
    for (int i = 0; i < FRAME_SESSIONS; i++) {
      faults.add(
          new Fault.Window(Fault.Kind.SLOW_CONSUMER, i, 0, Duration.ofHours(1).toMillis(), 10));
    }
    return Simulation.builder()
        .seed(seed)
        .sessions(FRAME_SESSIONS)
        .duration(Duration.ofHours(1))
        .policies(i -> SLOW_RETRIES)
        .handshakes(Duration.ofSeconds(20))
        .plan(FaultPlan.of(faults));
  }

  static Simulation framesFromKeptChannels(long seed) {
    return withBug(
            pushingToKeptChannels(seed),
            PlantedMachineBugs::channelKeptOnConnectTimeoutDuringHandshake)
        .build();
  }

  /** The plan shrinks to nothing: a handshake outliving the connect timeout needs no fault. */
  @Test
  void channelKeptWhenTheConnectTimeoutMeetsTheHandshakeIsCaughtByI5() {
    Violation v =
        caughtAndShrunk("I5", LateCallbackPlantedBugsTest::keepingTimedOutHandshakeChannels, SMALL);
    assertThat(v.message()).contains("channels open at once");
  }

  @Test
  void lateHandshakeSuccessTakenForTheCurrentAttemptIsCaughtByI5() {
    Violation v =
        caughtAndShrunk("I5", LateCallbackPlantedBugsTest::takingAnyHandshakeSuccess, SMALL);
    assertThat(v.message())
        .contains("emitted while the connection handled the handshake's success")
        .contains("whose attempt was given up at");
  }

  @Test
  void framesOfAKeptChannelReachingTheUserAreCaughtByI5() {
    SimulationHarness.Caught caught =
        SimulationHarness.firstFailingSeed(
            "the late channel's frame must be caught",
            ConnectionOraclePlantedBugsTest.SEEDS,
            LateCallbackPlantedBugsTest::framesFromKeptChannels);
    Violation v = caught.violation();
    assertThat(v.invariant()).as("%s", v).isEqualTo("I5");
    assertThat(v.message())
        .as("%s", v)
        .contains(LATE_FRAME)
        .contains("whose attempt was given up at");
    // Shrunk by the frame itself: with no fault left, the kept channel is still seen (by the other
    // half, when the next attempt opens ten minutes later), but no frame reaches the user.
    Simulation sim = caught.simulation();
    FaultPlan shrunk =
        Simulation.shrink(
            caught.failed().plan(),
            p ->
                sim.run(p)
                    .violation()
                    .filter(x -> x.invariant().equals("I5") && x.message().contains(LATE_FRAME))
                    .isPresent());
    assertThat(shrunk.size()).as("shrunk plan:%n%s", shrunk).isEqualTo(1);
    assertThat(caught.replayPrinted(shrunk).violation().orElseThrow().message())
        .contains(LATE_FRAME);
    System.out.println(
        "I5 (frames) caught at seed " + caught.seed() + ": " + v + "\nshrunk to:\n" + shrunk);
  }

  /** How the frame half of I5 reports a frame of a late channel that reached the user. */
  static final String LATE_FRAME =
      "a frame reached the frame listener while the connection handled a frame";

  @Test
  void theSameRunsWithTheRealMachinePass() {
    for (long seed = 1; seed <= 3; seed++) {
      assertThat(outlivedHandshakes(seed).build().run().violation())
          .as("outlived handshakes, seed %d", seed)
          .isEmpty();
      assertThat(pushingToKeptChannels(seed).build().run().violation())
          .as("frames pushed to every channel, seed %d", seed)
          .isEmpty();
    }
  }
}
