package dev.tether.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tether.rpc.RpcConnection;
import dev.tether.vertx.VertxTransport;
import io.vertx.core.Vertx;
import io.vertx.core.http.WebSocketClient;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * B2 (request round trips, 1 and 64 in flight) and B3 (stream events delivered to a handler) over a
 * Vert.x WebSocket on 127.0.0.1: Tether's {@link RpcConnection} (vm-service dialect) vs {@link
 * RawRpcClient}, both against the same {@link BenchServer} in the same JVM. The server runs on one
 * Vert.x event-loop thread, both clients on another (the same one for both).
 *
 * <p>64 in flight: one invocation sends 64 requests at once and waits for all 64 answers (a batch,
 * not a sliding window). B3: one invocation asks for a burst of {@link #BURST} events, which the
 * server writes back to back followed by the answer; it ends when the answer has arrived and the
 * handler has seen all of them.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class WebSocketBenchmark {
  static final int IN_FLIGHT = 64;
  static final int BURST = 1_000;
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final long WAIT_SECONDS = 30;

  private Vertx vertx;
  private Vertx serverVertx;
  private BenchServer server;
  private VertxTransport transport;
  private RpcConnection tether;
  private WebSocketClient rawClient;
  private RawRpcClient raw;
  private final AtomicLong tetherEvents = new AtomicLong();
  private final AtomicLong rawEvents = new AtomicLong();
  private JsonNode echoParams;
  private JsonNode burstParams;

  /** Starts the server and connects both clients. */
  @Setup
  public void setUp() {
    // Server and clients each on one event-loop thread of their own: where Vert.x places a
    // context is otherwise round-robin, and a client sharing the server's thread is slower.
    serverVertx = Rigs.singleLoop();
    vertx = Rigs.singleLoop();
    server = new BenchServer(serverVertx);
    transport = VertxTransport.create(vertx);
    tether = Rigs.tether(vertx, transport, server.endpoint());
    CompletableFuture<Void> up = Rigs.connected(tether);
    tether.start();
    Rigs.await(up);
    tether.listen("Bench", e -> tetherEvents.incrementAndGet());
    // The streamListen goes out first on the socket: once this answer is back, it is subscribed.
    Rigs.await(tether.request("echo", null));
    rawClient = vertx.createWebSocketClient();
    raw = Rigs.await(RawRpcClient.connect(rawClient, server.endpoint()));
    Rigs.await(raw.listen("Bench", e -> rawEvents.incrementAndGet()));
    ObjectNode p = JSON.createObjectNode().put("isolateId", "isolates/1").put("seq", 42);
    echoParams = p;
    burstParams = JSON.createObjectNode().put("streamId", "Bench").put("n", BURST);
  }

  /** Closes both clients, the server and Vert.x. */
  @TearDown
  public void tearDown() {
    tether.close();
    Rigs.await(tether.terminated());
    Rigs.await(raw.close());
    transport.close();
    server.close();
    Rigs.await(vertx.close());
    Rigs.await(serverVertx.close());
  }

  /** B2, Tether, one request in flight. */
  @Benchmark
  public JsonNode tetherRoundTrip1() throws Exception {
    return tether
        .request("echo", echoParams)
        .toCompletableFuture()
        .get(WAIT_SECONDS, TimeUnit.SECONDS);
  }

  /** B2, raw Vert.x, one request in flight. */
  @Benchmark
  public JsonNode rawRoundTrip1() throws Exception {
    return raw.request("echo", echoParams).get(WAIT_SECONDS, TimeUnit.SECONDS);
  }

  /** B2, Tether, 64 requests in flight. */
  @Benchmark
  @OperationsPerInvocation(IN_FLIGHT)
  public Object tetherRoundTrip64() throws Exception {
    return Rigs.batch(tether, "echo", echoParams, IN_FLIGHT, WAIT_SECONDS);
  }

  /** B2, raw Vert.x, 64 requests in flight. */
  @Benchmark
  @OperationsPerInvocation(IN_FLIGHT)
  public Object rawRoundTrip64() throws Exception {
    CompletableFuture<?>[] all = new CompletableFuture<?>[IN_FLIGHT];
    for (int i = 0; i < IN_FLIGHT; i++) {
      all[i] = raw.request("echo", echoParams);
    }
    return CompletableFuture.allOf(all).get(WAIT_SECONDS, TimeUnit.SECONDS);
  }

  /** B3, Tether: events per second delivered to a {@code listen} handler. */
  @Benchmark
  @OperationsPerInvocation(BURST)
  public long tetherEvents() throws Exception {
    long target = tetherEvents.get() + BURST;
    tether.request("burst", burstParams).toCompletableFuture().get(WAIT_SECONDS, TimeUnit.SECONDS);
    return awaitCount(tetherEvents, target);
  }

  /** B3, raw Vert.x: events per second delivered to a handler. */
  @Benchmark
  @OperationsPerInvocation(BURST)
  public long rawEvents() throws Exception {
    long target = rawEvents.get() + BURST;
    raw.request("burst", burstParams).get(WAIT_SECONDS, TimeUnit.SECONDS);
    return awaitCount(rawEvents, target);
  }

  /** The answer follows the events on the socket, so this rarely spins. */
  private static long awaitCount(AtomicLong counter, long target) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_SECONDS);
    long n;
    while ((n = counter.get()) < target) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("events lost: " + n + " of " + target);
      }
      Thread.onSpinWait();
    }
    return n;
  }
}
