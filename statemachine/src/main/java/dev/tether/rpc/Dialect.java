package dev.tether.rpc;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Objects;
import java.util.Optional;

/**
 * How a server subscribes to streams and how its stream events look (DESIGN.md, wire formats).
 * Built in: {@link #vmService()}, {@link #rpcWebsockets()}, {@link #plain()}; implement this
 * interface for others. Implementations must be immutable and thread-safe.
 */
public interface Dialect {

  /** A request to send: a method and its params (an object, an array, or null). */
  record RpcCall(String method, JsonNode params) {
    /** Validates the method name. */
    public RpcCall {
      Objects.requireNonNull(method, "method");
      if (method.isEmpty()) {
        throw new IllegalArgumentException("method must not be empty");
      }
    }
  }

  /** A stream event recognised in an inbound notification. */
  record StreamEvent(String stream, JsonNode payload) {
    /** Validates the components. */
    public StreamEvent {
      Objects.requireNonNull(stream, "stream");
      Objects.requireNonNull(payload, "payload");
    }
  }

  /** The dialect's name, such as {@code vm-service}. */
  String name();

  /** The request that subscribes {@code stream}; empty if streams need no subscription. */
  Optional<RpcCall> subscribe(String stream);

  /** The request that cancels {@code stream}; empty if streams need no subscription. */
  Optional<RpcCall> unsubscribe(String stream);

  /**
   * Why a successful subscribe response nevertheless means "refused" (some servers answer refusals
   * with a result); empty if it was accepted.
   */
  default Optional<String> subscribeRefusal(String stream, JsonNode result) {
    return Optional.empty();
  }

  /** Whether a subscribe error really means "already subscribed", which counts as success. */
  default boolean alreadySubscribed(RpcException.RemoteError error) {
    return false;
  }

  /** The stream event carried by an inbound notification, if it is one. */
  Optional<StreamEvent> streamEvent(ObjectNode notification);

  /** The heartbeat probe this dialect suggests; empty if none. */
  default Optional<RpcCall> heartbeatProbe() {
    return Optional.empty();
  }

  /**
   * Dart VM Service: {@code streamListen}/{@code streamCancel} with {@code {"streamId": …}}; events
   * are {@code streamNotify} notifications, delivered as {@code params.event}; error 103 (already
   * subscribed) counts as success; heartbeat probe {@code getVersion}.
   */
  static Dialect vmService() {
    return Dialects.VM_SERVICE;
  }

  /**
   * The npm {@code rpc-websockets} package: {@code rpc.on}/{@code rpc.off} with a list of event
   * names, answered with {@code {name: "ok"}}; events are {@code {"notification": name, "params":
   * …}}, delivered as {@code params}. No default heartbeat probe.
   */
  static Dialect rpcWebsockets() {
    return Dialects.RPC_WEBSOCKETS;
  }

  /**
   * No subscriptions: every notification is a stream event named by its {@code method}, delivered
   * as {@code params}. No default heartbeat probe.
   */
  static Dialect plain() {
    return Dialects.PLAIN;
  }
}
