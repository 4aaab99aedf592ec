package dev.tether.model.sim;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tether.rpc.Dialect;
import dev.tether.rpc.RpcException;
import dev.tether.runtime.spi.Channel;
import dev.tether.stub.ForwardingChannel;
import dev.tether.stub.sim.FaultPlan;
import dev.tether.stub.sim.FaultProfile;
import dev.tether.stub.sim.RpcTraffic;
import dev.tether.stub.sim.Simulation;
import dev.tether.stub.sim.SimulationResult;
import dev.tether.stub.sim.Violation;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import org.junit.jupiter.api.Test;

/**
 * The RPC oracles (I6, I7, I11, R4) must each catch a plausible bug in code a user plugs into an
 * RPC session (a completion executor, a dialect, a transport), at a low seed, and shrink the run to
 * a plan that still shows it; the same runs with the bug left out pass.
 */
class RpcPlantedBugTest {
  /** Seeds tried: each bug must show within them. */
  static final int SEEDS = 10;

  static Simulation simulation(long seed, RpcTraffic traffic, Runnable atStart) {
    return SimulationHarness.simulation(seed, 4, Duration.ofHours(1), FaultProfile.CHAOS, 2.0)
        .rpc(traffic)
        .onRpcConnection(
            (client, index) -> {
              if (index == 0) {
                atStart.run();
              }
            })
        .build();
  }

  static void caughtAndShrunk(RpcTraffic traffic, String invariant, String messagePart) {
    caughtAndShrunk(traffic, () -> {}, invariant, messagePart);
  }

  /**
   * Runs seeds 1.. until one fails, then checks the invariant, the shrink and the replay; {@code
   * atStart} runs as each run begins (to restart stateful user code).
   */
  static void caughtAndShrunk(
      RpcTraffic traffic, Runnable atStart, String invariant, String messagePart) {
    SimulationHarness.Caught caught =
        SimulationHarness.firstFailingSeed(
            "the planted " + invariant + " bug must be caught",
            SEEDS,
            seed -> simulation(seed, traffic, atStart));
    Violation v = caught.violation();
    assertThat(v.invariant()).as("%s", v).isEqualTo(invariant);
    assertThat(v.message()).contains(messagePart);
    FaultPlan shrunk = caught.shrink();
    assertThat(shrunk.size()).isLessThan(caught.failed().plan().size());
    SimulationResult replay = caught.replayPrinted(shrunk);
    assertThat(replay.violation().map(Violation::invariant)).contains(invariant);
    System.out.println(
        invariant
            + " bug caught at seed "
            + caught.seed()
            + ", plan shrunk from "
            + caught.failed().plan().size()
            + " to "
            + shrunk.size()
            + " faults: "
            + v
            + "\nshrunk plan:\n"
            + shrunk);
  }

  // ---------------------------------------------------------------- I6

  /**
   * A completion executor that loses a task now and then, as a bounded pool with a discard policy
   * does under a burst: the request left the client's ledger, but its caller never hears of it.
   * Restarted with every run (when the first session is built), so every re-run while shrinking
   * sees the same executor.
   */
  static final class LosingExecutor implements Executor {
    private final boolean loses;
    private long tasks;

    LosingExecutor(boolean loses) {
      this.loses = loses;
    }

    /** A new run begins: the same executor as in every other run of the seed. */
    void restart() {
      tasks = 0;
    }

    @Override
    public void execute(Runnable task) {
      if (loses && ++tasks % 40 == 0) {
        return; // THE PLANTED BUG: a completion silently discarded.
      }
      task.run();
    }
  }

  @Test
  void completionLostByTheExecutorIsCaughtAsI6() {
    LosingExecutor executor = new LosingExecutor(true);
    caughtAndShrunk(
        RpcTraffic.builder().requestOptions(o -> o.executor(executor)).build(),
        executor::restart,
        "I6",
        "have not settled");
  }

  // ---------------------------------------------------------------- I7

