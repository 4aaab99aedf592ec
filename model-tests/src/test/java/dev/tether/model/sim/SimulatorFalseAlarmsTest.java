package dev.tether.model.sim;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tether.stub.sim.FaultPlan;
import dev.tether.stub.sim.RpcTraffic;
import dev.tether.stub.sim.Simulation;
import dev.tether.stub.sim.SimulationResult;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * Checks of the simulator's own that fired on behaviour that is correct: each pinned by the shrunk
 * plan of the run that found it, so the check cannot go back to crying wolf.
 */
class SimulatorFalseAlarmsTest {

  /**
   * Found by {@link MillionSessionHoursTest} at seed 14: a slow-reader window healed while a write
   * stall held the server's reads, and the "backlog delivered" check counted the frames the stalled
   * server will never read as lost. The write timeout (R5) is what ends such a channel.
   */
  @Test
  void slowReaderHealingDuringWriteStallIsNoFrameLoss() {
    SimulationResult r =
        Simulation.builder()
            .seed(14)
            .sessions(1)
            .duration(Duration.ofMinutes(20))
            .rpc(RpcTraffic.defaults())
            .plan(
                FaultPlan.parse(
                    """
                    slow-reader 0 60000 120527 4469
                    write-stall 0 175840 89853 87
                    """))
            .build()
            .run();

    assertThat(r.violation()).isEmpty();
  }
}
