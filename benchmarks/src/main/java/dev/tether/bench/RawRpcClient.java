package dev.tether.bench;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vertx.core.Future;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketConnectOptions;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * The baseline of B2, B3 and B5: a hand-written JSON-RPC client on a raw Vert.x {@link WebSocket},
 * doing the same Jackson encode/decode and id correlation as Tether and nothing else (no timeouts,
 * no reconnects, no stats, no hostile-input checks).
 */
final class RawRpcClient {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final WebSocket ws;
  private final AtomicLong ids = new AtomicLong();
  private final Map<Long, CompletableFuture<JsonNode>> pending = new ConcurrentHashMap<>();
  private final Map<String, Consumer<JsonNode>> streams = new ConcurrentHashMap<>();

  private RawRpcClient(WebSocket ws) {
    this.ws = ws;
    ws.textMessageHandler(this::onText);
  }

  static Future<RawRpcClient> connect(WebSocketClient client, URI endpoint) {
    WebSocketConnectOptions o =
        new WebSocketConnectOptions()
            .setHost(endpoint.getHost())
            .setPort(endpoint.getPort())
            .setURI(endpoint.getPath());
    return client.connect(o).map(RawRpcClient::new);
  }

  CompletableFuture<JsonNode> request(String method, JsonNode params) {
    long id = ids.incrementAndGet();
    ObjectNode req = JSON.createObjectNode().put("jsonrpc", "2.0").put("id", id);
    req.put("method", method);
    req.set("params", params);
    CompletableFuture<JsonNode> answer = new CompletableFuture<>();
    pending.put(id, answer);
    try {
      ws.writeTextMessage(JSON.writeValueAsString(req));
    } catch (JsonProcessingException e) {
      pending.remove(id);
      answer.completeExceptionally(e);
    }
    return answer;
  }

  /** Subscribes {@code handler} to {@code stream} (a {@code streamListen} request). */
  CompletableFuture<JsonNode> listen(String stream, Consumer<JsonNode> handler) {
    streams.put(stream, handler);
    return request("streamListen", JSON.createObjectNode().put("streamId", stream));
  }

  private void onText(String text) {
    JsonNode msg;
    try {
      msg = JSON.readTree(text);
    } catch (IOException e) {
      throw new UncheckedIOException("raw client got bad JSON", e);
    }
    JsonNode id = msg.get("id");
    if (id != null) {
      CompletableFuture<JsonNode> answer = pending.remove(id.asLong());
      if (answer != null) {
        answer.complete(msg.get("result"));
      }
      return;
    }
    JsonNode params = msg.path("params");
    Consumer<JsonNode> handler = streams.get(params.path("streamId").asText());
    if (handler != null) {
      handler.accept(params.path("event"));
    }
  }

  /** Runs {@code onClose} on the socket's context when the WebSocket closes, for any reason. */
  void onClose(Runnable onClose) {
    ws.closeHandler(v -> onClose.run());
  }

  Future<Void> close() {
    return ws.close();
  }
}
