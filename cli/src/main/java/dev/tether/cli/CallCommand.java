package dev.tether.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tether.machine.BackoffPolicy;
import dev.tether.machine.Cause;
import dev.tether.machine.ConnectionState;
import dev.tether.rpc.RequestOptions;
import dev.tether.rpc.RpcException;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code tether call}: one JSON-RPC request over real sockets or to a child process ({@code
 * --exec}, stopped afterwards). Prints the result (exit 0); a JSON-RPC error, a failed connect, a
 * lost connection or the timeout prints the reason (exit 4). An error response without an id (a
 * server refusing a frame it cannot tie to a request, e.g. one with a {@code jsonrpc} member)
 * arriving while the request is in flight fails the call at once with the server's message, instead
 * of waiting for the timeout.
 *
 * <p>It never retries a failed connect: the first failure ends the connection and the call, and the
 * whole call (connect, handshake, answer) is bounded by {@code --timeout}.
 */
@Command(
    name = "call",
    mixinStandardHelpOptions = true,
    customSynopsis = {
      "tether call ENDPOINT METHOD [PARAMS_JSON] [OPTIONS]",
      "       tether call --exec COMMAND METHOD [PARAMS_JSON] [OPTIONS]"
    },
    description =
        "Sends one JSON-RPC request to ENDPOINT, or to COMMAND started as a child process, and"
            + " prints the result. Exit 0: result; 4: JSON-RPC"
            + " error, connect failure, lost connection or timeout; 2: usage error.")
final class CallCommand implements Callable<Integer> {
  /** Exit status when the request failed. */
  static final int EXIT_REQUEST_FAILED = 4;

  /**
   * Extra wait beyond {@code --timeout} for the request's own deadline to fire and be reported: the
   * deadline is a timer on the connection's context, so its failure arrives a little after the
   * deadline itself.
   */
  static final Duration SETTLE_SLACK = Duration.ofSeconds(2);

  @Spec CommandSpec spec;

  @Parameters(
      index = "1",
      arity = "0..1",
      paramLabel = "METHOD",
      description = "The method to call (the first parameter with --exec).")
  String method;

  @Parameters(
      index = "2",
      arity = "0..1",
      paramLabel = "PARAMS_JSON",
      description = "The params: a JSON object or array (default: none).")
  String paramsJson;

  @Mixin SocketOptions socket;

  @Option(
      names = "--timeout",
      defaultValue = "10s",
      paramLabel = "D",
      converter = Durations.Converter.class,
      description = "Bound on connect plus answer (default: 10s).")
  Duration timeout;

  @Option(names = "--json", description = "Print the result on one line (errors as JSON too).")
  boolean json;

  @Override
  public Integer call() {
    withoutEndpoint();
    socket.validate();
    if (method == null || method.isBlank()) {
      throw socket.usage(method == null ? "METHOD is missing" : "METHOD must not be empty");
    }
    JsonNode params = params();
    BackoffPolicy policy =
        BackoffPolicy.builder()
            .maxAttempts(1)
            .failFastOnFirstConnect(true)
            .connectTimeout(timeout)
            .build();
    CompletableFuture<RpcException.RemoteError> refused = new CompletableFuture<>();
    SocketRpc connection =
        socket.open(
            timeout,
            b -> b.policy(policy).requestTimeout(timeout).onIdlessError(refused::complete));
    AtomicBoolean connected = new AtomicBoolean();
    connection
        .rpc()
        .subscribe(
            e -> {
              if (e.state() instanceof ConnectionState.Connected) {
                connected.set(true);
              }
            });
    try {
      connection.rpc().start();
      CompletableFuture<JsonNode> answer =
          connection
              .rpc()
              .request(
                  method, params, RequestOptions.defaults().timeout(timeout).waitForReady(true))
              .toCompletableFuture();
      Object first =
          CompletableFuture.anyOf(answer, refused)
              .get(timeout.plus(SETTLE_SLACK).toMillis(), TimeUnit.MILLISECONDS);
      if (first instanceof RpcException.RemoteError idless) {
        return failed(
            idless,
            null,
            idless.getMessage()
                + " (an error without an id, while "
                + method
                + " was in flight; if the server refuses the \"jsonrpc\" member, try --envelope"
                + " bare)");
      }
      printResult((JsonNode) first);
      return 0;
    } catch (ExecutionException | CompletionException e) {
      Throwable cause = e.getCause() == null ? e : e.getCause();
      return failed(cause, connected.get() ? null : connection.rpc().state(), null);
    } catch (TimeoutException e) {
      String why = method + " got no answer within " + timeout.toMillis() + " ms";
      return failed(null, connected.get() ? null : connection.rpc().state(), why);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return failed(null, null, "interrupted");
    } finally {
      connection.close("call done");
    }
  }

