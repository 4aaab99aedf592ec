package dev.tether.stub.rpc;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tether.machine.Cause;
import dev.tether.stub.StubConnection;
import dev.tether.stub.StubEndpoint;
import dev.tether.stub.VirtualScheduler;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.LongFunction;

/**
 * A scripted JSON-RPC 2.0 server on a {@link StubEndpoint}. It takes over the endpoint's {@link
 * StubEndpoint#onFrame frame handler}, answers requests with the registered {@link #handle
 * handlers} (unknown methods get {@code -32601}), keeps each connection's stream subscriptions in
 * its {@link PeerDialect}, and sends stream events to the connections subscribed to them.
 *
 * <pre>{@code
 * ScriptedRpcPeer peer = ScriptedRpcPeer.attach(endpoint, clock, PeerDialect.VM_SERVICE)
 *     .handle("getVersion", params -> peer.json().objectNode().put("major", 3));
 * peer.emitEvery("Isolate", Duration.ofSeconds(1), 10, n -> ...);
 * }</pre>
 *
 * <p>Not thread-safe; used from the scheduler's thread, like the endpoint.
 */
public final class ScriptedRpcPeer {

  /** JSON-RPC "method not found". */
  public static final int METHOD_NOT_FOUND = -32601;

  /** JSON-RPC "invalid request". */
  public static final int INVALID_REQUEST = -32600;

  /** JSON-RPC "internal error". */
  public static final int INTERNAL_ERROR = -32603;

  /** The subscription dialect the peer speaks (DESIGN.md, wire formats). */
  public enum PeerDialect {
    /** {@code streamListen}/{@code streamCancel}; events are {@code streamNotify}. */
    VM_SERVICE,
    /** {@code rpc.on}/{@code rpc.off}; events are {@code {"notification": …}}. */
    RPC_WEBSOCKETS,
    /** No subscriptions: {@link #emit} notifies every connection by method name. */
    PLAIN,
    /**
     * Server-named subscriptions: {@code eth_subscribe([stream])} answers a token {@code 0x1},
     * {@code 0x2}, … (counted per server process, so a restarted server hands the same values out
     * again); events are {@code eth_subscription} tagged with the token; {@code
     * eth_unsubscribe([token])} cancels.
     */
    PUBSUB
  }

  private static final ObjectMapper MAPPER = new ObjectMapper();

  private final StubEndpoint endpoint;
  private final VirtualScheduler scheduler;
  private final PeerDialect dialect;
  private final Map<String, Function<JsonNode, JsonNode>> handlers = new HashMap<>();
  private final Map<String, Duration> delays = new HashMap<>();
  private final Set<String> refused = new TreeSet<>();
  private final Map<StubConnection, Set<String>> subscriptions = new LinkedHashMap<>();
  private final Map<String, Long> received = new LinkedHashMap<>();
  private final List<ClientAnswer> answers = new ArrayList<>();
  private boolean silent;
  private long restarts;
  private Consumer<ClientAnswer> answerListener = a -> {};
  private boolean keepAnswers = true;

  private ScriptedRpcPeer(StubEndpoint endpoint, VirtualScheduler scheduler, PeerDialect dialect) {
    this.endpoint = endpoint;
    this.scheduler = scheduler;
    this.dialect = dialect;
  }

  /**
   * Creates a peer and installs it as {@code endpoint}'s frame handler.
   *
   * @param scheduler the scheduler of the endpoint's network (for delays and schedules)
   */
  public static ScriptedRpcPeer attach(
      StubEndpoint endpoint, VirtualScheduler scheduler, PeerDialect dialect) {
    ScriptedRpcPeer peer =
        new ScriptedRpcPeer(
            Objects.requireNonNull(endpoint, "endpoint"),
            Objects.requireNonNull(scheduler, "scheduler"),
            Objects.requireNonNull(dialect, "dialect"));
    endpoint.onFrame(peer::onFrame);
    return peer;
  }

  /** A node factory for building results. */
  public JsonNodeFactory json() {
    return JsonNodeFactory.instance;
  }

