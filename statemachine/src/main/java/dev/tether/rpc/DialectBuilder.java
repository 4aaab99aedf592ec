package dev.tether.rpc;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;

/**
 * Builds a {@link Dialect} for a subscription convention without writing a class. Two shapes:
 *
 * <ul>
 *   <li>Name-based: events name their stream. MCP resource subscriptions:
 *       <pre>{@code
 * Dialect.builder("mcp-resources")
 *     .subscribe("resources/subscribe", uri -> json.objectNode().put("uri", uri))
 *     .unsubscribe("resources/unsubscribe", uri -> json.objectNode().put("uri", uri))
 *     .event("notifications/resources/updated", params -> params.path("uri").asText(null),
 *         params -> params)
 *     .build();
 * }</pre>
 *   <li>Token-based (server-named subscriptions): the subscribe result is a token ({@link
 *       #tokenFromResult}), events carry it ({@link #tokenEvent}), and the unsubscribe request is
 *       built from it ({@link #unsubscribeByToken}). {@link Dialect#pubsub()} is built this way.
 * </ul>
 *
 * <p>Functions get a notification's {@code params} ({@code NullNode} when missing); a function
 * returning null means "not an event of this dialect" (the notification is counted as unrouted).
 * The functions must be thread-safe and should not throw (a throwing one counts the notification as
 * malformed). Not thread-safe; {@link #build()} copies everything into an immutable dialect.
 */
public final class DialectBuilder {
  private final String name;
  private String subscribeMethod;
  private Function<String, JsonNode> subscribeParams;
  private String unsubscribeMethod;
  private Function<String, JsonNode> unsubscribeParams;
  private boolean unsubscribeByToken;
  private Function<JsonNode, String> tokenFromResult;
  private final Map<String, EventRule> events = new LinkedHashMap<>();

  DialectBuilder(String name) {
    Objects.requireNonNull(name, "name");
    if (name.isEmpty()) {
      throw new IllegalArgumentException("name must not be empty");
    }
    this.name = name;
  }

  /**
   * Streams are subscribed with {@code method}, whose params {@code params} builds from the stream
   * name (an object, an array, or null).
   */
  public DialectBuilder subscribe(String method, Function<String, JsonNode> params) {
    subscribeMethod = checkMethod(method);
    subscribeParams = Objects.requireNonNull(params, "params");
    return this;
  }

  /**
   * Streams are cancelled with {@code method}, whose params {@code params} builds from the name.
   */
  public DialectBuilder unsubscribe(String method, Function<String, JsonNode> params) {
    unsubscribeMethod = checkMethod(method);
    unsubscribeParams = Objects.requireNonNull(params, "params");
    unsubscribeByToken = false;
    return this;
  }

  /**
   * Server-named subscriptions are cancelled with {@code method}, whose params {@code params}
   * builds from the subscription's current token.
   */
  public DialectBuilder unsubscribeByToken(String method, Function<String, JsonNode> params) {
    unsubscribeMethod = checkMethod(method);
    unsubscribeParams = Objects.requireNonNull(params, "params");
    unsubscribeByToken = true;
    return this;
  }

  /**
   * The subscribe result is the server's token for the subscription: {@code token} reads it (null
   * if the result carries none, which counts as a refusal).
   */
  public DialectBuilder tokenFromResult(Function<JsonNode, String> token) {
    tokenFromResult = Objects.requireNonNull(token, "token");
    return this;
  }

  /**
   * Notifications with {@code method} are events of the stream {@code stream} reads from their
   * params; handlers get {@code payload(params)}.
   *
   * @throws IllegalArgumentException if {@code method} already has a rule
   */
  public DialectBuilder event(
      String method, Function<JsonNode, String> stream, Function<JsonNode, JsonNode> payload) {
    return rule(method, new EventRule(false, stream, payload));
  }

  /**
   * Notifications with {@code method} are events of the server-named subscription whose token
   * {@code token} reads from their params; handlers get {@code payload(params)}.
   *
   * @throws IllegalArgumentException if {@code method} already has a rule
   */
  public DialectBuilder tokenEvent(
      String method, Function<JsonNode, String> token, Function<JsonNode, JsonNode> payload) {
    return rule(method, new EventRule(true, token, payload));
  }

