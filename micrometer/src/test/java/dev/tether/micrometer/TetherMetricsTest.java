package dev.tether.micrometer;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.tether.machine.BackoffPolicy;
import dev.tether.rpc.Delivery;
import dev.tether.rpc.Dialect;
import dev.tether.rpc.Heartbeat;
import dev.tether.rpc.RpcConnection;
import dev.tether.runtime.Connection;
import dev.tether.session.SessionsConfig;
import dev.tether.session.SessionsRuntime;
import dev.tether.stub.StubEndpoint;
import dev.tether.stub.StubNetwork;
import dev.tether.stub.VirtualScheduler;
import dev.tether.stub.rpc.ScriptedRpcPeer;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The Micrometer binding through a scripted outage on the stub transport and virtual time: every
 * meter moves, and every meter is gone after the terminal event.
 */
class TetherMetricsTest {
  private static final URI SERVER = URI.create("stub://user:secret@metrics/ws?token=abc");
  private static final JsonNodeFactory JSON = JsonNodeFactory.instance;

  private final VirtualScheduler clock = new VirtualScheduler();
  private final StubNetwork network = new StubNetwork(clock);
  private final StubEndpoint server = network.endpoint(SERVER);
  private final ScriptedRpcPeer peer =
      ScriptedRpcPeer.attach(server, clock, ScriptedRpcPeer.PeerDialect.VM_SERVICE);
  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private final List<Runnable> stalled = new ArrayList<>(); // a consumer that never runs

  private RpcConnection rpc() {
    peer.handle("echo", p -> p);
    return RpcConnection.builder()
        .transport(network.transport())
        .endpoint(SERVER)
        .scheduler(clock)
        .random(new SplittableRandom(1))
        .policy(BackoffPolicy.defaults())
        .dialect(Dialect.vmService())
        .heartbeat(
            new Heartbeat(Duration.ofSeconds(10), Duration.ofSeconds(2), 1, Optional.empty()))
        .build();
  }

  /** Every value of every meter, by name and tags. */
  private Map<String, Double> values() {
    Map<String, Double> all = new LinkedHashMap<>();
    for (Meter m : registry.getMeters()) {
      String key = m.getId().getName() + m.getId().getTags();
      m.measure()
          .forEach(
              sample ->
                  all.merge(key + ":" + sample.getStatistic(), sample.getValue(), Double::sum));
    }
    return all;
  }

  private double value(String name, String... tags) {
    Meter m = registry.find(name).tags(tags).meter();
    assertThat(m).as(name + " registered").isNotNull();
    return m.measure().iterator().next().getValue();
  }

  @Test
  void everyMeterMovesThroughAScriptedOutageAndIsGoneAfterTheEnd() {
    RpcConnection rpc = rpc();
    MetricsBinding binding = TetherMetrics.bind(registry, "vm", rpc);
    Map<String, Double> before = values();
    assertThat(before).isNotEmpty();
    assertThat(registry.getMeters())
        .allSatisfy(
            m -> {
              assertThat(m.getId().getTag("connection")).isEqualTo("vm");
              assertThat(m.getId().getTag("endpoint")).isEqualTo("stub://metrics/ws"); // R3
            });

    rpc.start();
    clock.runUntilIdle();
    assertThat(value("tether.connection.state", "state", "connected")).isEqualTo(1.0);
    rpc.listen("Isolate", e -> {}, Delivery.queued(stalled::add, 1, Delivery.Overflow.DROP_NEWEST));
    clock.runUntilIdle();
    for (int i = 0; i < 3; i++) {
      peer.emit("Isolate", JSON.numberNode(i)); // one queued, two dropped
    }
    rpc.request("echo", JSON.objectNode().put("x", 1));
    rpc.request("nope", null); // the peer does not serve it: remote error
    clock.advance(Duration.ofMillis(10));
    assertThat(value("tether.rpc.requests.in.flight")).isZero();

    peer.silent(true); // half-open: the next probe is missed and the channel is declared lost
    clock.advance(Duration.ofSeconds(13));
    assertThat(value("tether.connection.state", "state", "reconnecting")).isEqualTo(1.0);
    clock.advance(Duration.ofSeconds(5));
    peer.silent(false);
    clock.advance(Duration.ofSeconds(30));
    assertThat(value("tether.connection.state", "state", "connected")).isEqualTo(1.0);

    Map<String, Double> after = values();
    for (String meter :
        List.of(
            "tether.connection.attempts",
            "tether.connection.reconnects",
            "tether.rpc.events.received",
            "tether.rpc.events.dropped",
            "tether.rpc.heartbeat.misses",
            "tether.rpc.frames.in",
            "tether.rpc.frames.out",
            "tether.rpc.bytes.in",
            "tether.rpc.bytes.out")) {
      assertThat(
              registry.find(meter).counter() != null
                  ? registry.find(meter).counter().count()
                  : registry.find(meter).functionCounter().count())
          .as(meter + " moved")
          .isPositive();
    }
    assertThat(registry.find("tether.connection.downtime").timer().count()).isEqualTo(1);
    assertThat(registry.find("tether.connection.downtime").timer().totalTime(TimeUnit.SECONDS))
        .isPositive();
    assertThat(registry.find("tether.rpc.requests").tag("outcome", "success").timer().count())
        .isEqualTo(1);
    assertThat(registry.find("tether.rpc.requests").tag("outcome", "remote_error").timer().count())
        .isEqualTo(1);
    assertThat(after).isNotEqualTo(before);

    rpc.close();
    clock.runUntilIdle();
    assertThat(registry.getMeters()).as("no meter outlives the connection").isEmpty();
    assertThat(binding.isClosed()).isTrue();
  }

