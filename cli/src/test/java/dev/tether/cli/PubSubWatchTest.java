package dev.tether.cli;

import static dev.tether.cli.CliRun.WAIT;
import static dev.tether.cli.CliRun.isEvent;
import static dev.tether.cli.CliRun.isLifecycle;
import static dev.tether.cli.CliRun.json;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tether.vertx.peers.NodePeer;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code tether watch --dialect pubsub --stream newHeads} and {@code tether call --dialect pubsub}
 * against a real {@code eth_subscribe} server ({@link NodePeer#pubsub}, the npm {@code
 * json-rpc-2.0} library), which names each subscription with a random id of its own.
 */
@Timeout(value = 90, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class PubSubWatchTest {
  private final NodePeer server = NodePeer.pubsub(Duration.ofMillis(20));

  @BeforeEach
  void startServer() throws Exception {
    server.start();
  }

  @AfterEach
  void stopServer() {
    server.close();
  }

  @Test
  void watchPrintsTheEventsTheServerTagsWithItsOwnId() throws Exception {
    String endpoint = server.endpoint().toString();
    try (CliRun run =
        CliRun.start("watch", endpoint, "--dialect", "pubsub", "--stream", "newHeads", "--json")) {
      int at = run.out.await(0, l -> isLifecycle(l, "Connected"), WAIT, "Connected");
      at = run.out.await(at, l -> isEvent(l, "newHeads"), WAIT, "a newHeads event");
      JsonNode data = json(run.out.lines().get(at)).get("data");
      assertThat(data.get("stream").asText()).isEqualTo("newHeads");
      assertThat(server.output()).contains("SUB newHeads " + data.get("id").asText());
      run.interrupt();
      assertThat(run.awaitExit(WAIT)).isZero();
    }
  }

  @Test
  void callWithThePubsubDialectSendsOneRequest() throws Exception {
    CliRun run =
        CliRun.complete(
            0,
            "call",
            server.endpoint().toString(),
            "eth_unsubscribe",
            "[\"0x1\"]",
            "--dialect",
            "pubsub",
            "--json");
    assertThat(CliRun.result(run.out.lines().get(0))).isEqualTo("false");
  }
}