  /**
   * Answers {@code method} with {@code handler(params)}; a {@link PeerError} thrown by the handler
   * becomes an error response. Replaces an earlier handler.
   */
  public ScriptedRpcPeer handle(String method, Function<JsonNode, JsonNode> handler) {
    handlers.put(Objects.requireNonNull(method, "method"), Objects.requireNonNull(handler));
    return this;
  }

  /** Answers {@code method} only after {@code delay} of virtual time. */
  public ScriptedRpcPeer delay(String method, Duration delay) {
    delays.put(Objects.requireNonNull(method, "method"), Objects.requireNonNull(delay, "delay"));
    return this;
  }

  /** Refuses subscriptions to {@code stream} (an error, or {@code rpc-websockets}' refusal). */
  public ScriptedRpcPeer refuse(String stream) {
    refused.add(Objects.requireNonNull(stream, "stream"));
    return this;
  }

  /** Accepts subscriptions to {@code stream} again. */
  public ScriptedRpcPeer accept(String stream) {
    refused.remove(stream);
    return this;
  }

  /**
   * Stops (or resumes) answering anything while keeping connections open: a half-open socket.
   * Frames received while silent are discarded (the client's {@link #answers()} are still
   * recorded).
   */
  public ScriptedRpcPeer silent(boolean silent) {
    this.silent = silent;
    return this;
  }

  /**
   * The server restarts: every open connection is dropped and all server-side state (subscriptions)
   * is lost. Handlers, delays and refusals are configuration and stay.
   */
  public void restart() {
    restarts++;
    issuedTokens = 0; // a new server process counts its tokens afresh
    subscriptions.clear();
    endpoint.dropAll(Cause.of(Cause.Kind.CHANNEL_CLOSED, "server restarted"));
  }

  /** How many times {@link #restart()} was called. */
  public long restarts() {
    return restarts;
  }

  /** The streams subscribed on {@code connection} (empty if it is closed or unknown). */
  public Set<String> subscriptions(StubConnection connection) {
    if (!connection.isOpen()) {
      return Set.of();
    }
    return Set.copyOf(subscriptions.getOrDefault(connection, Set.of()));
  }

  /** The streams subscribed on the only open connection; empty if none is open. */
  public Set<String> subscriptions() {
    List<StubConnection> open = endpoint.connections();
    if (open.size() > 1) {
      throw new IllegalStateException("more than one open connection: " + open.size());
    }
    return open.isEmpty() ? Set.of() : subscriptions(open.get(0));
  }

  /** How many requests for {@code method} arrived (answered or not). */
  public long received(String method) {
    return received.getOrDefault(method, 0L);
  }

  /**
   * Sends a stream event to every open connection subscribed to {@code stream} (every open
   * connection in {@link PeerDialect#PLAIN}).
   *
   * @return how many connections it was sent to
   */
  public int emit(String stream, JsonNode payload) {
    if (dialect == PeerDialect.PUBSUB) {
      return emitTagged(stream, payload);
    }
    byte[] frame = bytes(event(stream, payload));
    int n = 0;
    for (StubConnection c : endpoint.connections()) {
      if (dialect == PeerDialect.PLAIN
          || subscriptions.getOrDefault(c, Set.of()).contains(stream)) {
        c.push(frame);
        n++;
      }
    }
    return n;
  }

  /**
   * Emits {@code count} events on {@code stream}, one every {@code period} of virtual time, the
   * first after one period; {@code payload} gets the event's 0-based index.
   */
  public void emitEvery(
      String stream, Duration period, long count, LongFunction<JsonNode> payload) {
    Objects.requireNonNull(payload, "payload");
    if (count < 0) {
      throw new IllegalArgumentException("count must be >= 0, was " + count);
    }
    emitLater(stream, period, 0, count, payload);
  }

  private void emitLater(
      String stream, Duration period, long index, long count, LongFunction<JsonNode> payload) {
    if (index >= count) {
      return;
    }
    scheduler.schedule(
        period,
        () -> {
          emit(stream, payload.apply(index));
          emitLater(stream, period, index + 1, count, payload);
        });
  }

