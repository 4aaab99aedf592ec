package dev.tether.model.peer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tether.machine.Cause;
import dev.tether.runtime.spi.Channel;
import dev.tether.runtime.spi.ChannelListener;
import dev.tether.runtime.spi.Scheduler;
import dev.tether.runtime.spi.Transport;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Every pod's live process at once, as an in-memory {@link Transport} that answers synchronously on
 * the caller's thread: endpoint {@code fake://NAME} is pod NAME. On connect it sends its snapshot
 * at once; it answers {@code peer.register} as {@link #answer} says and acks every {@code
 * peer.unregister}. It logs every request it read, so tests can check what each target was told.
 * With {@link #SCHEDULER} (tasks run inline, timers never fire) a whole consent round trip finishes
 * inside the registry's call, deterministically. Not thread-safe.
 */
final class ConsentTarget implements Transport {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** Runs tasks on the spot; timers never fire (no answer here ever needs one). */
  static final Scheduler SCHEDULER =
      new Scheduler() {
        @Override
        public long nanoTime() {
          return 0;
        }

        @Override
        public void execute(Runnable task) {
          task.run();
        }

        @Override
        public Cancellable schedule(Duration delay, Runnable task) {
          return () -> true;
        }

        @Override
        public boolean inContext() {
          return false;
        }
      };

  /** How the targets answer {@code peer.register}. */
  enum Answer {
    ACK,
    REFUSE,
    /** Read the request, then close without answering. */
    CLOSE,
    /** Refuse the connection. */
    DOWN,
    /** Ack, then the registering process dies before its next store call. */
    ACK_THEN_CRASH
  }

  /** One request a target read; {@code acked} whether it answered with an ack. */
  record Event(String target, String method, String source, boolean acked) {}

  final List<Event> events = new ArrayList<>();
  Answer answer = Answer.ACK;
  FaultyStore crashing; // the store ACK_THEN_CRASH kills

  static URI endpoint(String pod) {
    return URI.create("fake://" + pod);
  }

  @Override
  public CompletionStage<Channel> open(URI endpoint, ChannelListener listener) {
    String pod = endpoint.getHost();
    if (answer == Answer.DOWN) {
      return CompletableFuture.failedFuture(new IOException("connection refused: " + endpoint));
    }
    listener.onFrame(utf8("{\"event\":\"snapshot\",\"data\":{\"name\":\"" + pod + "\"}}"));
    return CompletableFuture.completedFuture(new Conn(pod, listener));
  }

  private final class Conn implements Channel {
    private final String pod;
    private final ChannelListener listener;

    Conn(String pod, ChannelListener listener) {
      this.pod = pod;
      this.listener = listener;
    }

    @Override
    public CompletionStage<Void> send(byte[] frame) {
      JsonNode request;
      try {
        request = JSON.readTree(frame);
      } catch (IOException e) {
        throw new AssertionError("the registry sent something that is not JSON", e);
      }
      String method = request.path("method").asText();
      String source = request.path("params").path("source").asText();
      String id = request.path("id").asText();
      boolean register = "peer.register".equals(method);
      Answer now = register ? answer : Answer.ACK;
      events.add(new Event(pod, method, source, now == Answer.ACK || now == Answer.ACK_THEN_CRASH));
      switch (now) {
        case ACK, ACK_THEN_CRASH ->
            listener.onFrame(utf8("{\"event\":\"ack\",\"data\":{\"id\":\"" + id + "\"}}"));
        case REFUSE ->
            listener.onFrame(
                utf8(
                    "{\"event\":\"error\",\"data\":{\"id\":\""
                        + id
                        + "\",\"code\":\"unknown-source\",\"message\":\"no\"}}"));
        case CLOSE -> listener.onClosed(Cause.of(Cause.Kind.CHANNEL_CLOSED, "closed"));
        case DOWN -> throw new AssertionError("no connection to send on");
      }
      if (now == Answer.ACK_THEN_CRASH && crashing != null) {
        crashing.crashNow();
      }
      return CompletableFuture.completedFuture(null);
    }

    @Override
    public boolean writable() {
      return true;
    }

    @Override
    public void close() {}
  }

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
