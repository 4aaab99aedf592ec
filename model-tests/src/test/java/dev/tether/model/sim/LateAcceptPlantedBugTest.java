package dev.tether.model.sim;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tether.runtime.spi.Channel;
import dev.tether.runtime.spi.Transport;
import dev.tether.stub.ForwardingChannel;
import dev.tether.stub.sim.Coverage;
import dev.tether.stub.sim.RpcTraffic;
import dev.tether.stub.sim.SimulationResult;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/**
 * I4 counts abandoned opens: a channel the server accepts after the client gave its open up (the
 * attempt timed out, was closed or superseded, or the connection ended) must be closed by the
 * client at once. The transport SPI has no cancel, so the driver closes such a late channel as it
 * arrives; a client that keeps it open must be caught at a low seed and shrunk.
 */
class LateAcceptPlantedBugTest {

  /**
   * A transport layer whose channels ignore a close while their open is still completing: the one
   * moment the driver closes a channel is when it arrives for an attempt already given up, so this
   * is a client that never closes a late-arriving channel.
   */
  static Transport keepsLateChannels(Transport inner) {
    return (uri, listener) -> {
      CompletableFuture<Channel> out = new CompletableFuture<>();
      inner
          .open(uri, listener)
          .handle(
              (channel, error) -> {
                if (error != null) {
                  out.completeExceptionally(error);
                  return null;
                }
                boolean[] completing = {true};
                out.complete(
                    new ForwardingChannel(channel) {
                      @Override
                      public void close() {
                        if (!completing[0]) { // THE PLANTED BUG: a late channel stays open.
                          inner.close();
                        }
                      }
                    });
                completing[0] = false;
                return null;
              });
      return out;
    };
  }

  @Test
  void clientKeepingAChannelAcceptedAfterItsOpenWasAbandonedIsCaughtByI4() {
    RpcPlantedBugTest.caughtAndShrunk(
        RpcTraffic.builder().transports(LateAcceptPlantedBugTest::keepsLateChannels).build(),
        "I4",
        "is still open: the client did not close it");
  }

  @Test
  void theRealClientClosesLateAcceptsAndTheirPathIsReached() {
    Coverage total = Coverage.zero();
    for (long seed = 1; seed <= 3; seed++) {
      SimulationResult r = SimulationPropertyTest.safety(seed).run();
      assertThat(r.passed()).as("seed %d: %s", seed, r.violation()).isTrue();
      total = total.plus(r.coverage());
      SimulationResult rpc =
          RpcPlantedBugTest.simulation(seed, RpcTraffic.builder().build(), () -> {}).run();
      assertThat(rpc.passed()).as("rpc seed %d: %s", seed, rpc.violation()).isTrue();
      total = total.plus(rpc.coverage());
    }
    assertThat(total.lateAcceptsClosed()).as("late accepts closed: %s", total).isPositive();
    assertThat(total.abandonedOpens())
        .as("abandoned opens (hung ones too): %s", total)
        .isGreaterThan(total.lateAcceptsClosed());
  }
}
