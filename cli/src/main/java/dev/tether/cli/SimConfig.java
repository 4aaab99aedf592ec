package dev.tether.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tether.stub.sim.FaultProfile;
import dev.tether.stub.sim.Regime;
import dev.tether.stub.sim.RpcTraffic;
import dev.tether.stub.sim.Simulation;
import java.time.Duration;
import java.util.Locale;

/**
 * What {@code tether simulate} runs for every seed: everything but the seed and the plan. It makes
 * the simulation, the replay command a person types to run one seed again, and the {@code config}
 * object of a sweep summary (summaries merge only when their configs are equal). Immutable.
 *
 * @param sessions simulated connections
 * @param duration simulated time as typed, such as {@code 24h}
 * @param faults the random fault profile
 * @param intensity multiplies every fault rate
 * @param regime safety or liveness
 * @param handshakes the longest handshake of a connection session as typed, such as {@code 8s};
 *     null when the sessions run none
 * @param rpcEvery one session in this many is an RPC session with the default traffic; 0 for none
 */
record SimConfig(
    int sessions,
    String duration,
    FaultProfile faults,
    double intensity,
    Regime regime,
    String handshakes,
    int rpcEvery) {

  /** A config without handshakes or RPC sessions. */
  SimConfig(int sessions, String duration, FaultProfile faults, double intensity, Regime regime) {
    this(sessions, duration, faults, intensity, regime, null, 0);
  }

  /** The duration, parsed (it was validated when the config was made). */
  Duration simulatedTime() {
    return Durations.parse(duration);
  }

  /** The simulation of {@code seed}, with the random plan of this config. */
  Simulation.Builder builder(long seed) {
    Simulation.Builder b =
        Simulation.builder()
            .seed(seed)
            .sessions(sessions)
            .duration(simulatedTime())
            .faults(faults, intensity)
            .regime(regime);
    if (handshakes != null) {
      b.handshakes(Durations.parse(handshakes));
    }
    if (rpcEvery > 0) {
      b.rpc(RpcTraffic.builder().everyNth(rpcEvery).build());
    }
    return b;
  }

  /**
   * The options of this config that a replay needs besides the common ones, each led by a space.
   */
  private String extras() {
    return (handshakes == null ? "" : " --handshakes " + handshakes)
        + (rpcEvery == 0 ? "" : " --rpc-every " + rpcEvery);
  }

  /** The command that runs {@code seed} again, exactly as the sweep ran it. */
  String replay(long seed) {
    return String.format(
        Locale.ROOT,
        "tether simulate --seed %d --sessions %d --duration %s --faults %s --intensity %s"
            + " --regime %s%s",
        seed,
        sessions,
        duration,
        faults,
        intensity,
        regime,
        extras());
  }

  /** The command that replays a saved plan (the profile and intensity do not apply to it). */
  String replayPlan(long seed) {
    return String.format(
        Locale.ROOT,
        "tether simulate --seed %d --sessions %d --duration %s --regime %s%s --plan FILE",
        seed,
        sessions,
        duration,
        regime,
        extras());
  }

  /** The {@code config} object of a sweep summary. */
  ObjectNode toJson() {
    ObjectNode n = LifecycleJson.MAPPER.createObjectNode();
    n.put("sessions", sessions);
    n.put("durationMillis", simulatedTime().toMillis());
    n.put("faults", faults.name());
    n.put("intensity", intensity);
    n.put("regime", regime.name());
    if (handshakes != null) {
      n.put("handshakeMillis", Durations.parse(handshakes).toMillis());
    }
    if (rpcEvery > 0) {
      n.put("rpcEvery", rpcEvery);
    }
    return n;
  }
}
