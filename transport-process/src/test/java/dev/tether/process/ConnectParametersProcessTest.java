package dev.tether.process;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tether.machine.LifecycleEvent;
import dev.tether.rpc.RpcConnection;
import dev.tether.runtime.spi.ConnectParameters;
import dev.tether.runtime.spi.ConnectParametersProvider;
import java.time.Duration;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Environment additions per spawn: every child gets the value the provider answered for its
 * attempt, over the endpoint's own variables, so a token fetched afresh reaches the restarted
 * child; a child has no upgrade request, so headers are refused.
 */
class ConnectParametersProcessTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final Children children = new Children();
  private final LinkedBlockingQueue<LifecycleEvent> events = new LinkedBlockingQueue<>();
  private RpcConnection rpc;

  @AfterEach
  void nothingLeftBehind() throws Exception {
    children.closeAndAssertAllGone(rpc);
  }

  @Test
  void eachSpawnSeesTheTokenFetchedForItsAttempt() throws Exception {
    AtomicInteger fetched = new AtomicInteger();
    ProcessEndpoint endpoint = Children.peer().env("TOKEN", "frozen").env("REGION", "eu-1");
    ProcessTransport transport = ProcessTransport.create(endpoint, Children.FAST);
    rpc =
        RpcConnection.builder()
            .transport(transport)
            .endpoint(transport.uri())
            .policy(RpcOverProcessTest.QUICK)
            .requestTimeout(Duration.ofSeconds(10))
            .connectParameters(
                ConnectParametersProvider.current(
                    () ->
                        ConnectParameters.none()
                            .withEnv("TOKEN", "token-" + fetched.incrementAndGet())))
            .build();
    rpc.subscribe(events::add);
    rpc.start();
    Children.await(events, LifecycleEvent.Connected.class);
    assertThat(env("TOKEN")).isEqualTo("token-1"); // the addition wins over the endpoint's
    assertThat(env("REGION")).isEqualTo("eu-1"); // the endpoint's own stays

    long first = children.track(request("pid", null).asLong());
    ProcessHandle.of(first).orElseThrow().destroyForcibly();
    Children.await(events, LifecycleEvent.Reconnected.class);
    children.track(request("pid", null).asLong());

    assertThat(env("TOKEN")).isEqualTo("token-2");
    assertThat(env("REGION")).isEqualTo("eu-1");
    assertThat(fetched.get()).isEqualTo(2);
  }

  @Test
  void headersAreRefusedByNameForAChild() {
    ProcessTransport transport = ProcessTransport.create(Children.peer(), Children.FAST);
    ConnectParameters header = ConnectParameters.none().withHeader("Authorization", "Bearer t0k");
    assertThatThrownBy(() -> transport.open(transport.uri(), header, new Recording()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "a child process has no upgrade request: headers [Authorization] cannot be sent");
    assertThat(transport.openChannels()).isZero();
  }

  private String env(String name) throws Exception {
    return request("env", JSON.createObjectNode().put("name", name)).asText();
  }

  private JsonNode request(String method, JsonNode params) throws Exception {
    return rpc.request(method, params).toCompletableFuture().get(10, TimeUnit.SECONDS);
  }
}
