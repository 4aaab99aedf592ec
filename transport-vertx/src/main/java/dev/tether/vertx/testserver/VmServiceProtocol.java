package dev.tether.vertx.testserver;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The {@code vm-service} dialect of JSON-RPC 2.0, server side, for one client: {@code getVersion},
 * {@code streamListen}/{@code streamCancel} with {@code {"streamId": …}}, {@code echo} (a test
 * extension returning its params), and {@code streamNotify} events for subscribed streams.
 *
 * <p>Not thread-safe; used on the server's context.
 */
final class VmServiceProtocol {
  /** JSON-RPC 2.0 standard error codes. */
  static final int PARSE_ERROR = -32700;

  static final int INVALID_REQUEST = -32600;
  static final int METHOD_NOT_FOUND = -32601;
  static final int INVALID_PARAMS = -32602;

  /** Dart VM Service error codes for stream subscriptions. */
  static final int STREAM_ALREADY_SUBSCRIBED = 103;

  static final int STREAM_NOT_SUBSCRIBED = 104;

  /** The version {@code getVersion} reports. */
  static final int MAJOR_VERSION = 4;

  static final int MINOR_VERSION = 16;

  private final ObjectMapper json;
  private final Set<String> streams = new LinkedHashSet<>();

  VmServiceProtocol(ObjectMapper json) {
    this.json = json;
  }

  /** The streams this client is subscribed to, in subscription order. */
  List<String> streams() {
    return List.copyOf(streams);
  }

  /** Handles one inbound frame; returns the reply, or null for a notification. */
  String handle(String frame) {
    JsonNode msg;
    try {
      msg = json.readTree(frame);
    } catch (JsonProcessingException e) {
      return error(null, PARSE_ERROR, "Parse error");
    }
    if (msg == null || !msg.isObject() || !msg.path("method").isTextual()) {
      return error(msg == null ? null : msg.get("id"), INVALID_REQUEST, "Invalid Request");
    }
    JsonNode id = msg.get("id");
    if (id == null || id.isNull()) {
      return null; // a notification: no reply
    }
    JsonNode params = msg.path("params");
    String method = msg.get("method").asText();
    return switch (method) {
      case "getVersion" -> result(id, version());
      case "echo" -> result(id, params.isMissingNode() ? json.nullNode() : params);
      case "streamListen" -> subscribe(id, params, true);
      case "streamCancel" -> subscribe(id, params, false);
      default -> error(id, METHOD_NOT_FOUND, "Method not found: " + method);
    };
  }

  /** A {@code streamNotify} notification for {@code streamId}. */
  String event(String streamId, long seq) {
    ObjectNode event = json.createObjectNode().put("kind", "Tick").put("seq", seq);
    ObjectNode params = json.createObjectNode().put("streamId", streamId);
    params.set("event", event);
    ObjectNode n = json.createObjectNode().put("jsonrpc", "2.0").put("method", "streamNotify");
    n.set("params", params);
    return n.toString();
  }

  private String subscribe(JsonNode id, JsonNode params, boolean listen) {
    JsonNode streamId = params.path("streamId");
    if (!streamId.isTextual() || streamId.asText().isEmpty()) {
      return error(id, INVALID_PARAMS, "Invalid params: streamId (a string) is required");
    }
    String stream = streamId.asText();
    if (listen && !streams.add(stream)) {
      return error(id, STREAM_ALREADY_SUBSCRIBED, "Stream already subscribed: " + stream);
    }
    if (!listen && !streams.remove(stream)) {
      return error(id, STREAM_NOT_SUBSCRIBED, "Stream not subscribed: " + stream);
    }
    return result(id, json.createObjectNode().put("type", "Success"));
  }

  private ObjectNode version() {
    return json.createObjectNode()
        .put("type", "Version")
        .put("major", MAJOR_VERSION)
        .put("minor", MINOR_VERSION);
  }

  private String result(JsonNode id, JsonNode result) {
    ObjectNode r = json.createObjectNode().put("jsonrpc", "2.0");
    r.set("id", id);
    r.set("result", result);
    return r.toString();
  }

  private String error(JsonNode id, int code, String message) {
    ObjectNode r = json.createObjectNode().put("jsonrpc", "2.0");
    r.set("id", id == null ? json.nullNode() : id);
    r.set("error", json.createObjectNode().put("code", code).put("message", message));
    return r.toString();
  }
}
