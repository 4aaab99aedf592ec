package dev.tether.rpc;

import static dev.tether.rpc.RpcFixture.JSON;
import static dev.tether.rpc.RpcFixture.f;
import static dev.tether.rpc.RpcFixture.failure;
import static dev.tether.rpc.RpcFixture.result;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tether.machine.Cause;
import dev.tether.machine.ConnectionState;
import dev.tether.machine.LifecycleEvent;
import dev.tether.runtime.spi.Channel;
import dev.tether.runtime.spi.ChannelListener;
import dev.tether.runtime.spi.ConnectParameters;
import dev.tether.runtime.spi.ConnectParametersProvider;
import dev.tether.runtime.spi.Transport;
import dev.tether.stub.rpc.ScriptedRpcPeer.PeerDialect;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.junit.jupiter.api.Test;

/**
 * R3 for connect parameters on an RPC connection: the header and environment values reach the
 * transport and nothing else: no log line, lifecycle event, cause, exception message or {@code
 * toString()}. The failure paths that log are driven on purpose (a classifier and a listener that
 * throw, a request refused while not connected), with the log captured.
 */
class ConnectParametersSecretsTest {
  static final String SECRET = "s3cr3t-2b1f9c";
  static final ConnectParameters PARAMETERS =
      ConnectParameters.none()
          .withHeader("Authorization", "Bearer " + SECRET)
          .withEnv("TOKEN", SECRET);

  final RpcFixture vm = new RpcFixture(PeerDialect.PLAIN);
  final List<ConnectParametersProvider.AttemptContext> asked = new ArrayList<>();
  final List<ConnectParameters> opened = new ArrayList<>();
  final List<String> texts = new ArrayList<>();

  ConnectParametersProvider provider() {
    return ctx -> {
      asked.add(ctx);
      return CompletableFuture.completedFuture(PARAMETERS);
    };
  }

  @Test
  void aTransportThatTakesNoParametersRefusesThemByNameOnly() {
    String logged =
        RpcFixture.stderrOf(
            () -> {
              // The fixture's transport implements only open(URI, listener): the SPI's default
              // refuses the parameters, and the throwing classifier and listener log.
              RpcConnection c =
                  vm.start(
                      vm.builder(Dialect.plain())
                          .connectParameters(provider())
                          .failureClassifier(
                              cause -> {
                                throw new IllegalStateException("classifier bug");
                              }));
              c.subscribe(
                  e -> {
                    throw new IllegalStateException("listener bug");
                  });
              CompletableFuture<JsonNode> refused = f(c.request("echo", JSON.arrayNode()));
              vm.clock.advance(Duration.ofSeconds(1));
              texts.add(String.valueOf(failure(refused)));
              texts.add(c.toString());
              texts.add(c.state().toString());
              c.close("test over");
              vm.clock.runUntilIdle();
            });

    Cause first =
        vm.events.stream()
            .filter(LifecycleEvent.Connecting.class::isInstance)
            .map(e -> ((LifecycleEvent.Connecting) e).lastFailure())
            .flatMap(Optional::stream)
            .findFirst()
            .orElseThrow();
    assertThat(first.kind()).isEqualTo(Cause.Kind.OPEN_FAILED);
    assertThat(first.message())
        .contains("takes no connect parameters", "[Authorization]", "[TOKEN]");
    assertThat(logged).contains("failure classifier threw", "lifecycle listener threw");
    assertThat(asked).hasSizeGreaterThanOrEqualTo(2);
    assertNoSecretIn(logged);
  }

  @Test
  void theValuesReachATransportThatTakesThemAndNothingElse() {
    Transport inner = vm.transport();
    Transport taking =
        new Transport() {
          @Override
          public CompletionStage<Channel> open(URI endpoint, ChannelListener listener) {
            return inner.open(endpoint, listener);
          }

          @Override
          public CompletionStage<Channel> open(
              URI endpoint, ConnectParameters parameters, ChannelListener listener) {
            opened.add(parameters);
            return inner.open(endpoint, listener);
          }
        };
    String logged =
        RpcFixture.stderrOf(
            () -> {
              RpcConnection c =
                  vm.start(
                      vm.builder(Dialect.plain()).transport(taking).connectParameters(provider()));
              CompletableFuture<JsonNode> echo = f(c.request("echo", JSON.arrayNode().add(1)));
              vm.clock.runUntilIdle();
              texts.add(result(echo).toString());
              vm.server.dropAll(Cause.of(Cause.Kind.CHANNEL_CLOSED, "server restart"));
              vm.clock.advance(Duration.ofSeconds(1));
              assertThat(c.state()).isEqualTo(new ConnectionState.Connected(2));
              texts.add(c.toString());
              c.close("test over");
              vm.clock.runUntilIdle();
            });

    assertThat(opened).hasSize(2).containsOnly(PARAMETERS);
    assertThat(opened.get(0).headers()).containsEntry("Authorization", "Bearer " + SECRET);
    assertThat(opened.get(0).environment()).containsEntry("TOKEN", SECRET);
    assertNoSecretIn(logged);
  }

  private void assertNoSecretIn(String logged) {
    assertThat(logged).doesNotContain(SECRET);
    assertThat(vm.events)
        .isNotEmpty()
        .allSatisfy(e -> assertThat(e.toString()).doesNotContain(SECRET));
    assertThat(texts).isNotEmpty().allSatisfy(t -> assertThat(t).doesNotContain(SECRET));
    assertThat(asked).allSatisfy(ctx -> assertThat(ctx.toString()).doesNotContain(SECRET));
    assertThat(PARAMETERS.toString())
        .isEqualTo("ConnectParameters[headers=[Authorization], environment=[TOKEN]]");
  }
}
