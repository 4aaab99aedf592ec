package dev.tether.model;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tether.machine.LifecycleEvent;
import dev.tether.micrometer.TetherMetrics;
import dev.tether.rpc.Dialect;
import dev.tether.rpc.RpcConnection;
import dev.tether.rpc.StreamPublisher;
import dev.tether.runtime.LifecyclePublisher;
import dev.tether.runtime.spi.Transport;
import dev.tether.vertx.VertxTransport;
import dev.tether.vertx.testserver.VmServiceServer;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Vertx;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import reactor.adapter.JdkFlowAdapter;
import reactor.core.publisher.Flux;

/**
 * Keeps docs/metrics.md's metrics and Flow examples honest: they compile here and run against a
 * vm-service server on 127.0.0.1.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class FlowMetricsDocExampleTest {
  private static final Duration WAIT = Duration.ofSeconds(20);

  // example:metrics:begin
  /** An RPC connection with meters; they are removed at its terminal event. */
  static RpcConnection withMetrics(MeterRegistry registry, Transport transport, URI endpoint) {
    RpcConnection rpc =
        RpcConnection.builder()
            .transport(transport)
            .endpoint(endpoint)
            .dialect(Dialect.vmService())
            .build();
    TetherMetrics.bind(registry, "vm-service", rpc); // before start(): every attempt counted
    rpc.start();
    return rpc;
  }

  // example:metrics:end

  // example:flow:begin
  /** A stream's events as a Reactor Flux: while the consumer lags, the socket stops reading. */
  static Flux<JsonNode> isolateEvents(RpcConnection rpc) {
    return JdkFlowAdapter.flowPublisherToFlux(StreamPublisher.of(rpc, "Isolate")).limitRate(64);
  }

  /** The lifecycle as a Flux: the terminal event comes last, then it completes (I1). */
  static Flux<LifecycleEvent> lifecycle(RpcConnection rpc) {
    return JdkFlowAdapter.flowPublisherToFlux(LifecyclePublisher.of(rpc.connection()));
  }

  // example:flow:end

  @Test
  void examplesRunAgainstARealServer() throws Exception {
    Vertx vertx = Vertx.vertx();
    VmServiceServer server =
        VmServiceServer.builder(vertx)
            .webSocket("/ws")
            .eventInterval(Duration.ofMillis(20))
            .build();
    try {
      URI endpoint = server.start().toCompletableFuture().get(20, TimeUnit.SECONDS);
      SimpleMeterRegistry registry = new SimpleMeterRegistry();
      RpcConnection rpc = withMetrics(registry, VertxTransport.create(vertx), endpoint);
      Flux<LifecycleEvent> events = lifecycle(rpc).cache();
      events.subscribe();

      List<JsonNode> three = isolateEvents(rpc).take(3).collectList().block(WAIT);
      assertThat(three).hasSize(3);
      assertThat(registry.get("tether.rpc.events.received").functionCounter().count())
          .isGreaterThanOrEqualTo(3);

      rpc.close();
      List<LifecycleEvent> all = events.collectList().block(WAIT);
      assertThat(all).isNotNull();
      assertThat(all.get(all.size() - 1)).isInstanceOf(LifecycleEvent.Closed.class);
      assertThat(registry.getMeters()).as("meters removed at the end").isEmpty();
    } finally {
      server.close();
      vertx.close().toCompletionStage().toCompletableFuture().get(20, TimeUnit.SECONDS);
    }
  }
}
