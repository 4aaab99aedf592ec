package dev.tether.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code tether watch} against a WebSocket server that refuses the upgrade with 401: a failure that
 * is final by the default classifier, so the command exits 3 with the reason after one attempt,
 * although its policy would allow ten, an hour apart.
 */
@Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class FatalWatchTest {
  private final Vertx vertx = Vertx.vertx();
  private final AtomicInteger upgrades = new AtomicInteger();
  private HttpServer server;

  @BeforeEach
  void startServer() throws Exception {
    server =
        vertx
            .createHttpServer()
            .requestHandler(
                req -> {
                  upgrades.incrementAndGet();
                  req.response().setStatusCode(401).end();
                });
    server
        .listen(0, "127.0.0.1")
        .toCompletionStage()
        .toCompletableFuture()
        .get(10, TimeUnit.SECONDS);
  }

  @AfterEach
  void stopServer() throws Exception {
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  @Test
  void upgradeRefusedWith401ExitsThreeWithTheReasonAfterOneAttempt() throws Exception {
    String endpoint = "ws://127.0.0.1:" + server.actualPort() + "/ws";
    CliRun run =
        CliRun.complete(
            WatchCommand.EXIT_PERMANENTLY_DISCONNECTED,
            "watch",
            endpoint,
            "--max-attempts",
            "10",
            "--initial-delay",
            "1h",
            "--max-delay",
            "2h");

    assertThat(run.err.toString())
        .contains("permanently disconnected from " + endpoint)
        .contains("after 1 attempt(s): FATAL: ")
        .contains("rejected with HTTP 401");
    assertThat(upgrades.get()).isEqualTo(1);
  }
}
