package dev.tether.model.sim;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tether.machine.LifecycleEvent;
import dev.tether.runtime.LifecycleListener;
import dev.tether.stub.sim.FaultProfile;
import dev.tether.stub.sim.Simulation;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

/**
 * The oracles must catch a realistic delivery bug within the default seeds: a listener pipeline
 * that batches events until the connection is up again and, when its buffer is full, drops the
 * incoming event even if it is the terminal one (the bug I1 forbids). The same pipeline with the
 * terminal event always kept passes, so the oracle is not merely noisy.
 */
class PlantedBugTest {
  /** The default seeds of {@link SimulationPropertyTest}: the bug must show within them. */
  static final int SEEDS = SimulationPropertyTest.SEEDS;

  /** Buffer size of the relay: small enough for one outage to fill it. */
  static final int CAPACITY = 4;

  /** Buffers events until Connected/Reconnected or a terminal event, then hands all on. */
  static final class BatchingRelay implements LifecycleListener {
    private final LifecycleListener downstream;
    private final boolean dropTerminalWhenFull;
    private final ArrayDeque<LifecycleEvent> buffer = new ArrayDeque<>();

    BatchingRelay(LifecycleListener downstream, boolean dropTerminalWhenFull) {
      this.downstream = downstream;
      this.dropTerminalWhenFull = dropTerminalWhenFull;
    }

    @Override
    public void onEvent(LifecycleEvent event) {
      if (buffer.size() >= CAPACITY && event.isTerminal() && dropTerminalWhenFull) {
        return; // THE PLANTED BUG: the terminal event is lost when the buffer is full.
      }
      buffer.add(event);
      if (event.isTerminal()
          || event instanceof LifecycleEvent.Connected
          || event instanceof LifecycleEvent.Reconnected) {
        while (!buffer.isEmpty()) {
          downstream.onEvent(buffer.poll());
        }
      }
    }
  }

  static Simulation withRelay(long seed, boolean buggy) {
    UnaryOperator<LifecycleListener> relay = l -> new BatchingRelay(l, buggy);
    return SimulationHarness.simulation(seed, 16, Duration.ofHours(2), FaultProfile.OUTAGES, 2.0)
        .listenerDecorator(relay)
        .build();
  }

  @Test
  void droppedTerminalEventIsCaughtWithinTheDefaultSeeds() {
    SimulationHarness.Caught caught =
        SimulationHarness.firstFailingSeed(
            "the planted bug must be caught", SEEDS, seed -> withRelay(seed, true));
    assertThat(caught.violation().invariant()).isEqualTo("I1");
    assertThat(caught.shrink().size()).isLessThan(caught.failed().plan().size());
    System.out.println("planted bug caught at seed " + caught.seed() + ": " + caught.violation());
  }

  @Test
  void theSameRelayKeepingTheTerminalEventPasses() {
    for (long seed = 1; seed <= 20; seed++) {
      assertThat(withRelay(seed, false).run().violation()).as("seed %d", seed).isEmpty();
    }
  }
}
