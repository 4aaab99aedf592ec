package dev.tether.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tether.vertx.peers.NodePeer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code tether call} against a real server that refuses the {@code jsonrpc} member with an error
 * response without an id (a Node {@code ws} server, {@link NodePeer#strictMembers()}).
 */
@Timeout(value = 90, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class StrictServerCallTest {
  static final String REFUSAL =
      "Message has property other than 'id', 'method', 'sessionId', 'params'";

  /**
   * Far longer than {@link CliRun#WAIT}: a call that waited for it instead of failing at once would
   * fail the test's bounded wait.
   */
  static final String LONG_TIMEOUT = "120s";

  private final NodePeer server = NodePeer.strictMembers();

  @BeforeEach
  void startServer() throws Exception {
    server.start();
  }

  @AfterEach
  void stopServer() {
    server.close();
  }

  @Test
  void theBareEnvelopeIsAnswered() throws Exception {
    String endpoint = server.endpoint().toString();
    CliRun run =
        CliRun.complete(0, "call", endpoint, "echo", "[1,\"two\"]", "--envelope", "bare", "--json");
    assertThat(CliRun.result(run.out.lines().get(0))).isEqualTo("[1,\"two\"]");
    CliRun upper =
        CliRun.complete(0, "call", endpoint, "echo", "{\"a\":1}", "--envelope", "BARE", "--json");
    assertThat(CliRun.result(upper.out.lines().get(0))).isEqualTo("{\"a\":1}");
  }

  @Test
  void idlessErrorFailsTheCallAtOnceWithTheServersMessageInsteadOfTimingOut() throws Exception {
    String endpoint = server.endpoint().toString();
    CliRun run = CliRun.complete(4, "call", endpoint, "echo", "[1]", "--timeout", LONG_TIMEOUT);
    assertThat(run.out.lines()).isEmpty();
    assertThat(run.err.toString())
        .startsWith("tether call: remote error -32600: " + REFUSAL)
        .contains("--envelope bare");

    CliRun asJson =
        CliRun.complete(
            4,
            "call",
            endpoint,
            "echo",
            "--timeout",
            LONG_TIMEOUT,
            "--envelope",
            "jsonrpc2",
            "--json");
    JsonNode error = CliRun.error(asJson.out.lines().get(0));
    assertThat(error.get("kind").asText()).isEqualTo("REMOTE_ERROR");
    assertThat(error.get("code").asInt()).isEqualTo(-32600);
    assertThat(error.get("message").asText()).isEqualTo(REFUSAL);
  }
}
