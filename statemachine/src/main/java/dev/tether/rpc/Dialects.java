package dev.tether.rpc;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Optional;

/** The built-in dialects. */
final class Dialects {
  private Dialects() {}

  private static final JsonNodeFactory JSON = JsonNodeFactory.instance;

  /** The VM Service's error code for "Stream already subscribed". */
  static final int VM_ALREADY_SUBSCRIBED = 103;

  static final Dialect VM_SERVICE =
      new Dialect() {
        @Override
        public String name() {
          return "vm-service";
        }

        @Override
        public Optional<RpcCall> subscribe(String stream) {
          return Optional.of(
              new RpcCall("streamListen", JSON.objectNode().put("streamId", stream)));
        }

        @Override
        public Optional<RpcCall> unsubscribe(String stream) {
          return Optional.of(
              new RpcCall("streamCancel", JSON.objectNode().put("streamId", stream)));
        }

        @Override
        public boolean alreadySubscribed(RpcException.RemoteError error) {
          return error.code() == VM_ALREADY_SUBSCRIBED;
        }

        @Override
        public Optional<StreamEvent> streamEvent(ObjectNode n) {
          JsonNode params = n.get("params");
          if (!"streamNotify".equals(n.path("method").textValue())
              || params == null
              || !params.path("streamId").isTextual()) {
            return Optional.empty();
          }
          JsonNode event = params.get("event");
          return Optional.of(
              new StreamEvent(params.get("streamId").textValue(), event == null ? params : event));
        }

        @Override
        public Optional<RpcCall> heartbeatProbe() {
          return Optional.of(new RpcCall("getVersion", null));
        }

        @Override
        public String toString() {
          return name();
        }
      };

  static final Dialect RPC_WEBSOCKETS =
      new Dialect() {
        @Override
        public String name() {
          return "rpc-websockets";
        }

        @Override
        public Optional<RpcCall> subscribe(String stream) {
          return Optional.of(new RpcCall("rpc.on", JSON.arrayNode().add(stream)));
        }

        @Override
        public Optional<RpcCall> unsubscribe(String stream) {
          return Optional.of(new RpcCall("rpc.off", JSON.arrayNode().add(stream)));
        }

        @Override
        public Optional<String> subscribeRefusal(String stream, JsonNode result) {
          JsonNode status = result == null ? null : result.get(stream);
          if (status != null && "ok".equals(status.textValue())) {
            return Optional.empty();
          }
          return Optional.of("server answered " + (status == null ? result : status));
        }

        @Override
        public Optional<StreamEvent> streamEvent(ObjectNode n) {
          JsonNode name = n.get("notification");
          if (name == null || !name.isTextual()) {
            return Optional.empty();
          }
          JsonNode params = n.get("params");
          return Optional.of(
              new StreamEvent(name.textValue(), params == null ? NullNode.getInstance() : params));
        }

        @Override
        public String toString() {
          return name();
        }
      };

  static final Dialect PLAIN =
      new Dialect() {
        @Override
        public String name() {
          return "plain";
        }

        @Override
        public Optional<RpcCall> subscribe(String stream) {
          return Optional.empty();
        }

        @Override
        public Optional<RpcCall> unsubscribe(String stream) {
          return Optional.empty();
        }

        @Override
        public Optional<StreamEvent> streamEvent(ObjectNode n) {
          JsonNode method = n.get("method");
          if (method == null || !method.isTextual()) {
            return Optional.empty();
          }
          JsonNode params = n.get("params");
          return Optional.of(
              new StreamEvent(
                  method.textValue(), params == null ? NullNode.getInstance() : params));
        }

        @Override
        public String toString() {
          return name();
        }
      };

  static final Dialect PUBSUB =
      Dialect.builder("pubsub")
          .subscribe("eth_subscribe", stream -> JSON.arrayNode().add(stream))
          .tokenFromResult(Dialects::pubsubToken)
          .unsubscribeByToken("eth_unsubscribe", token -> JSON.arrayNode().add(token))
          .tokenEvent(
              "eth_subscription",
              params -> pubsubToken(params.get("subscription")),
              params -> params.get("result"))
          .build();

  /** A subscription id as {@code eth_subscribe} servers write it: a string, or an integer. */
  private static String pubsubToken(JsonNode id) {
    return id != null && (id.isTextual() || id.isIntegralNumber()) ? id.asText() : null;
  }
}
