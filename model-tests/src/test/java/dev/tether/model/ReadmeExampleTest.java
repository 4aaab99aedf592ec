package dev.tether.model;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tether.machine.BackoffPolicy;
import dev.tether.machine.ConnectionState;
import dev.tether.machine.LifecycleEvent;
import dev.tether.runtime.Connection;
import dev.tether.runtime.LifecycleQueue;
import dev.tether.runtime.spi.Channel;
import dev.tether.runtime.spi.Transport;
import java.net.URI;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Keeps docs/connections.md's embedding example honest: the same code compiles and runs here. */
class ReadmeExampleTest {

  // example:embedding:begin
  static Connection connect(Transport transport) throws InterruptedException {
    BackoffPolicy policy =
        BackoffPolicy.builder()
            .exponential(Duration.ofMillis(100), 2.0, Duration.ofSeconds(30))
            .jitter(0.2)
            .maxAttempts(10)
            .build();
    Connection connection =
        Connection.builder()
            .transport(transport) // the Vert.x transport, or StubNetwork.transport() in tests
            .endpoint(URI.create("ws://127.0.0.1:8181/ws"))
            .policy(policy)
            .build();

    // Listeners run on the connection's thread and must not block...
    connection.subscribe(event -> System.out.println(event.state().label()));
    // ...so hand events to your own thread through a bounded queue that never drops
    // Reconnected or the terminal event.
    LifecycleQueue events = LifecycleQueue.bounded();
    connection.subscribe(events);

    connection.start();
    LifecycleEvent first = events.poll(Duration.ofSeconds(5)); // Connecting (1/10)
    LifecycleEvent next = events.poll(Duration.ofSeconds(5)); // Connected, or Connecting (2/10)
    System.out.println(first + " then " + next);
    return connection;
  }

  // example:embedding:end

  @Test
  void exampleRunsAgainstAnAcceptingTransport() throws Exception {
    Transport accepting = (uri, listener) -> CompletableFuture.completedFuture(new IdleChannel());
    Connection c = connect(accepting);
    assertThat(c.state()).isEqualTo(new ConnectionState.Connected(1));
    c.close();
    assertThat(c.terminated().toCompletableFuture().get(5, TimeUnit.SECONDS))
        .isEqualTo(new ConnectionState.Closed("closed by user"));
  }

  /** A channel that accepts writes and never closes on its own. */
  static final class IdleChannel implements Channel {
    @Override
    public CompletionStage<Void> send(byte[] frame) {
      return CompletableFuture.completedFuture(null);
    }

    @Override
    public boolean writable() {
      return true;
    }

    @Override
    public void close() {}
  }
}
