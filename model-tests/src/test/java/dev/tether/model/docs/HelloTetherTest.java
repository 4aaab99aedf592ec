package dev.tether.model.docs;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tether.vertx.testserver.VmServiceServer;
import io.vertx.core.Vertx;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The README's first example runs as printed against the test server `tether serve` runs. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class HelloTetherTest {

  @Test
  void readmeExamplePrintsTheLifecycleAndTheVersion() throws Exception {
    Vertx vertx = Vertx.vertx();
    VmServiceServer server = VmServiceServer.builder(vertx).webSocket("/ws").build();
    PrintStream out = System.out;
    ByteArrayOutputStream printed = new ByteArrayOutputStream();
    try {
      URI endpoint = server.start().toCompletableFuture().get(20, TimeUnit.SECONDS);
      System.setOut(new PrintStream(printed, true, StandardCharsets.UTF_8));
      HelloTether.main(new String[] {endpoint.toString()});
    } finally {
      System.setOut(out);
      server.close();
      vertx.close().toCompletionStage().toCompletableFuture().get(20, TimeUnit.SECONDS);
    }
    assertThat(printed.toString(StandardCharsets.UTF_8))
        .contains("Connecting (1/10)", "Connected", "\"major\"", "Closed");
  }
}
