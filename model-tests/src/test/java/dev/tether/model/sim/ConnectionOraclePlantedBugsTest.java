package dev.tether.model.sim;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tether.machine.BackoffPolicy;
import dev.tether.runtime.PlantedMachineBugs;
import dev.tether.stub.sim.FaultPlan;
import dev.tether.stub.sim.FaultProfile;
import dev.tether.stub.sim.Simulation;
import dev.tether.stub.sim.SimulationResult;
import dev.tether.stub.sim.Violation;
import java.time.Duration;
import java.util.function.LongFunction;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/**
 * A planted bug for each connection oracle that had none (I2, I9, I10; I5's late channel is now
 * caught first by I4), and for I4 at a close during the handshake: each is caught by the simulator
 * within the first {@link #SEEDS} seeds, reported under its invariant, and shrunk to a plan of at
 * most {@link #SMALL} faults (a close that must meet a handshake: {@link #SMALL_TIMED}) that still
 * shows it when replayed from its printed form. The same runs with the real machine pass, so the
 * oracles are not merely noisy. (I1 and I4 at a close during backoff: {@link PlantedBugTest},
 * {@link TimerLeakPlantedBugTest}.)
 */
class ConnectionOraclePlantedBugsTest {
  /** A low seed range: a bug an oracle can see shows at once. */
  static final int SEEDS = 10;

  /** Faults a shrunk plan may keep: the one or two that provoke the bug, and one spare. */
  static final int SMALL = 3;

  /**
   * Faults a shrunk plan may keep when the bug needs a close to land inside a handshake: the faults
   * before it stay when they set its timing (each handshake's length and each backoff's jitter is
   * the next draw of the session's seed, so removing an earlier reconnect moves the window).
   */
  static final int SMALL_TIMED = 6;

  /** Flap guard tight enough that a few crash-loop reconnects reach it. */
  static final BackoffPolicy TIGHT_GUARD =
      BackoffPolicy.builder().unlimitedAttempts().flapLimit(2, Duration.ofMinutes(5)).build();

  static Simulation.Builder chaos(long seed) {
    return SimulationHarness.simulation(seed, 16, Duration.ofHours(2), FaultProfile.CHAOS, 2.0);
  }

  static Simulation.Builder withBug(
      Simulation.Builder b, Supplier<PlantedMachineBugs.Variant> bug) {
    return b.onConnection((c, i) -> PlantedMachineBugs.plant(c, bug.get()));
  }

  /** I2: a machine that announces an attempt again when its backoff elapses. */
  static Simulation reannouncing(long seed) {
    return withBug(chaos(seed), PlantedMachineBugs::attemptAnnouncedAgainWhenItOpens).build();
  }

  /** I5: a machine that never closes a channel that opens too late. */
  static Simulation keepingLateChannels(long seed) {
    return withBug(chaos(seed), PlantedMachineBugs::lateChannelsKept).build();
  }

  /** I10: a flap guard that ends the connection one loss early. */
  static Simulation flappingEarly(long seed) {
    return withBug(
            chaos(seed).policies(i -> TIGHT_GUARD),
            () -> PlantedMachineBugs.flapGuardOneLossEarly(TIGHT_GUARD))
        .build();
  }

  /** I4: a machine that keeps the channel when closed during its handshake. */
  static Simulation keepingHandshakeChannel(long seed) {
    return withBug(handshaking(seed), PlantedMachineBugs::channelKeptOnCloseDuringHandshake)
        .build();
  }

  /**
   * Many sessions with long handshakes and many user closes and drops, so closes meet handshakes.
   */
  static Simulation.Builder handshaking(long seed) {
    return SimulationHarness.simulation(seed, 64, Duration.ofHours(1), FaultProfile.CHAOS, 10.0)
        .handshakes(Duration.ofSeconds(8));
  }

  /** I9: a machine drawing its jitter from a process-wide random source. */
  static Simulation sharedJitter(long seed, FaultPlan plan) {
    BackoffPolicy policy = BackoffPolicy.builder().unlimitedAttempts().build();
    Simulation.Builder b =
        withBug(chaos(seed).policies(i -> policy), () -> jitterBug(policy)).sessions(4);
    return plan == null ? b.build() : b.plan(plan).build();
  }

  private static PlantedMachineBugs.Variant jitterBug(BackoffPolicy policy) {
    return PlantedMachineBugs.jitterFromASharedRandom(policy);
  }

