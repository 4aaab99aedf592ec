package dev.tether.rpc;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tether.machine.BackoffPolicy;
import java.io.IOException;
import java.net.URI;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import org.reactivestreams.tck.TestEnvironment;
import org.reactivestreams.tck.flow.FlowPublisherVerification;
import org.testng.annotations.AfterMethod;

/**
 * The Reactive Streams TCK for {@link StreamPublisher}, on a connection with its own thread and an
 * in-memory server that pumps events as the client reads ({@link PumpTransport}). A finite stream
 * of {@code n} events ends with {@link StreamPublisher.Builder#completeAfter} on the last one; the
 * empty stream is a closed connection's. Run by the JUnit Platform's TestNG engine.
 */
public class StreamPublisherTckTest extends FlowPublisherVerification<JsonNode> {
  /** The TCK's wait for a signal; generous, so a loaded machine does not fail it. */
  private static final long SIGNAL_TIMEOUT_MILLIS = 5_000;

  /** How long the TCK watches for a signal that must not come. */
  private static final long NO_SIGNAL_MILLIS = 100;

  private static final URI SERVER = URI.create("mem://tck");

  private final List<RpcConnection> made = new CopyOnWriteArrayList<>();

  public StreamPublisherTckTest() {
    super(new TestEnvironment(SIGNAL_TIMEOUT_MILLIS, NO_SIGNAL_MILLIS), SIGNAL_TIMEOUT_MILLIS);
  }

  @Override
  public Flow.Publisher<JsonNode> createFlowPublisher(long elements) {
    RpcConnection rpc =
        RpcConnection.builder()
            .transport(new PumpTransport(elements))
            .endpoint(SERVER)
            .dialect(Dialect.vmService())
            .build();
    made.add(rpc);
    rpc.start();
    if (elements == 0) {
      rpc.close("the empty stream");
    }
    return StreamPublisher.builder(rpc, "tick")
        .completeAfter(event -> event.path("last").asBoolean())
        .build();
  }

  /**
   * A connection that ended for good: subscribers get {@code onSubscribe}, then {@code onError}.
   */
  @Override
  public Flow.Publisher<JsonNode> createFailedFlowPublisher() {
    RpcConnection rpc =
        RpcConnection.builder()
            .transport((uri, listener) -> CompletableFuture.failedFuture(new IOException("down")))
            .endpoint(SERVER)
            .policy(BackoffPolicy.builder().maxAttempts(1).build())
            .dialect(Dialect.vmService())
            .build();
    rpc.start();
    try {
      rpc.terminated().toCompletableFuture().get(SIGNAL_TIMEOUT_MILLIS, TimeUnit.MILLISECONDS);
    } catch (Exception e) {
      throw new AssertionError("the failing connection did not end", e);
    }
    return StreamPublisher.of(rpc, "tick");
  }

  @AfterMethod
  public void closeConnections() throws Exception {
    for (RpcConnection rpc : made) {
      rpc.close();
      rpc.terminated().toCompletableFuture().get(SIGNAL_TIMEOUT_MILLIS, TimeUnit.MILLISECONDS);
    }
    made.clear();
  }
}
