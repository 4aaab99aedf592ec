package dev.tether.bench;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vertx.core.Vertx;
import java.io.UncheckedIOException;
import java.net.URI;

/**
 * One {@link StormServer} as B7's runner drives it: in a child JVM of its own ({@link #child}, the
 * quick and full profiles: the server's sockets, heap and event loop are then not the clients'), or
 * on a Vert.x of its own in this JVM ({@link #inProcess}, the smoke pass: no JVM to start, so it
 * takes a fraction of a second). Not thread-safe: the runner's thread alone drives it.
 */
interface StormHost extends AutoCloseable {
  /**
   * Listens on {@code port} on 127.0.0.1 (0: any free port) and answers once the listener is bound
   * and accepting.
   *
   * @return the moment it was bound, on this JVM's {@link System#nanoTime()} clock
   */
  long listen(int port);

  /** Where it listens (after {@link #listen}). */
  URI endpoint();

  /**
   * Stops the server at once: the child is killed (SIGKILL: the kernel closes every socket), the
   * in-process server's Vert.x is closed (its every socket closed). Returns once it is gone.
   */
  void kill();

  /** What the server counted since it listened ({@link StormServer#stats}). */
  JsonNode stats();

  /** Ends the server, whatever state it is in. */
  @Override
  void close();

  /**
   * A started {@link StormServer} child JVM, not yet listening; {@code warm}: warmed up first
   * ({@link StormServer#warmUp}).
   */
  static StormHost child(boolean warm) {
    return new Child(
        warm
            ? BenchServerProcess.start(StormServer.JVM, StormServer.class, StormServer.WARM)
            : BenchServerProcess.start(StormServer.JVM, StormServer.class));
  }

  /** A {@link StormServer} on a Vert.x of its own in this JVM, not yet listening. */
  static StormHost inProcess() {
    return new InProcess();
  }

  /** The child-JVM host: commands on its standard input, one answer line each. */
  final class Child implements StormHost {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final BenchServerProcess process;
    private URI endpoint;

    private Child(BenchServerProcess process) {
      this.process = process;
    }

    @Override
    public long listen(int port) {
      String started = process.ask("listen " + port);
      String[] parts = started.split(" ", -1);
      if (parts.length != 3 || !parts[0].equals("started")) {
        throw new IllegalStateException("storm server did not start: " + started);
      }
      endpoint = URI.create(parts[2]);
      return Long.parseLong(parts[1]);
    }

    @Override
    public URI endpoint() {
      return endpoint;
    }

    @Override
    public void kill() {
      process.kill();
    }

    @Override
    public JsonNode stats() {
      try {
        return JSON.readTree(process.ask("stats"));
      } catch (JsonProcessingException e) {
        throw new UncheckedIOException("storm server's stats are not JSON", e);
      }
    }

    @Override
    public void close() {
      process.close();
    }
  }

  /** The in-process host: a server on a one-loop Vert.x that nothing else uses. */
  final class InProcess implements StormHost {
    private final Vertx vertx = Rigs.singleLoop();
    private final StormServer server = new StormServer(vertx);
    private boolean closed;

    @Override
    public long listen(int port) {
      return server.listen(port);
    }

    @Override
    public URI endpoint() {
      return URI.create(server.endpoint());
    }

    @Override
    public void kill() {
      close();
    }

    @Override
    public JsonNode stats() {
      return server.stats();
    }

    @Override
    public void close() {
      if (!closed) {
        closed = true;
        Rigs.await(vertx.close());
      }
    }
  }
}