  /**
   * The dialect.
   *
   * @throws IllegalStateException if no event rule was given; if subscribe and unsubscribe are not
   *     given together; if token events, {@code tokenFromResult} and {@code unsubscribeByToken} are
   *     not given together
   */
  public Dialect build() {
    if (events.isEmpty()) {
      throw new IllegalStateException(name + ": no event rule (event or tokenEvent)");
    }
    if ((subscribeMethod == null) != (unsubscribeMethod == null)) {
      throw new IllegalStateException(name + ": subscribe and unsubscribe go together");
    }
    boolean tokenEvents = events.values().stream().anyMatch(EventRule::tagged);
    if (tokenEvents != (tokenFromResult != null) || tokenEvents != unsubscribeByToken) {
      throw new IllegalStateException(
          name
              + ": server-named subscriptions need tokenEvent, tokenFromResult and"
              + " unsubscribeByToken together");
    }
    if (tokenEvents && events.values().stream().anyMatch(r -> !r.tagged())) {
      throw new IllegalStateException(
          name + ": a dialect routes either by token or by name (event and tokenEvent both set)");
    }
    return new Built(this);
  }

  private DialectBuilder rule(String method, EventRule rule) {
    checkMethod(method);
    Objects.requireNonNull(rule.key, "stream/token function");
    Objects.requireNonNull(rule.payload, "payload");
    if (events.putIfAbsent(method, rule) != null) {
      throw new IllegalArgumentException("method " + method + " already has an event rule");
    }
    return this;
  }

  private static String checkMethod(String method) {
    Objects.requireNonNull(method, "method");
    if (method.isEmpty()) {
      throw new IllegalArgumentException("method must not be empty");
    }
    return method;
  }

  /** How notifications of one method become events. */
  private record EventRule(
      boolean tagged, Function<JsonNode, String> key, Function<JsonNode, JsonNode> payload) {}

  /** The immutable dialect a builder made. */
  private static final class Built implements Dialect {
    private final String name;
    private final String subscribeMethod;
    private final Function<String, JsonNode> subscribeParams;
    private final String unsubscribeMethod;
    private final Function<String, JsonNode> unsubscribeParams;
    private final boolean byToken;
    private final Function<JsonNode, String> tokenFromResult;
    private final Map<String, EventRule> events;

    Built(DialectBuilder b) {
      name = b.name;
      subscribeMethod = b.subscribeMethod;
      subscribeParams = b.subscribeParams;
      unsubscribeMethod = b.unsubscribeMethod;
      unsubscribeParams = b.unsubscribeParams;
      byToken = b.unsubscribeByToken;
      tokenFromResult = b.tokenFromResult;
      events = Map.copyOf(b.events);
    }

    @Override
    public String name() {
      return name;
    }

    @Override
    public Optional<RpcCall> subscribe(String stream) {
      return subscribeMethod == null
          ? Optional.empty()
          : Optional.of(new RpcCall(subscribeMethod, subscribeParams.apply(stream)));
    }

    @Override
    public Optional<RpcCall> unsubscribe(String stream) {
      return unsubscribeMethod == null || byToken
          ? Optional.empty()
          : Optional.of(new RpcCall(unsubscribeMethod, unsubscribeParams.apply(stream)));
    }

    @Override
    public Optional<RpcCall> unsubscribe(String stream, String token) {
      return byToken
          ? Optional.of(new RpcCall(unsubscribeMethod, unsubscribeParams.apply(token)))
          : unsubscribe(stream);
    }

    @Override
    public Optional<String> subscribeRefusal(String stream, JsonNode result) {
      if (tokenFromResult == null || tokenFromResult.apply(result) != null) {
        return Optional.empty();
      }
      return Optional.of(
          "server answered " + Codec.abbreviate(String.valueOf(result)) + ", which is no token");
    }

    @Override
    public Optional<String> subscriptionToken(String stream, JsonNode result) {
      return tokenFromResult == null
          ? Optional.empty()
          : Optional.ofNullable(tokenFromResult.apply(result));
    }

    @Override
    public Optional<StreamEvent> streamEvent(ObjectNode notification) {
      JsonNode method = notification.get("method");
      EventRule rule = method == null || !method.isTextual() ? null : events.get(method.asText());
      if (rule == null) {
        return Optional.empty();
      }
      JsonNode params = notification.get("params");
      if (params == null) {
        params = NullNode.getInstance();
      }
      String key = rule.key().apply(params);
      JsonNode payload = key == null ? null : rule.payload().apply(params);
      if (key == null || payload == null) {
        return Optional.empty();
      }
      return Optional.of(
          rule.tagged() ? StreamEvent.tagged(key, payload) : new StreamEvent(key, payload));
    }

    @Override
    public String toString() {
      return name;
    }
  }
}
