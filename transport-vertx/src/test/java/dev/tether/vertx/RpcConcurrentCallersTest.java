package dev.tether.vertx;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.tether.machine.LifecycleEvent;
import dev.tether.rpc.Dialect;
import dev.tether.rpc.RpcConnection;
import dev.tether.vertx.testserver.VmServiceServer;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Requests issued from many threads at once, off the connection's context, over a real WebSocket:
 * none is lost while they share hops onto the context, and each settles once with its own answer
 * (I6). (Call order within one thread is pinned on virtual time in {@code RpcConnectionTest}.)
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class RpcConcurrentCallersTest {
  static final int THREADS = 8;
  static final int PER_THREAD = 500;

  private final Rig rig = new Rig();
  private VmServiceServer server;
  private ExecutorService callers;

  @AfterEach
  void tearDown() throws Exception {
    if (callers != null) {
      callers.shutdownNow();
    }
    if (server != null) {
      server.close();
    }
    rig.close();
  }

  @Test
  void requestsFromManyThreadsEachSettleOnceWithTheirOwnAnswer() throws Exception {
    server = VmServiceServer.builder(rig.vertx()).build();
    URI endpoint = server.start().toCompletableFuture().get(30, TimeUnit.SECONDS);
    RpcConnection rpc =
        RpcConnection.builder()
            .transport(rig.transport())
            .endpoint(endpoint)
            .scheduler(VertxScheduler.create(rig.vertx()))
            .dialect(Dialect.vmService())
            .build();
    CompletableFuture<Void> up = new CompletableFuture<>();
    rpc.subscribe(
        e -> {
          if (e instanceof LifecycleEvent.Connected) {
            up.complete(null);
          }
        });
    rpc.start();
    up.get(30, TimeUnit.SECONDS);

    callers = Executors.newFixedThreadPool(THREADS);
    CountDownLatch go = new CountDownLatch(1);
    List<CompletableFuture<List<CompletableFuture<JsonNode>>>> perThread = new ArrayList<>();
    for (int t = 0; t < THREADS; t++) {
      int thread = t;
      perThread.add(
          CompletableFuture.supplyAsync(
              () -> {
                await(go);
                List<CompletableFuture<JsonNode>> mine = new ArrayList<>();
                for (int i = 0; i < PER_THREAD; i++) {
                  mine.add(
                      rpc.request(
                              "echo",
                              JsonNodeFactory.instance.objectNode().put("t", thread).put("i", i))
                          .toCompletableFuture());
                }
                return mine;
              },
              callers));
    }
    go.countDown();
    for (int t = 0; t < THREADS; t++) {
      List<CompletableFuture<JsonNode>> mine = perThread.get(t).get(30, TimeUnit.SECONDS);
      for (int i = 0; i < PER_THREAD; i++) {
        JsonNode answer = mine.get(i).get(30, TimeUnit.SECONDS);
        assertThat(answer.get("t").asInt()).isEqualTo(t);
        assertThat(answer.get("i").asInt()).isEqualTo(i);
      }
    }
    assertThat(rpc.stats().succeeded()).isEqualTo((long) THREADS * PER_THREAD);
    assertThat(rpc.stats().inFlight()).isZero();
    rpc.close();
    rpc.terminated().toCompletableFuture().get(30, TimeUnit.SECONDS);
  }

  private static void await(CountDownLatch latch) {
    try {
      latch.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