  private void printResult(JsonNode result) {
    PrintWriter out = spec.commandLine().getOut();
    try {
      if (json) {
        ObjectNode line = JsonLines.line("result").put("method", method);
        line.set("result", result);
        out.println(LifecycleJson.MAPPER.writeValueAsString(line));
      } else {
        out.println(
            LifecycleJson.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(result));
      }
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("a parsed JSON tree is always writable", e);
    }
    out.flush();
  }

  /**
   * Prints why the call failed and returns 4.
   *
   * @param failure how the request failed, or null if it did not settle
   * @param state the connection's state if it never got up (its cause is then the clearer reason),
   *     else null
   * @param unsettled why, if the request did not settle or an error without an id ended the call
   */
  private int failed(Throwable failure, ConnectionState state, String unsettled) {
    String reason;
    if (state instanceof ConnectionState.PermanentlyDisconnected p
        && !(failure instanceof RpcException.RemoteError)) {
      reason = "cannot connect to " + socket.target() + ": " + p.cause();
    } else if (failure == null || unsettled != null) {
      reason = unsettled;
    } else {
      reason = failure.getMessage();
    }
    spec.commandLine().getErr().println("tether call: " + reason + socket.hint(reason));
    if (json) {
      ObjectNode error;
      if (failure instanceof RpcException.RemoteError remote) {
        error = JsonLines.error(kind(failure, state, unsettled), remote.remoteMessage());
        error.put("code", remote.code());
        if (remote.data() != null && !remote.data().isNull()) {
          error.set("data", remote.data());
        }
      } else {
        error = JsonLines.error(kind(failure, state, unsettled), reason);
        if (state instanceof ConnectionState.PermanentlyDisconnected p) {
          error.set("cause", JsonLines.cause(p.cause()));
        }
      }
      ObjectNode n = JsonLines.line("error").put("method", method);
      n.set("error", error);
      spec.commandLine().getOut().println(n);
    }
    return EXIT_REQUEST_FAILED;
  }

  /**
   * The {@code kind} of the JSON error line: a connect that failed is {@code CONNECT_FAILED} (or
   * {@code TIMEOUT} if it ran out of {@code --timeout}), not the request's {@code CONNECTION_LOST};
   * otherwise the request's own kind.
   */
  private static String kind(Throwable failure, ConnectionState state, String unsettled) {
    if (state instanceof ConnectionState.PermanentlyDisconnected p
        && !(failure instanceof RpcException.RemoteError)) {
      return p.cause().kind() == Cause.Kind.CONNECT_TIMEOUT ? "TIMEOUT" : "CONNECT_FAILED";
    }
    if (failure instanceof RpcException r) {
      return r.kind().name();
    }
    return "interrupted".equals(unsettled) ? "INTERRUPTED" : "TIMEOUT";
  }

  /**
   * With {@code --exec} there is no ENDPOINT: the parameters are METHOD [PARAMS_JSON], which
   * picocli has put one place to the left.
   */
  private void withoutEndpoint() {
    if (socket.exec == null || socket.endpointArg == null) {
      return; // SocketOptions.validate reports a missing ENDPOINT or --exec
    }
    if (paramsJson != null || socket.endpointArg.contains("://")) {
      throw socket.usage(
          "give either an ENDPOINT or --exec COMMAND, not both (ENDPOINT was '"
              + socket.endpointArg
              + "')");
    }
    paramsJson = method;
    method = socket.endpointArg;
    socket.endpointArg = null;
  }

  private JsonNode params() {
    if (paramsJson == null) {
      return null;
    }
    JsonNode p;
    try {
      p = LifecycleJson.MAPPER.readTree(paramsJson);
    } catch (JsonProcessingException e) {
      throw socket.usage(
          "PARAMS_JSON is not valid JSON ("
              + e.getOriginalMessage()
              + "): "
              + abbreviate(paramsJson));
    }
    if (p == null || !(p.isObject() || p.isArray())) {
      throw socket.usage(
          "PARAMS_JSON must be a JSON object or array, was: " + abbreviate(paramsJson));
    }
    return p;
  }

  /** Bound on how much of a bad argument an error message repeats. */
  private static final int MAX_ECHO_CHARS = 80;

  private static String abbreviate(String text) {
    return text.length() <= MAX_ECHO_CHARS ? text : text.substring(0, MAX_ECHO_CHARS) + "…";
  }
}