  @Test
  void sessionGaugesCountSessionsPerStateUntilUnbound() {
    SessionsRuntime sessions =
        new SessionsRuntime(
            clock,
            SessionsConfig.defaults(),
            (session, generation) ->
                Connection.builder()
                    .transport(network.transport())
                    .endpoint(SERVER)
                    .scheduler(clock)
                    .random(new SplittableRandom(generation))
                    .build(),
            (session, connection, epoch) -> CompletableFuture.completedFuture(List.of()),
            Duration.ofSeconds(1));
    MetricsBinding binding = TetherMetrics.bind(registry, "ide", sessions);
    sessions.add("a");
    sessions.add("b");
    clock.runUntilIdle();
    assertThat(value("tether.sessions", "runtime", "ide", "state", "connected")).isEqualTo(2.0);
    server.down();
    server.dropAll(dev.tether.machine.Cause.of(dev.tether.machine.Cause.Kind.CHANNEL_CLOSED, "t"));
    clock.runUntilIdle();
    assertThat(value("tether.sessions", "runtime", "ide", "state", "connected")).isZero();
    assertThat(value("tether.sessions", "runtime", "ide", "state", "reconnecting")).isEqualTo(2.0);
    binding.close();
    assertThat(registry.getMeters()).isEmpty();
    sessions.close();
    clock.runUntilIdle();
  }

  @Test
  void inFlightGaugeCountsTheCallersPendingRequests() {
    RpcConnection rpc = rpc();
    TetherMetrics.bind(registry, "vm", rpc);
    rpc.start();
    clock.runUntilIdle();
    peer.delay("echo", Duration.ofSeconds(1));
    rpc.request("echo", JSON.objectNode());
    rpc.request("echo", JSON.objectNode());
    clock.runUntilIdle();
    assertThat(value("tether.rpc.requests.in.flight")).isEqualTo(2.0);
    clock.advance(Duration.ofSeconds(2));
    assertThat(value("tether.rpc.requests.in.flight")).isZero();
    rpc.close();
    clock.runUntilIdle();
  }

  @Test
  void closingTheBindingRemovesItsMetersWhileTheConnectionLives() {
    RpcConnection rpc = rpc();
    MetricsBinding binding = TetherMetrics.bind(registry, "vm", rpc);
    rpc.start();
    clock.runUntilIdle();
    binding.close();
    assertThat(registry.getMeters()).isEmpty();
    rpc.request("echo", JSON.objectNode());
    clock.runUntilIdle();
    assertThat(registry.getMeters()).as("no timer comes back after the unbind").isEmpty();
    rpc.close();
    clock.runUntilIdle();
  }
}
