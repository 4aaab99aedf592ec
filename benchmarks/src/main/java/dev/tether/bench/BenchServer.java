package dev.tether.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.ServerWebSocket;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.util.concurrent.TimeUnit;

/**
 * The one server both sides of B2, B3 and B5 talk to: JSON-RPC 2.0 over a WebSocket on 127.0.0.1,
 * vm-service style. {@code streamListen}/{@code streamCancel} answer {@code {"type":"Success"}};
 * {@code burst} with {@code {"streamId":s,"n":n}} writes {@code n} {@code streamNotify} events on
 * stream {@code s} back to back and then its answer; every other method echoes its params.
 */
final class BenchServer implements AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final long START_TIMEOUT_SECONDS = 10;

  private final HttpServer server;
  private final int port;

  BenchServer(Vertx vertx) {
    server = vertx.createHttpServer();
    server.webSocketHandler(this::accept);
    try {
      port =
          server
              .listen(0, "127.0.0.1")
              .toCompletionStage()
              .toCompletableFuture()
              .get(START_TIMEOUT_SECONDS, TimeUnit.SECONDS)
              .actualPort();
    } catch (Exception e) {
      throw new IllegalStateException("benchmark server did not start", e);
    }
  }

  URI endpoint() {
    return URI.create("ws://127.0.0.1:" + port + "/ws");
  }

  private void accept(ServerWebSocket ws) {
    ws.textMessageHandler(text -> answer(ws, text));
  }

  private static void answer(ServerWebSocket ws, String text) {
    try {
      JsonNode req = JSON.readTree(text);
      String method = req.path("method").asText();
      JsonNode params = req.path("params");
      ObjectNode reply = JSON.createObjectNode().put("jsonrpc", "2.0");
      reply.set("id", req.get("id"));
      switch (method) {
        case "streamListen", "streamCancel" -> reply.putObject("result").put("type", "Success");
        case "burst" -> {
          String stream = params.path("streamId").asText();
          int n = params.path("n").asInt();
          String head =
              "{\"jsonrpc\":\"2.0\",\"method\":\"streamNotify\",\"params\":{\"streamId\":"
                  + JSON.writeValueAsString(stream)
                  + ",\"event\":{\"kind\":\"Tick\",\"n\":";
          for (int i = 0; i < n; i++) {
            ws.writeTextMessage(head + i + "}}}");
          }
          reply.putObject("result").put("n", n);
        }
        default -> reply.set("result", params);
      }
      ws.writeTextMessage(JSON.writeValueAsString(reply));
    } catch (IOException e) {
      throw new UncheckedIOException("benchmark server got a bad request: " + text, e);
    }
  }

  @Override
  public void close() {
    try {
      server.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new IllegalStateException("benchmark server did not stop", e);
    }
  }
}