  /** Sends raw bytes to every open connection (hostile-input tests). */
  public void pushRaw(byte[] frame) {
    for (StubConnection c : endpoint.connections()) {
      c.push(frame);
    }
  }

  // ---------------------------------------------------------------- serving

  private void onFrame(StubConnection c, byte[] frame) {
    JsonNode n;
    try {
      n = MAPPER.readTree(frame);
    } catch (IOException e) {
      if (!silent) {
        reply(c, error(null, INVALID_REQUEST, "parse error: " + e.getMessage()));
      }
      return;
    }
    if (isAnswer(n)) {
      ClientAnswer a = new ClientAnswer(c, n); // the client answering a request of ours
      if (keepAnswers) {
        answers.add(a);
      }
      answerListener.accept(a);
      return;
    }
    if (silent) {
      return;
    }
    JsonNode id = n.get("id");
    String method = n.path("method").asText("");
    received.merge(method, 1L, Long::sum);
    if (id == null || id.isNull()) {
      return; // a notification: nothing to answer
    }
    Duration delay = delays.get(method);
    if (delay == null) {
      reply(c, answer(c, id, method, n.get("params")));
    } else {
      scheduler.schedule(
          delay,
          () -> {
            if (!silent) {
              reply(c, answer(c, id, method, n.get("params")));
            }
          });
    }
  }

  private ObjectNode answer(StubConnection c, JsonNode id, String method, JsonNode params) {
    if (dialect == PeerDialect.PUBSUB
        && (method.equals("eth_subscribe") || method.equals("eth_unsubscribe"))) {
      return pubsub(c, id, method, params);
    }
    String stream = subscriptionStream(method, params);
    if (stream != null) {
      return subscription(c, id, method, stream);
    }
    Function<JsonNode, JsonNode> h = handlers.get(method);
    if (h == null) {
      return error(id, METHOD_NOT_FOUND, "method not found: " + method);
    }
    try {
      return result(id, h.apply(params));
    } catch (PeerError e) {
      ObjectNode err = error(id, e.code(), e.getMessage());
      if (e.data() != null) {
        ((ObjectNode) err.get("error")).set("data", e.data());
      }
      return err;
    } catch (RuntimeException e) {
      return error(id, INTERNAL_ERROR, String.valueOf(e));
    }
  }

  /** The stream a subscribe/unsubscribe request names, or null if it is no such request. */
  private String subscriptionStream(String method, JsonNode params) {
    if (dialect == PeerDialect.VM_SERVICE
        && (method.equals("streamListen") || method.equals("streamCancel"))) {
      return params == null ? "" : params.path("streamId").asText("");
    }
    if (dialect == PeerDialect.RPC_WEBSOCKETS
        && (method.equals("rpc.on") || method.equals("rpc.off"))) {
      return params == null ? "" : params.path(0).asText("");
    }
    return null;
  }

  private ObjectNode subscription(StubConnection c, JsonNode id, String method, String stream) {
    boolean on = method.equals("streamListen") || method.equals("rpc.on");
    Set<String> subs = subscriptions.computeIfAbsent(c, k -> new TreeSet<>());
    subscriptions.keySet().removeIf(k -> !k.isOpen());
    if (dialect == PeerDialect.RPC_WEBSOCKETS) {
      if (on && (stream.isEmpty() || refused.contains(stream))) {
        return result(id, json().objectNode().put(stream, "provided event invalid"));
      }
      if (on) {
        subs.add(stream);
      } else {
        subs.remove(stream);
      }
      return result(id, json().objectNode().put(stream, "ok"));
    }
    if (on) {
      if (stream.isEmpty() || refused.contains(stream)) {
        return error(id, 122, "Stream not subscribable: " + stream);
      }
      if (!subs.add(stream)) {
        return error(id, 103, "Stream already subscribed");
      }
    } else if (!subs.remove(stream)) {
      return error(id, 104, "Stream not subscribed");
    }
    return result(id, json().objectNode().put("type", "Success"));
  }

