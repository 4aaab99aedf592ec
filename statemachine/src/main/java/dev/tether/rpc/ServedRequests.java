package dev.tether.rpc;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.NullNode;
import dev.tether.rpc.Counters.C;
import dev.tether.runtime.spi.Channel;
import dev.tether.runtime.spi.Scheduler;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Answers the requests the server sends to this client, each exactly once (I11). Created at the
 * first such request, so a connection that never gets one pays nothing for it. Confined to the
 * connection's context; handlers may finish on any thread, their answers hop back to it.
 *
 * <p>A request is answered at once with {@code -32601} when its method is not served, {@code
 * -32600} (with a null id) when its id is neither a string nor a number, {@code -32602} when its
 * params are neither an object, an array nor absent, and {@link ServedError#OVERLOADED} when {@link
 * Serving#maxInProgress()} requests are already in progress. Otherwise its handler runs and the
 * first of these answers it: the handler's result or {@link ServedError}, {@code -32603} for any
 * other failure, {@link ServedError#TIMED_OUT} at its deadline.
 *
 * <p>An answer goes to the channel the request came on, and only to it: when that channel is lost,
 * every request still in progress is dropped and counted ({@link ConnectionStats#servedDropped()})
 * at once, its deadline cancelled; whatever its handler finishes later is discarded. So no answer
 * is ever written on a later channel, and the bound counts only requests of the current channel.
 *
 * <p>Ids are echoed as they came: strings, integers of any size, fractions exactly. Two requests
 * with the same id are two requests and get one answer each.
 */
final class ServedRequests {
  private static final Logger log = LoggerFactory.getLogger(ServedRequests.class);

  /** JSON-RPC "invalid params". */
  static final int INVALID_PARAMS = -32602;

  private final String name;
  private final Scheduler scheduler;
  private final Codec codec;
  private final Counters counters;
  private final Serving serving;
  private final List<Call> inProgress = new ArrayList<>(4);
  private long refusals; // for rate-limited logging
  private long executorRefusals; // for rate-limited logging

  ServedRequests(
      String name, Scheduler scheduler, Codec codec, Counters counters, Serving serving) {
    this.name = name;
    this.scheduler = scheduler;
    this.codec = codec;
    this.counters = counters;
    this.serving = serving;
  }

  /** One request from the server, from its arrival to its one answer or its drop. */
  private static final class Call {
    final JsonNode id;
    final String method;
    final Channel channel;
    Scheduler.Cancellable deadline;
    boolean over; // answered, or dropped with its channel: nothing more happens to it

    Call(JsonNode id, String method, Channel channel) {
      this.id = id;
      this.method = method;
      this.channel = channel;
    }
  }

  /** Requests in progress now. Call on the context. */
  int inProgress() {
    return inProgress.size();
  }

  /**
   * Takes a request that arrived on {@code channel}, the current one. Call on the context.
   *
   * @param channel the channel it came on; null only if there is none (then it is dropped)
   */
  void accept(Channel channel, Codec.ServerRequest r) {
    counters.inc(C.SERVER_REQUESTS);
    if (channel == null) { // defensive: frames arrive only on a channel
      counters.inc(C.SERVED_DROPPED);
      log.warn("{}: request {} from the server arrived with no channel; dropped", name, r.method());
      return;
    }
    if (!r.id().isTextual() && !r.id().isNumber()) {
      answerError(
          channel,
          NullNode.getInstance(),
          ServedError.INVALID_REQUEST,
          "Invalid Request: id must be a string or a number",
          null);
      return;
    }
    Serving.Method m = serving.method(r.method());
    if (m == null) {
      answerError(
          channel,
          r.id(),
          ServedError.METHOD_NOT_FOUND,
          "Method not found: " + Codec.abbreviate(r.method()),
          null);
      return;
    }
    JsonNode params = r.params();
    if (params != null && !params.isObject() && !params.isArray() && !params.isNull()) {
      answerError(
          channel, r.id(), INVALID_PARAMS, "Invalid params: must be an object or an array", null);
      return;
    }
    if (inProgress.size() >= serving.maxInProgress()) {
      overloaded(channel, r);
      return;
    }
    Call c = new Call(r.id(), r.method(), channel);
    inProgress.add(c);
    c.deadline = scheduler.schedule(m.timeout(), () -> timedOut(c, m));
    start(c, m.handler(), params == null || params.isNull() ? null : params);
  }

  private void overloaded(Channel channel, Codec.ServerRequest r) {
    if (Counters.rarely(++refusals)) { // a flood logs the first and then a count, not each
      log.warn(
          "{}: {} requests from the server in progress; refusing {} ({} refused so far)",
          name,
          inProgress.size(),
          r.method(),
          refusals);
    }
    answerError(
        channel,
        r.id(),
        ServedError.OVERLOADED,
        "Server busy: " + serving.maxInProgress() + " requests in progress",
        null);
  }

  private void start(Call c, ServedMethod handler, JsonNode params) {
    Executor executor = serving.executor();
    if (executor == null) {
      invoke(c, handler, params);
      return;
    }
    try {
      executor.execute(() -> invoke(c, handler, params));
    } catch (RejectedExecutionException e) {
      if (Counters.rarely(++executorRefusals)) { // the first, then a count: never one per request
        log.warn(
            "{}: serve executor refused {} ({} refused so far)",
            name,
            c.method,
            executorRefusals,
            e);
      }
      finish(
          c,
          null,
          new ServedError(
              ServedError.OVERLOADED, "Server busy: executor refused the request", null));
    }
  }

  /** Runs the handler, on the serve executor or the context. */
  private void invoke(Call c, ServedMethod handler, JsonNode params) {
    CompletionStage<JsonNode> stage;
    try {
      stage = handler.serve(params);
    } catch (RuntimeException e) {
      finished(c, null, e);
      return;
    }
    if (stage == null) {
      finished(c, null, new IllegalStateException("handler of " + c.method + " returned no stage"));
      return;
    }
    stage.whenComplete((result, err) -> finished(c, result, err));
  }

  /** The handler is done, on any thread: hop to the context. */
  private void finished(Call c, JsonNode result, Throwable err) {
    if (scheduler.inContext()) {
      finish(c, result, err);
      return;
    }
    try {
      scheduler.execute(() -> finish(c, result, err));
    } catch (RejectedExecutionException e) {
      // The connection ended: its channel was lost first, which dropped and counted this request.
      log.debug("{}: answer to {} finished after the connection ended; dropped", name, c.method);
    }
  }

  private void timedOut(Call c, Serving.Method m) {
    if (c.over) {
      return;
    }
    log.warn(
        "{}: handler of {} did not finish within {} ms", name, c.method, m.timeout().toMillis());
    c.deadline = null; // it ran: nothing to cancel
    finish(
        c,
        null,
        new ServedError(
            ServedError.TIMED_OUT,
            "Handler timed out after " + m.timeout().toMillis() + " ms",
            null));
  }

  /**
   * The first outcome of {@code c} answers it; later ones, and all after its channel was lost, are
   * discarded.
   */
  private void finish(Call c, JsonNode result, Throwable err) {
    if (c.over) {
      log.debug(
          "{}: a later outcome of {} discarded (already answered or dropped)", name, c.method);
      return;
    }
    end(c);
    if (err == null) {
      try {
        write(c.channel, codec.resultResponse(c.id, result), false);
        return;
      } catch (JsonProcessingException | RuntimeException e) {
        err = e; // an unwritable result is a handler failure
      }
    }
    Throwable why = unwrap(err);
    if (why instanceof ServedError se) {
      answerError(c.channel, c.id, se.code(), se.getMessage(), se.data());
      return;
    }
    long n = counters.inc(C.HANDLER_ERRORS);
    if (Counters.rarely(n)) {
      log.warn(
          "{}: handler of {} failed ({} so far); answering {}",
          name,
          c.method,
          n,
          ServedError.INTERNAL_ERROR,
          why);
    }
    answerError(c.channel, c.id, ServedError.INTERNAL_ERROR, "Internal error", null);
  }

  private void end(Call c) {
    c.over = true;
    inProgress.remove(c);
    if (c.deadline != null) {
      c.deadline.cancel();
      c.deadline = null;
    }
  }

  /**
   * The channel requests came on is gone: drop every request still in progress on it, at once, and
   * count it. Call on the context, whenever the connection's channel changes or ends.
   */
  void channelLost() {
    int n = inProgress.size();
    if (n == 0) {
      return;
    }
    for (Call c : inProgress.toArray(new Call[0])) {
      end(c);
    }
    counters.add(C.SERVED_DROPPED, n);
    log.warn(
        "{}: channel lost with {} requests from the server in progress; their answers are dropped",
        name,
        n);
  }

  private static Throwable unwrap(Throwable err) {
    Throwable t = err;
    while ((t instanceof CompletionException || t instanceof ExecutionException)
        && t.getCause() != null) {
      t = t.getCause();
    }
    return t;
  }

  private void answerError(Channel ch, JsonNode id, int code, String message, JsonNode data) {
    byte[] frame;
    try {
      frame = codec.errorResponse(id, code, message, data);
    } catch (JsonProcessingException | RuntimeException e) {
      log.warn(
          "{}: error data of the answer to id {} cannot be written; sent without it",
          name,
          Codec.abbreviate(id),
          e);
      try {
        frame = codec.errorResponse(id, code, message, null);
      } catch (JsonProcessingException impossible) {
        throw new IllegalStateException("an error without data must always encode", impossible);
      }
    }
    write(ch, frame, true);
  }

  private void write(Channel ch, byte[] frame, boolean error) {
    counters.inc(C.SERVED_ANSWERS);
    if (error) {
      counters.inc(C.SERVED_ERRORS);
    }
    CompletionStage<Void> sent;
    try {
      sent = ch.send(frame);
    } catch (RuntimeException e) { // a throwing channel: it is going away
      log.warn("{}: could not write an answer to the server", name, e);
      return;
    }
    counters.inc(C.FRAMES_OUT);
    counters.add(C.BYTES_OUT, frame.length);
    sent.whenComplete(
        (ok, err) -> {
          if (err != null) {
            log.debug("{}: an answer to the server was not written: {}", name, err.toString());
          }
        });
  }
}
