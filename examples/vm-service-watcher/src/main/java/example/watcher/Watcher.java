package example.watcher;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tether.machine.BackoffPolicy;
import dev.tether.machine.LifecycleEvent;
import dev.tether.rpc.Dialect;
import dev.tether.rpc.RpcConnection;
import dev.tether.vertx.VertxScheduler;
import dev.tether.vertx.VertxTransport;
import dev.tether.vertx.VertxTransportOptions;
import dev.tether.vertx.testserver.VmServiceServer;
import io.vertx.core.Vertx;
import java.net.URI;
import java.time.Duration;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A VM-Service-style watcher: a JSON-RPC connection over a WebSocket, subscribed to two streams,
 * with a status line. It starts Tether's own test server on 127.0.0.1 (a free port), watches it,
 * stops and restarts the server once (the watcher shows Reconnecting, then Reconnected with both
 * streams resubscribed), then closes everything. Every wait is bounded; exit status 0 means the
 * whole story happened.
 */
public final class Watcher {
  private static final Duration WAIT = Duration.ofSeconds(15);
  private static final String[] STREAMS = {"Isolate", "Debug"};

  private final AtomicInteger events = new AtomicInteger();
  private volatile CountDownLatch eventsWanted = new CountDownLatch(4);
  private final CountDownLatch reconnecting = new CountDownLatch(1);
  private final CountDownLatch reconnected = new CountDownLatch(1);

  public static void main(String[] args) throws Exception {
    new Watcher().run();
  }

  private void run() throws Exception {
    Vertx vertx = Vertx.vertx();
    VmServiceServer server =
        VmServiceServer.builder(vertx).webSocket("/ws").eventInterval(Duration.ofMillis(200)).build();
    URI endpoint = await(server.start());
    System.out.println("test server listening at " + endpoint);

    VertxTransport transport = VertxTransport.create(vertx, VertxTransportOptions.defaults());
    RpcConnection rpc =
        RpcConnection.builder()
            .transport(transport)
            .scheduler(VertxScheduler.create(vertx))
            .endpoint(endpoint)
            .dialect(Dialect.vmService()) // streamListen / streamNotify, as the Dart VM Service
            .policy(
                BackoffPolicy.builder()
                    .exponential(Duration.ofMillis(100), 2.0, Duration.ofSeconds(1))
                    .maxAttempts(10)
                    .build())
            .name("watcher")
            .build();
    rpc.subscribe(this::statusLine);
    for (String stream : STREAMS) {
      rpc.listen(stream, event -> onEvent(stream, event));
    }
    rpc.start();
    try {
      expect(eventsWanted, "events on both streams");
      JsonNode version = await(rpc.request("getVersion", null));
      System.out.println("getVersion -> " + version);

      System.out.println("-- the server stops --");
      await(server.stop());
      expect(reconnecting, "Reconnecting");
      eventsWanted = new CountDownLatch(4);
      System.out.println("-- the server restarts on the same port --");
      await(server.start());
      expect(reconnected, "Reconnected");
      expect(eventsWanted, "events after the reconnect (streams resubscribed)");
    } finally {
      rpc.close("watcher done");
      await(rpc.terminated());
      transport.close();
      server.close();
      await(vertx.close().toCompletionStage());
    }
    System.out.println(
        "OK: " + events.get() + " events, one outage healed, streams resubscribed, all closed");
  }

  private void statusLine(LifecycleEvent event) {
    // LifecycleEvent is a sealed interface of records: switch over it for your own UI.
    System.out.println("[status] " + event.state().label() + "   <- " + event);
    if (event instanceof LifecycleEvent.Reconnecting) {
      reconnecting.countDown();
    } else if (event instanceof LifecycleEvent.Reconnected) {
      reconnected.countDown();
    }
  }

  private void onEvent(String stream, JsonNode event) {
    events.incrementAndGet();
    System.out.println("  " + stream + ": " + event.path("kind").asText() + " #" + event.path("seq"));
    eventsWanted.countDown();
  }

  private static void expect(CountDownLatch latch, String what) throws InterruptedException {
    if (!latch.await(WAIT.toMillis(), TimeUnit.MILLISECONDS)) {
      throw new IllegalStateException("no " + what + " within " + WAIT.toSeconds() + " s");
    }
  }

  private static <T> T await(CompletionStage<T> stage) throws Exception {
    return stage.toCompletableFuture().get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
  }
}
