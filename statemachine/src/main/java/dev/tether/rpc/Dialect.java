package dev.tether.rpc;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Objects;
import java.util.Optional;

/**
 * How a server subscribes to streams and how its stream events look (DESIGN.md, wire formats).
 * Built in: {@link #vmService()}, {@link #rpcWebsockets()}, {@link #plain()}, {@link #pubsub()};
 * describe others with {@link #builder}, or implement this interface. Implementations must be
 * immutable and thread-safe.
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

  /**
   * A stream event recognised in an inbound notification: either named by its stream, or tagged
   * with the token the server handed out for a subscription (see {@link #subscriptionToken}), in
   * which case {@code stream} is null and the connection routes the event by the current channel's
   * token table.
   *
   * @param stream the stream's name; null for a {@link #tagged tagged} event
   * @param payload what the stream's handlers receive
   * @param token the server's subscription token; null for an event named by its stream
   */
  record StreamEvent(String stream, JsonNode payload, String token) {
    /** Validates the components: exactly one of {@code stream} and {@code token}. */
    public StreamEvent {
      Objects.requireNonNull(payload, "payload");
      if ((stream == null) == (token == null)) {
        throw new IllegalArgumentException(
            "a stream event has a stream name or a server token, not both nor neither");
      }
    }

    /** An event of the stream named {@code stream}. */
    public StreamEvent(String stream, JsonNode payload) {
      this(Objects.requireNonNull(stream, "stream"), payload, null);
    }

    /** An event tagged with the server's subscription token {@code token}. */
    public static StreamEvent tagged(String token, JsonNode payload) {
      return new StreamEvent(null, payload, Objects.requireNonNull(token, "token"));
    }

    /** Whether the server's token, not a stream name, says where this event goes. */
    public boolean isTagged() {
      return token != null;
    }
  }

  /** The dialect's name, such as {@code vm-service}. */
  String name();

  /** The request that subscribes {@code stream}; empty if streams need no subscription. */
  Optional<RpcCall> subscribe(String stream);

  /** The request that cancels {@code stream}; empty if streams need no subscription. */
  Optional<RpcCall> unsubscribe(String stream);

  /**
   * The token a server-named subscription got: some servers answer a subscribe request with an id
   * of their choosing and tag every event of it with that id ({@link StreamEvent#tagged}). Called
   * for an accepted subscribe result (after {@link #subscribeRefusal}); empty (the default) if this
   * dialect names streams itself. Tokens belong to one channel: after a reconnect the
   * resubscription's new token maps to the same stream, before {@code Reconnected} (I7). A dialect
   * with tokens returns empty from {@link #unsubscribe(String)}: a stream cancelled before its
   * token arrived is cancelled by {@link #unsubscribe(String, String)} once it does.
   */
  default Optional<String> subscriptionToken(String stream, JsonNode result) {
    return Optional.empty();
  }

  /**
   * The request that cancels the server-named subscription of {@code stream}, whose current token
   * is {@code token}. Defaults to {@link #unsubscribe(String)}; dialects with {@link
   * #subscriptionToken tokens} override it.
   */
  default Optional<RpcCall> unsubscribe(String stream, String token) {
    return unsubscribe(stream);
  }

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

  /**
   * Server-named subscriptions in the {@code eth_subscribe} convention: {@code
   * eth_subscribe([stream])} answers a token such as {@code "0x1"}; events are {@code
   * eth_subscription} notifications with {@code params.subscription} = the token, delivered as
   * {@code params.result}; {@code eth_unsubscribe([token])} cancels. The stream name is the single
   * param: subscriptions that take more params (such as {@code logs} with a filter) are not
   * expressible. No default heartbeat probe.
   */
  static Dialect pubsub() {
    return Dialects.PUBSUB;
  }

  /**
   * A builder for a dialect that follows a name-based or a token-based subscription convention,
   * without writing a class (see {@link DialectBuilder}).
   *
   * @param name the dialect's name, such as {@code mcp-resources}
   * @throws IllegalArgumentException if {@code name} is empty
   */
  static DialectBuilder builder(String name) {
    return new DialectBuilder(name);
  }
}