  @Test
  void attemptAnnouncedTwiceIsCaughtByI2() {
    caughtAndShrunk("I2", ConnectionOraclePlantedBugsTest::reannouncing, SMALL);
  }

  @Test
  void lateChannelKeptOpenIsCaughtByI4AtTheLateAccept() {
    // I4 counts abandoned opens: the late channel is caught as it arrives, before a second
    // channel opens beside it (which I5 would see).
    Violation v =
        caughtAndShrunk("I4", ConnectionOraclePlantedBugsTest::keepingLateChannels, SMALL);
    assertThat(v.message()).contains("is still open: the client did not close it");
  }

  @Test
  void flapGuardOneLossEarlyIsCaughtByI10() {
    caughtAndShrunk("I10", ConnectionOraclePlantedBugsTest::flappingEarly, SMALL);
  }

  @Test
  void channelKeptOnCloseDuringHandshakeIsCaughtByI4AtTheTerminalEvent() {
    Violation v =
        caughtAndShrunk(
            "I4", ConnectionOraclePlantedBugsTest::keepingHandshakeChannel, SMALL_TIMED);
    // Seen at the emit itself: the driver's clean-up right after it would close the channel.
    assertThat(v.message()).contains("channel(s) still open when Closed");
  }

  @Test
  void jitterFromASharedRandomIsCaughtByI9() {
    SimulationResult caught =
        SimulationHarness.firstFailingRun(
            "I9 broken",
            SEEDS,
            seed -> sharedJitter(seed, null).run(),
            first -> !sameTrace(first, sharedJitter(first.seed(), null).run()));
    long seed = caught.seed();
    FaultPlan shrunk =
        Simulation.shrink(
            caught.plan(),
            p -> !sameTrace(sharedJitter(seed, p).run(), sharedJitter(seed, p).run()));
    assertThat(shrunk.size()).isBetween(1, SMALL);
    FaultPlan replayed = FaultPlan.parse(shrunk.toString());
    assertThat(sameTrace(sharedJitter(seed, replayed).run(), sharedJitter(seed, replayed).run()))
        .isFalse();
    System.out.println("I9 broken at seed " + seed + "; shrunk plan:\n" + shrunk);
  }

  @Test
  void theSameRunsWithTheRealMachinePass() {
    for (long seed = 1; seed <= 3; seed++) {
      assertThat(chaos(seed).build().run().violation()).as("chaos seed %d", seed).isEmpty();
      assertThat(chaos(seed).policies(i -> TIGHT_GUARD).build().run().violation())
          .as("tight guard seed %d", seed)
          .isEmpty();
      assertThat(handshaking(seed).build().run().violation())
          .as("handshakes seed %d", seed)
          .isEmpty();
    }
    BackoffPolicy policy = BackoffPolicy.builder().unlimitedAttempts().build();
    Simulation.Builder b = chaos(1).policies(i -> policy).sessions(4);
    assertThat(sameTrace(b.build().run(), b.build().run())).isTrue();
  }

  /** I9's comparison: two runs of the same seed and plan give the same trace hash. */
  private static boolean sameTrace(SimulationResult first, SimulationResult second) {
    return first.traceHash() == second.traceHash();
  }

  /** Finds the bug within {@link #SEEDS}, checks the oracle, shrinks and replays the plan. */
  static Violation caughtAndShrunk(
      String invariant, LongFunction<Simulation> buggy, int maxFaults) {
    SimulationHarness.Caught caught =
        SimulationHarness.firstFailingSeed(invariant + ": the bug must be caught", SEEDS, buggy);
    Violation v = caught.violation();
    assertThat(v.invariant()).as("%s", v).isEqualTo(invariant);
    FaultPlan shrunk = caught.shrink();
    assertThat(shrunk.size()).as("shrunk plan:\n%s", shrunk).isLessThanOrEqualTo(maxFaults);
    SimulationResult replay = caught.replayPrinted(shrunk);
    assertThat(replay.violation().map(Violation::invariant)).contains(invariant);
    System.out.println(
        invariant
            + " planted bug caught at seed "
            + caught.seed()
            + ": "
            + v
            + "\nshrunk from "
            + caught.failed().plan().size()
            + " to:\n"
            + shrunk);
    return v;
  }
}
