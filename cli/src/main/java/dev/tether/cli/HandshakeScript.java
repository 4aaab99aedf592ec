package dev.tether.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectReader;
import dev.tether.rpc.HandshakeHook;
import dev.tether.rpc.RpcCaller;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * The messages of {@code --handshake FILE}, sent in order on every new channel (every restart of a
 * child) before the connection counts as connected: one JSON-RPC message per line, as it would be
 * written. A line with an {@code id} is a request: it is sent with the connection's own id, its
 * answer is awaited, and an error answer fails the attempt. A line without one is a notification
 * ({@link RpcCaller#notify}, in the connection's envelope). Blank lines are skipped.
 *
 * <p>Immutable; its {@link #hook hook} runs on the connection's context.
 */
final class HandshakeScript {
  /** Bound on the file: a handshake is a few messages, and the whole file is kept. */
  static final long MAX_FILE_BYTES = 1024 * 1024;

  private static final ObjectReader STRICT =
      LifecycleJson.MAPPER.reader().with(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

  /** One message of the script. */
  sealed interface Step {
    String method();
  }

  /** A request, sent with the connection's own id; its answer is awaited. */
  record Request(String method, JsonNode params) implements Step {}

  /** A notification, written in order with the requests; its write is awaited. */
  record Notification(String method, JsonNode params) implements Step {}

  /** Told each request's result, on the connection's context (the demo prints them). */
  @FunctionalInterface
  interface Answers {
    void answered(String method, JsonNode result);
  }

  private final List<Step> steps;

  private HandshakeScript(List<Step> steps) {
    this.steps = List.copyOf(steps);
  }

  /**
   * Reads {@code file}.
   *
   * @throws IllegalArgumentException naming the file (and line) if it cannot be read, is larger
   *     than {@link #MAX_FILE_BYTES}, or has no message or a line that is not one
   */
  static HandshakeScript read(Path file) {
    try {
      if (Files.size(file) > MAX_FILE_BYTES) {
        throw new IllegalArgumentException(
            "--handshake " + file + " is larger than " + MAX_FILE_BYTES + " bytes");
      }
      return parse(Files.readAllLines(file, StandardCharsets.UTF_8), "--handshake " + file);
    } catch (IOException e) {
      throw new IllegalArgumentException("cannot read --handshake " + file + ": " + e, e);
    }
  }

  /**
   * The script of {@code lines}; {@code source} names them in errors.
   *
   * @throws IllegalArgumentException if there is no message or a line is not one
   */
  static HandshakeScript parse(List<String> lines, String source) {
    List<Step> steps = new ArrayList<>();
    for (int i = 0; i < lines.size(); i++) {
      if (!lines.get(i).isBlank()) {
        steps.add(step(lines.get(i), source + " line " + (i + 1)));
      }
    }
    if (steps.isEmpty()) {
      throw new IllegalArgumentException(source + " has no message");
    }
    return new HandshakeScript(steps);
  }

  private static Step step(String line, String where) {
    JsonNode n;
    try {
      n = STRICT.readTree(line);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException(where + " is not JSON: " + e.getOriginalMessage(), e);
    }
    if (n == null || !n.isObject()) {
      throw new IllegalArgumentException(where + " is not a JSON object: " + line.strip());
    }
    JsonNode method = n.get("method");
    if (method == null || !method.isTextual() || method.asText().isEmpty()) {
      throw new IllegalArgumentException(where + " has no \"method\" (a non-empty string)");
    }
    JsonNode params = n.get("params");
    if (params != null && !params.isObject() && !params.isArray()) {
      throw new IllegalArgumentException(where + ": \"params\" must be an object or an array");
    }
    if (n.has("id")) {
      return new Request(method.asText(), params);
    }
    return new Notification(method.asText(), params);
  }

  /** The messages, in order. */
  List<Step> steps() {
    return steps;
  }

  /**
   * The hook that sends the script on every new channel.
   *
   * @param answers told each request's result
   */
  HandshakeHook hook(Answers answers) {
    return (caller, epoch) -> from(caller, answers, 0);
  }

  /** Sends the steps from {@code i} on, each after the previous one was answered or written. */
  private CompletionStage<Void> from(RpcCaller caller, Answers answers, int i) {
    if (i == steps.size()) {
      return CompletableFuture.completedFuture(null);
    }
    Step step = steps.get(i);
    if (step instanceof Request r) {
      return caller
          .request(r.method(), r.params())
          .thenCompose(
              result -> {
                answers.answered(r.method(), result);
                return from(caller, answers, i + 1);
              });
    }
    return caller
        .notify(step.method(), ((Notification) step).params())
        .thenCompose(written -> from(caller, answers, i + 1));
  }
}
