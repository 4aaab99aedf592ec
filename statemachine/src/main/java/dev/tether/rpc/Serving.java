package dev.tether.rpc;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tether.rpc.Counters.C;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.Executor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a connection serves to its server, copied from the builder: the {@link ServedMethod}s with
 * their timeouts, where they run, how many requests may be in progress, and the {@link
 * NotificationHandler}s. Immutable; {@link #NONE} is shared by every connection that serves
 * nothing, so such a connection pays one reference for all of this.
 */
final class Serving {
  private static final Logger log = LoggerFactory.getLogger(Serving.class);

  /** A served method and its deadline. */
  record Method(ServedMethod handler, Duration timeout) {}

  /** Serves nothing, routes no notification. */
  static final Serving NONE =
      new Serving(Map.of(), Map.of(), null, RpcConnectionBuilder.DEFAULT_MAX_SERVED_IN_PROGRESS);

  private final Map<String, Method> methods;
  private final Map<String, NotificationHandler> notifications;
  private final Executor executor;
  private final int maxInProgress;

  /**
   * @param executor where handlers run; null for the connection's context
   */
  Serving(
      Map<String, Method> methods,
      Map<String, NotificationHandler> notifications,
      Executor executor,
      int maxInProgress) {
    this.methods = Map.copyOf(methods);
    this.notifications = Map.copyOf(notifications);
    this.executor = executor;
    this.maxInProgress = maxInProgress;
  }

  /** The method served as {@code name}, or null. */
  Method method(String name) {
    return methods.get(name);
  }

  /** Where handlers run; null for the connection's context. */
  Executor executor() {
    return executor;
  }

  /** Requests from the server in progress at once, at most. */
  int maxInProgress() {
    return maxInProgress;
  }

  /**
   * Hands a notification no stream wanted to the handler of its {@code method}, on the calling
   * context. A handler that throws is logged and counted.
   *
   * @return false if no handler takes it (the caller counts it as unrouted)
   */
  boolean notify(ObjectNode notification, Counters counters, String connection) {
    if (notifications.isEmpty()) {
      return false;
    }
    JsonNode method = notification.get("method");
    NotificationHandler h = method == null ? null : notifications.get(method.asText());
    if (h == null) {
      return false;
    }
    try {
      h.onNotification(notification.get("params"));
    } catch (RuntimeException e) {
      long n = counters.inc(C.HANDLER_ERRORS);
      if (Counters.rarely(n)) {
        log.warn("{}: handler of notification {} threw ({} so far)", connection, method, n, e);
      }
    }
    return true;
  }
}