  private ObjectNode event(String stream, JsonNode payload) {
    ObjectNode n = json().objectNode();
    n.put("jsonrpc", "2.0");
    switch (dialect) {
      case VM_SERVICE -> {
        n.put("method", "streamNotify");
        ObjectNode params = n.putObject("params");
        params.put("streamId", stream);
        params.set("event", payload);
      }
      case RPC_WEBSOCKETS -> {
        n.put("notification", stream);
        n.set("params", payload);
      }
      case PLAIN -> {
        n.put("method", stream);
        n.set("params", payload);
      }
      case PUBSUB -> throw new IllegalStateException("pubsub events are tagged per connection");
    }
    return n;
  }

  private ObjectNode result(JsonNode id, JsonNode result) {
    ObjectNode n = json().objectNode();
    n.put("jsonrpc", "2.0");
    n.set("result", result == null ? json().nullNode() : result);
    n.set("id", id);
    return n;
  }

  private ObjectNode error(JsonNode id, int code, String message) {
    ObjectNode n = json().objectNode();
    n.put("jsonrpc", "2.0");
    ObjectNode e = n.putObject("error");
    e.put("code", code);
    e.put("message", message);
    n.set("id", id == null ? json().nullNode() : id);
    return n;
  }

  private static void reply(StubConnection c, ObjectNode frame) {
    c.push(bytes(frame));
  }

  private static byte[] bytes(JsonNode n) {
    try {
      return MAPPER.writeValueAsBytes(n);
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException(e);
    }
  }

  // ---------------------------------------------------------------- requests to the client

  /**
   * An answer the client sent to a request of this peer's, and the connection it came on.
   *
   * @param connection the connection it arrived on
   * @param frame the whole response frame
   */
  public record ClientAnswer(StubConnection connection, JsonNode frame) {
    /** The answer's {@code id} node ({@code null} node if it had none). */
    public JsonNode id() {
      return frame.path("id");
    }

    /** Whether it is an error response. */
    public boolean isError() {
      return frame.has("error");
    }

    /** The error's {@code code}; 0 for a result. */
    public int errorCode() {
      return frame.path("error").path("code").asInt(0);
    }
  }

  /**
   * Sends the request {@code {"jsonrpc":"2.0","id":ID,"method":M,"params":P}} (no {@code params}
   * when null) to every open connection; the client's answers are recorded in {@link #answers()}.
   *
   * @param id the request's id, of any JSON type (hostile-input tests send invalid ones)
   * @return the connections it was sent to
   */
  public List<StubConnection> sendRequest(String method, JsonNode params, JsonNode id) {
    ObjectNode n = json().objectNode();
    n.put("jsonrpc", "2.0");
    n.set("id", Objects.requireNonNull(id, "id"));
    n.put("method", Objects.requireNonNull(method, "method"));
    if (params != null) {
      n.set("params", params);
    }
    byte[] frame = bytes(n);
    List<StubConnection> to = endpoint.connections();
    for (StubConnection c : to) {
      c.push(frame);
    }
    return to;
  }

  /**
   * The answers the client sent to this peer's requests, oldest first; recorded also while {@link
   * #silent} (silence stops this peer's own answers).
   */
  public List<ClientAnswer> answers() {
    return List.copyOf(answers);
  }

  /**
   * Calls {@code listener} with every answer the client sends to this peer's requests, as it
   * arrives (also while {@link #silent}). Replaces an earlier listener.
   */
  public ScriptedRpcPeer onAnswer(Consumer<ClientAnswer> listener) {
    this.answerListener = Objects.requireNonNull(listener, "listener");
    return this;
  }

  /**
   * Whether {@link #answers()} keeps the answers (the default). A long simulation that checks each
   * answer as it arrives ({@link #onAnswer}) turns it off, so memory stays flat.
   */
  public ScriptedRpcPeer keepAnswers(boolean keep) {
    this.keepAnswers = keep;
    return this;
  }

