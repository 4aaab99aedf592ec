package dev.tether.rpc;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tether.machine.Cause;
import dev.tether.runtime.spi.Channel;
import dev.tether.runtime.spi.ChannelListener;
import dev.tether.runtime.spi.Transport;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * An in-memory VM-Service-style server on real threads, for tests that need them (the Reactive
 * Streams TCK): it answers every request, and after {@code streamListen} pumps {@code count} events
 * of the stream {@code "tick"} ({@code {"n": i, "last": i == count - 1}}) as fast as the client
 * reads, stopping while the client paused reading, as a socket would.
 */
final class PumpTransport implements Transport {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final long count;

  PumpTransport(long count) {
    this.count = count;
  }

  @Override
  public CompletionStage<Channel> open(URI endpoint, ChannelListener listener) {
    return CompletableFuture.completedFuture(new Pump(listener));
  }

  private final class Pump implements Channel {
    private final ChannelListener listener;
    private final ExecutorService thread = Executors.newSingleThreadExecutor();
    private volatile boolean paused;
    private volatile boolean pumping;
    private volatile boolean closed;
    private long sent; // on the pump's thread

    Pump(ChannelListener listener) {
      this.listener = listener;
    }

    @Override
    public CompletionStage<Void> send(byte[] frame) {
      if (closed) {
        return CompletableFuture.failedFuture(new IOException("closed"));
      }
      thread.execute(() -> answer(frame));
      return CompletableFuture.completedFuture(null);
    }

    private void answer(byte[] frame) {
      JsonNode request;
      try {
        request = JSON.readTree(frame);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      if (request.hasNonNull("id")) {
        ObjectNode response = JSON.createObjectNode().put("jsonrpc", "2.0");
        response.set("id", request.get("id"));
        response.putObject("result");
        deliver(response);
      }
      String method = request.path("method").asText();
      pumping = method.equals("streamListen") || (pumping && !method.equals("streamCancel"));
      pump();
    }

    private void pump() {
      while (pumping && !paused && !closed && sent < count) {
        ObjectNode event =
            JSON.createObjectNode().put("jsonrpc", "2.0").put("method", "streamNotify");
        ObjectNode params = event.putObject("params").put("streamId", "tick");
        params.putObject("event").put("n", sent).put("last", sent == count - 1);
        sent++;
        deliver(event);
      }
    }

    private void deliver(JsonNode frame) {
      try {
        listener.onFrame(JSON.writeValueAsBytes(frame));
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }

    @Override
    public boolean writable() {
      return !closed;
    }

    @Override
    public void close() {
      if (!closed) {
        closed = true;
        thread.shutdown();
        listener.onClosed(Cause.of(Cause.Kind.CHANNEL_CLOSED, "closed by the client"));
      }
    }

    @Override
    public void pauseReading() {
      paused = true;
    }

    @Override
    public void resumeReading() {
      paused = false;
      if (!closed) {
        thread.execute(this::pump);
      }
    }
  }
}