  /**
   * A dialect of the user's own that treats every subscribe error as "already subscribed" (a
   * shortcut for the VM service's error 103 that swallows its 122, "not subscribable"): a refused
   * stream looks subscribed, and nobody is told.
   */
  static Dialect everyErrorMeansSubscribed(Dialect inner) {
    return new Dialect() {
      @Override
      public String name() {
        return inner.name();
      }

      @Override
      public Optional<RpcCall> subscribe(String stream) {
        return inner.subscribe(stream);
      }

      @Override
      public Optional<RpcCall> unsubscribe(String stream) {
        return inner.unsubscribe(stream);
      }

      @Override
      public Optional<String> subscriptionToken(String stream, JsonNode result) {
        return inner.subscriptionToken(stream, result);
      }

      @Override
      public Optional<RpcCall> unsubscribe(String stream, String token) {
        return inner.unsubscribe(stream, token);
      }

      @Override
      public Optional<String> subscribeRefusal(String stream, JsonNode result) {
        return inner.subscribeRefusal(stream, result);
      }

      @Override
      public boolean alreadySubscribed(RpcException.RemoteError error) {
        return true; // THE PLANTED BUG: every refusal taken for "already subscribed".
      }

      @Override
      public Optional<StreamEvent> streamEvent(ObjectNode notification) {
        return inner.streamEvent(notification);
      }

      @Override
      public Optional<RpcCall> heartbeatProbe() {
        return inner.heartbeatProbe();
      }
    };
  }

  @Test
  void refusalTakenForSuccessByADialectIsCaughtAsI7() {
    caughtAndShrunk(
        RpcTraffic.builder().dialects(RpcPlantedBugTest::everyErrorMeansSubscribed).build(),
        "I7",
        "not reported");
  }

  // ---------------------------------------------------------------- I11

  /**
   * A channel that writes every answer to the server twice (a retry of a write it thought lost).
   */
  static final class AnswersTwice extends ForwardingChannel {
    AnswersTwice(Channel inner) {
      super(inner);
    }

    @Override
    public CompletionStage<Void> send(byte[] frame) {
      String s = new String(frame, StandardCharsets.UTF_8);
      if (!s.contains("\"method\"") && (s.contains("\"result\"") || s.contains("\"error\""))) {
        var unused = inner.send(frame); // THE PLANTED BUG: the answer goes out twice.
      }
      return inner.send(frame);
    }
  }

  @Test
  void answerWrittenTwiceByTheTransportIsCaughtAsI11() {
    caughtAndShrunk(
        RpcTraffic.builder()
            .transports(t -> ForwardingChannel.wrapping(t, AnswersTwice::new))
            .build(),
        "I11",
        "answered twice");
  }

  // ---------------------------------------------------------------- R4

  /** A channel that cannot pause reading: it ignores the client's pause (and resume). */
  static final class CannotPause extends ForwardingChannel {
    CannotPause(Channel inner) {
      super(inner);
    }

    @Override
    public void pauseReading() {
      // THE PLANTED BUG: the socket keeps being read while the consumer is behind.
    }

    @Override
    public void resumeReading() {}
  }

  @Test
  void transportThatCannotPauseIsCaughtAsR4() {
    caughtAndShrunk(
        RpcTraffic.builder()
            .transports(t -> ForwardingChannel.wrapping(t, CannotPause::new))
            .build(),
        "R4",
        "unhandled events");
  }

  // ---------------------------------------------------------------- controls

  @Test
  void theSameUserCodeWithoutTheBugsPasses() {
    RpcTraffic correct =
        RpcTraffic.builder()
            .requestOptions(o -> o.executor(new LosingExecutor(false)))
            .transports(t -> ForwardingChannel.wrapping(t, ForwardingChannel::new))
            .build();
    for (long seed = 1; seed <= 3; seed++) {
      assertThat(simulation(seed, correct, () -> {}).run().violation())
          .as("seed %d", seed)
          .isEmpty();
    }
  }
}