  /** Whether {@code n} is a response (a {@code result} or {@code error} and no {@code method}). */
  private static boolean isAnswer(JsonNode n) {
    return n.isObject() && !n.has("method") && (n.has("result") || n.has("error"));
  }

  // ---------------------------------------------------------------- server-named subscriptions

  private long issuedTokens;
  private final Map<StubConnection, Map<String, String>> tokens = new LinkedHashMap<>();
  private final List<String> tokenHistory = new ArrayList<>();
  private final List<String> unsubscribeTokens = new ArrayList<>();

  /**
   * {@link PeerDialect#PUBSUB}: the live tokens of the only open connection, token to stream (empty
   * if none is open).
   */
  public Map<String, String> tokens() {
    List<StubConnection> open = endpoint.connections();
    if (open.size() > 1) {
      throw new IllegalStateException("more than one open connection: " + open.size());
    }
    return open.isEmpty() ? Map.of() : Map.copyOf(tokens.getOrDefault(open.get(0), Map.of()));
  }

  /**
   * {@link PeerDialect#PUBSUB}: every token handed out so far, oldest first (restarts included).
   */
  public List<String> issuedTokenHistory() {
    return List.copyOf(tokenHistory);
  }

  /** {@link PeerDialect#PUBSUB}: the tokens {@code eth_unsubscribe} named, in arrival order. */
  public List<String> unsubscribeTokens() {
    return List.copyOf(unsubscribeTokens);
  }

  /**
   * {@link PeerDialect#PUBSUB}: sends an {@code eth_subscription} event tagged {@code token} to
   * every open connection, whether or not the token is live (stale-token tests).
   */
  public void emitToken(String token, JsonNode payload) {
    pushRaw(bytes(tagged(token, payload)));
  }

  private int emitTagged(String stream, JsonNode payload) {
    int n = 0;
    for (StubConnection c : endpoint.connections()) {
      for (Map.Entry<String, String> t : tokens.getOrDefault(c, Map.of()).entrySet()) {
        if (t.getValue().equals(stream)) {
          c.push(bytes(tagged(t.getKey(), payload)));
          n++;
        }
      }
    }
    return n;
  }

  private ObjectNode tagged(String token, JsonNode payload) {
    ObjectNode n = json().objectNode();
    n.put("jsonrpc", "2.0");
    n.put("method", "eth_subscription");
    ObjectNode params = n.putObject("params");
    params.put("subscription", token);
    params.set("result", payload);
    return n;
  }

  private ObjectNode pubsub(StubConnection c, JsonNode id, String method, JsonNode params) {
    String arg = params == null ? "" : params.path(0).asText("");
    tokens.keySet().removeIf(k -> !k.isOpen());
    subscriptions.keySet().removeIf(k -> !k.isOpen());
    Map<String, String> live = tokens.computeIfAbsent(c, k -> new LinkedHashMap<>());
    Set<String> streams = subscriptions.computeIfAbsent(c, k -> new TreeSet<>());
    if (method.equals("eth_subscribe")) {
      if (arg.isEmpty() || refused.contains(arg)) {
        return error(id, -32602, "unsupported subscription: " + arg);
      }
      String token = "0x" + Long.toHexString(++issuedTokens);
      tokenHistory.add(token);
      live.put(token, arg);
      streams.add(arg);
      return result(id, json().textNode(token));
    }
    unsubscribeTokens.add(arg);
    String stream = live.remove(arg);
    if (stream == null) {
      return error(id, -32000, "subscription not found");
    }
    if (!live.containsValue(stream)) {
      streams.remove(stream);
    }
    return result(id, json().booleanNode(true));
  }

  /** The connections with at least one subscription (for diagnostics). */
  @Override
  public String toString() {
    List<String> parts = new ArrayList<>();
    for (StubConnection c : endpoint.connections()) {
      parts.add(subscriptions(c).toString());
    }
    return "ScriptedRpcPeer[" + dialect + ", " + parts + "]";
  }
}
