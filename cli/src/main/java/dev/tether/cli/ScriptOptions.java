package dev.tether.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import dev.tether.rpc.RpcConnectionBuilder;
import dev.tether.rpc.ServedMethod;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Option;

/**
 * {@code --handshake FILE} and {@code --answer METHOD=JSON}: what the connection says on every new
 * channel before it counts as connected, and how it answers the server's requests. Part of {@link
 * SocketOptions}.
 */
final class ScriptOptions {
  @Option(
      names = "--handshake",
      paramLabel = "FILE",
      description =
          "JSON-RPC messages to send, in order, on every (re)connect or child restart before the"
              + " connection counts as connected: one per line, as it would be written. A line with"
              + " an \"id\" is a request (sent with the connection's own id; its answer is awaited,"
              + " an error answer fails the attempt); one without is a notification.")
  Path handshakeFile;

  @Option(
      names = "--answer",
      paramLabel = "METHOD=JSON",
      description =
          "Answer the server's requests for METHOD with this JSON result; repeat for more."
              + " Requests for other methods get error -32601 (method not found).")
  List<String> answerArgs = new ArrayList<>();

  /** Set by {@link #validate}. */
  private HandshakeScript handshake;

  private final Map<String, JsonNode> answers = new LinkedHashMap<>();

  /**
   * Reads the handshake file and parses the answers.
   *
   * @throws IllegalArgumentException saying what is wrong with which
   */
  void validate() {
    if (handshakeFile != null) {
      handshake = HandshakeScript.read(handshakeFile);
    }
    for (String arg : answerArgs) {
      int eq = arg.indexOf('=');
      if (eq <= 0) {
        throw new IllegalArgumentException("--answer needs METHOD=JSON, was '" + arg + "'");
      }
      String method = arg.substring(0, eq);
      if (answers.putIfAbsent(method, json(method, arg.substring(eq + 1))) != null) {
        throw new IllegalArgumentException("--answer " + method + " is given twice");
      }
    }
  }

  private static JsonNode json(String method, String text) {
    try {
      JsonNode result =
          LifecycleJson.MAPPER
              .reader()
              .with(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
              .readTree(text);
      if (result == null || result.isMissingNode()) {
        throw new IllegalArgumentException("--answer " + method + ": no JSON after '='");
      }
      return result;
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException(
          "--answer " + method + ": not JSON (" + e.getOriginalMessage() + "): " + text, e);
    }
  }

  /** Sets the handshake hook and serves the answers on {@code b}. */
  void apply(RpcConnectionBuilder b) {
    if (handshake != null) {
      b.handshakeHook(handshake.hook((method, result) -> {}));
    }
    answers.forEach((method, result) -> b.serve(method, ServedMethod.sync(params -> result)));
  }
}
