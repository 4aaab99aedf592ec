package dev.tether.model.sim;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tether.runtime.spi.Channel;
import dev.tether.runtime.spi.ChannelListener;
import dev.tether.runtime.spi.Transport;
import dev.tether.stub.ForwardingChannel;
import dev.tether.stub.sim.FaultPlan;
import dev.tether.stub.sim.RpcTraffic;
import dev.tether.stub.sim.Simulation;
import dev.tether.stub.sim.SimulationResult;
import dev.tether.stub.sim.Violation;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.junit.jupiter.api.Test;

/**
 * State against link for RPC sessions: a half-open channel must be noticed within the bound the
 * session's RPC heartbeat guarantees (misses x interval + timeout). A transport layer that answers
 * the heartbeat's probes itself (a keepalive proxy that never asks the peer) leaves a half-open
 * channel "Connected" for ever; the oracle must catch it at a low seed and shrink it.
 */
class HeartbeatBoundPlantedBugTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** Answers every {@code ping} probe at once, itself: the peer never sees one. */
  static final class AnswersPingsItself extends ForwardingChannel {
    private final ChannelListener listener;

    AnswersPingsItself(Channel inner, ChannelListener listener) {
      super(inner);
      this.listener = listener;
    }

    @Override
    public CompletionStage<Void> send(byte[] frame) {
      JsonNode request = read(frame);
      if (!"ping".equals(request.path("method").asText()) || !request.has("id")) {
        return inner.send(frame);
      }
      ObjectNode answer = JSON.createObjectNode();
      if (request.has("jsonrpc")) {
        answer.put("jsonrpc", "2.0");
      }
      answer.set("id", request.get("id"));
      answer.put("result", true);
      listener.onFrame(answer.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8));
      return CompletableFuture.completedFuture(null); // THE PLANTED BUG: the peer is never asked.
    }

    private static JsonNode read(byte[] frame) {
      try {
        return JSON.readTree(frame);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }

  static Transport keepaliveProxy(Transport inner) {
    return (uri, listener) ->
        inner.open(uri, listener).thenApply(ch -> (Channel) new AnswersPingsItself(ch, listener));
  }

  static Simulation proxied(long seed) {
    return RpcPlantedBugTest.simulation(
        seed,
        RpcTraffic.builder().transports(HeartbeatBoundPlantedBugTest::keepaliveProxy).build(),
        () -> {});
  }

  @Test
  void heartbeatThatNeverDetectsAHalfOpenChannelIsCaughtByStateAgainstLink() {
    SimulationHarness.Caught caught =
        SimulationHarness.firstFailingSeed(
            "the half-open channel must be caught",
            RpcPlantedBugTest.SEEDS,
            HeartbeatBoundPlantedBugTest::proxied);
    Violation v = caught.violation();
    assertThat(v.invariant()).as("%s", v).isEqualTo("link");
    assertThat(v.message()).contains("half-open", "past the detection bound PT1M35S");

    FaultPlan shrunk = caught.shrink();
    assertThat(shrunk.faults()).as("shrunk plan:%n%s", shrunk).hasSizeLessThanOrEqualTo(2);
    assertThat(shrunk.trafficOff()).doesNotContain(RpcTraffic.Part.HEARTBEAT);
    SimulationResult replay = caught.replayPrinted(shrunk);
    assertThat(replay.violation().map(Violation::invariant)).contains("link");
    System.out.println("link caught at seed " + caught.seed() + ": " + v + "\nshrunk:\n" + shrunk);
  }
}
