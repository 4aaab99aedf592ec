package dev.tether.model;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tether.machine.BackoffPolicy;
import dev.tether.machine.ConnectionState;
import dev.tether.machine.LifecycleEvent;
import dev.tether.runtime.Connection;
import dev.tether.runtime.LifecycleQueue;
import dev.tether.runtime.spi.Channel;
import dev.tether.runtime.spi.Transport;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Keeps the README's embedding example honest: the same code compiles and runs here. */
class ReadmeExampleTest {

  // README:embedding:begin
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

  // README:embedding:end

  @Test
  void exampleRunsAgainstAnAcceptingTransport() throws Exception {
    Transport accepting = (uri, listener) -> CompletableFuture.completedFuture(new IdleChannel());
    Connection c = connect(accepting);
    assertThat(c.state()).isEqualTo(new ConnectionState.Connected(1));
    c.close();
    assertThat(c.terminated().toCompletableFuture().get(5, TimeUnit.SECONDS))
        .isEqualTo(new ConnectionState.Closed("closed by user"));
  }

  @Test
  void readmeShowsExactlyThisExample() throws IOException {
    Path readme = Path.of("..", "README.md");
    List<String> readmeLines = block(Files.readString(readme, StandardCharsets.UTF_8));
    Path self = Path.of("src/test/java/dev/tether/model/ReadmeExampleTest.java");
    List<String> sourceLines = between(Files.readString(self, StandardCharsets.UTF_8));
    assertThat(readmeLines).isNotEmpty().containsExactlyElementsOf(sourceLines);
  }

  /** The first ```java block after the README's "embedding example" marker, trimmed lines. */
  static List<String> block(String readme) {
    int marker = readme.indexOf("<!-- example:embedding -->");
    assertThat(marker).as("README marker <!-- example:embedding -->").isNotNegative();
    int start = readme.indexOf("```java", marker) + "```java".length();
    int end = readme.indexOf("```", start);
    return trimmed(readme.substring(start, end));
  }

  static List<String> between(String source) {
    int start = source.indexOf("// README:embedding:begin") + "// README:embedding:begin".length();
    int end = source.indexOf("// README:embedding:end");
    return trimmed(source.substring(start, end));
  }

  /**
   * Asserts that the first ```java block after the README's {@code <!-- example:NAME -->} marker is
   * the code between {@code // README:NAME:begin} and {@code :end} in {@code source} (a path from
   * the module's directory), line by trimmed line.
   */
  static void assertReadmeShows(String name, String source) throws IOException {
    String readme = Files.readString(Path.of("..", "README.md"), StandardCharsets.UTF_8);
    String marker = "<!-- example:" + name + " -->";
    int at = readme.indexOf(marker);
    assertThat(at).as("README marker " + marker).isNotNegative();
    int start = readme.indexOf("```java", at) + "```java".length();
    List<String> readmeLines = trimmed(readme.substring(start, readme.indexOf("```", start)));
    String self = Files.readString(Path.of(source), StandardCharsets.UTF_8);
    String begin = "// README:" + name + ":begin";
    List<String> sourceLines =
        trimmed(
            self.substring(
                self.indexOf(begin) + begin.length(), self.indexOf("// README:" + name + ":end")));
    assertThat(readmeLines).isNotEmpty().containsExactlyElementsOf(sourceLines);
  }

  static List<String> trimmed(String s) {
    return s.lines().map(String::strip).filter(l -> !l.isEmpty()).toList();
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
