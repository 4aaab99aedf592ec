package dev.tether.rpc;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Executor;

/**
 * Per-request options. Immutable and thread-safe; start from {@link #defaults()}.
 *
 * <p>Defaults: the connection's request timeout, the connection's wait-for-ready setting, not
 * idempotent, completed on the connection's context, no extra members.
 */
public final class RequestOptions {
  private static final RequestOptions DEFAULTS =
      new RequestOptions(null, null, false, null, Map.of());

  /** Members every request frame has already; {@link #member} refuses them. */
  private static final Set<String> RESERVED_MEMBERS = Set.of("id", "method", "params", "jsonrpc");

  private final Duration timeout;
  private final Boolean waitForReady;
  private final boolean idempotent;
  private final Executor executor;
  private final Map<String, JsonNode> members;

  private RequestOptions(
      Duration timeout,
      Boolean waitForReady,
      boolean idempotent,
      Executor executor,
      Map<String, JsonNode> members) {
    this.timeout = timeout;
    this.waitForReady = waitForReady;
    this.idempotent = idempotent;
    this.executor = executor;
    this.members = members;
  }

  /** The default options. */
  public static RequestOptions defaults() {
    return DEFAULTS;
  }

  /**
   * The deadline, counted from the call, for the whole request (waiting included).
   *
   * @throws IllegalArgumentException if not positive
   */
  public RequestOptions timeout(Duration timeout) {
    Objects.requireNonNull(timeout, "timeout");
    if (timeout.isNegative() || timeout.isZero()) {
      throw new IllegalArgumentException("timeout must be positive, was " + timeout);
    }
    return new RequestOptions(timeout, waitForReady, idempotent, executor, members);
  }

  /**
   * Whether the request waits (in the bounded wait-for-ready queue, until its deadline) for the
   * connection to be up instead of failing at once with {@link RpcException.NotConnected}.
   */
  public RequestOptions waitForReady(boolean wait) {
    return new RequestOptions(timeout, wait, idempotent, executor, members);
  }

  /**
   * Marks the request as safe to send twice: if the channel is lost before its answer, it is sent
   * again after the reconnect (within its deadline) instead of failing with {@link
   * RpcException.ConnectionLost}.
   */
  public RequestOptions idempotent(boolean idempotent) {
    return new RequestOptions(timeout, waitForReady, idempotent, executor, members);
  }

  /**
   * Completes the request's future by a task on {@code executor} instead of on the connection's
   * context, and makes {@code executor} the future's {@code defaultExecutor()}: callbacks attached
   * to the returned stage then run on it ({@code thenApply} and the like attached before the
   * answer, every {@code *Async} variant without an executor argument), never on the connection's
   * event loop. A callback attached after the request settled runs at once on the attaching thread,
   * as with any {@code CompletableFuture}. If {@code executor} rejects the task, the future is
   * completed on the context and the rejection logged at {@code warn}: the request still settles.
   */
  public RequestOptions executor(Executor executor) {
    Objects.requireNonNull(executor, "executor");
    return new RequestOptions(timeout, waitForReady, idempotent, executor, members);
  }

  /**
   * Adds a top-level member to the request frame, beside {@code id}, {@code method} and {@code
   * params}: for protocols that route requests by one (e.g. a {@code sessionId}). Setting a name
   * again replaces its value. The value is copied.
   *
   * @throws IllegalArgumentException if {@code name} is empty or one of {@code id}, {@code method},
   *     {@code params}, {@code jsonrpc}, or {@code value} is not a JSON value (a missing node)
   */
  public RequestOptions member(String name, JsonNode value) {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(value, "value");
    if (name.isEmpty() || RESERVED_MEMBERS.contains(name)) {
      throw new IllegalArgumentException(
          "member name must not be empty or one of " + RESERVED_MEMBERS + ", was '" + name + "'");
    }
    if (value.isMissingNode()) {
      throw new IllegalArgumentException("member " + name + " needs a JSON value, was missing");
    }
    Map<String, JsonNode> more = new LinkedHashMap<>(members);
    more.put(name, value.deepCopy());
    return new RequestOptions(
        timeout, waitForReady, idempotent, executor, Collections.unmodifiableMap(more));
  }

  /** The extra top-level members, in the order first set; empty by default. Unmodifiable. */
  public Map<String, JsonNode> members() {
    return members;
  }

  /** The timeout, if set here. */
  public Optional<Duration> timeout() {
    return Optional.ofNullable(timeout);
  }

  /** The wait-for-ready choice, if set here. */
  public Optional<Boolean> waitForReady() {
    return Optional.ofNullable(waitForReady);
  }

  /** Whether the request may be replayed after a reconnect. */
  public boolean idempotent() {
    return idempotent;
  }

  /** The executor that completes the request's future, if set here. */
  public Optional<Executor> executor() {
    return Optional.ofNullable(executor);
  }

  @Override
  public String toString() {
    return "RequestOptions[timeout="
        + timeout
        + ", waitForReady="
        + waitForReady
        + ", idempotent="
        + idempotent
        + (executor == null ? "" : ", executor=" + executor)
        + (members.isEmpty() ? "" : ", members=" + members.keySet())
        + "]";
  }
}
