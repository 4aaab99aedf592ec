package dev.tether.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tether.runtime.framing.FrameDecoder;
import dev.tether.runtime.framing.Framing;
import dev.tether.runtime.framing.FramingException;
import java.io.BufferedOutputStream;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A small JSON-RPC server on its own stdin and stdout, run as a child JVM by {@code tether demo
 * --process} and by the tests of {@code --exec}: it answers nothing but {@code initialize} until it
 * has been initialized (error {@value #NOT_INITIALIZED}, as a language server does).
 *
 * <p>Methods: {@code initialize} (result: {@code {"pid":…,"serverInfo":…}}), then {@code echo} (the
 * params), {@code pid}, {@code argv} (its arguments, as received) and {@code ask} (params {@code
 * {"method":M,"params":P}}: asks the client M and answers with {@code {"result":…}} or {@code
 * {"error":…}}). On the notification {@code initialized} after {@code initialize} it sends the
 * notification {@code ready} with its pid and the params {@code initialize} had. Framing: {@code
 * ndjson}, or the one named by the argument after {@code --framing}. Exits 0 at stdin's end.
 *
 * <p>Single-threaded: it reads, then answers, so requests are answered in order; an {@code ask} is
 * answered when the client's response arrives.
 */
final class StdioEchoServer {
  /** The error code of a request made before {@code initialize}. */
  static final int NOT_INITIALIZED = -32002;

  /** Bound on one frame read from stdin. */
  private static final int MAX_FRAME_BYTES = 1024 * 1024;

  private final List<String> args;
  private final Framing framing;
  private final OutputStream out;
  private final long pid = ProcessHandle.current().pid();
  private final Map<String, JsonNode> asking = new HashMap<>(); // our request id -> the client's
  private JsonNode initializeParams; // null until initialized
  private int asked;

  private StdioEchoServer(List<String> args, Framing framing, OutputStream out) {
    this.args = args;
    this.framing = framing;
    this.out = out;
  }

  /** Runs the server until stdin ends; exit status 1 if stdin breaks the framing. */
  public static void main(String[] argv) throws IOException {
    List<String> args = List.of(argv);
    int f = args.indexOf("--framing");
    Framing framing =
        f >= 0 && f + 1 < args.size() ? Framing.named(args.get(f + 1)) : Framing.ndjson();
    StdioEchoServer server =
        new StdioEchoServer(
            args, framing, new BufferedOutputStream(new FileOutputStream(FileDescriptor.out)));
    System.err.println("stdio echo server " + server.pid + " started (" + framing.name() + ")");
    try {
      server.serve(System.in);
    } catch (FramingException e) {
      System.err.println("stdio echo server " + server.pid + ": " + e.getMessage());
      System.exit(1);
    }
  }

  private void serve(InputStream in) throws IOException, FramingException {
    FrameDecoder decoder = framing.newDecoder(MAX_FRAME_BYTES);
    byte[] buf = new byte[8192];
    for (int n; (n = in.read(buf)) >= 0; ) {
      decoder.feed(buf, 0, n, this::onFrame);
    }
  }

  private void onFrame(byte[] frame) {
    JsonNode msg;
    try {
      msg = LifecycleJson.MAPPER.readTree(frame);
    } catch (IOException e) {
      System.err.println("not JSON, ignored: " + e.getMessage());
      return;
    }
    if (!msg.has("method")) {
      answered(msg); // a response to one of our asks
    } else if (msg.has("id")) {
      request(msg.get("id"), msg.path("method").asText(), msg.get("params"));
    } else if (msg.path("method").asText().equals("initialized") && initializeParams != null) {
      ObjectNode ready = JsonNodeFactory.instance.objectNode().put("pid", pid);
      ready.set("initialize", initializeParams);
      send(message(null, "ready").set("params", ready));
    }
  }

  private void request(JsonNode id, String method, JsonNode params) {
    ObjectNode ok = JsonNodeFactory.instance.objectNode();
    if (method.equals("initialize")) {
      initializeParams = params == null ? JsonNodeFactory.instance.nullNode() : params;
      ok.put("pid", pid).putObject("serverInfo").put("name", "tether stdio echo server");
      respond(id, ok);
    } else if (initializeParams == null) {
      error(id, NOT_INITIALIZED, "not initialized: send initialize first");
    } else {
      switch (method) {
        case "echo" -> respond(id, params);
        case "pid" -> respond(id, ok.numberNode(pid));
        case "argv" -> respond(id, LifecycleJson.MAPPER.valueToTree(args));
        case "ask" -> ask(id, params);
        default -> error(id, -32601, "Method not found: " + method);
      }
    }
  }

  /** Asks the client {@code params.method}; the answer goes to the request {@code id}. */
  private void ask(JsonNode id, JsonNode params) {
    String ourId = "ask-" + ++asked;
    asking.put(ourId, id);
    ObjectNode request = message(ourId, params.path("method").asText());
    if (params.has("params")) {
      request.set("params", params.get("params"));
    }
    send(request);
  }

  private void answered(JsonNode response) {
    JsonNode id = asking.remove(response.path("id").asText());
    if (id == null) {
      System.err.println("response to nothing asked, ignored: " + response);
      return;
    }
    ObjectNode result = JsonNodeFactory.instance.objectNode();
    result.set(
        response.has("error") ? "error" : "result",
        response.get(response.has("error") ? "error" : "result"));
    respond(id, result);
  }

  private void respond(JsonNode id, JsonNode result) {
    ObjectNode r = message(null, null);
    r.set("id", id);
    r.set("result", result == null ? JsonNodeFactory.instance.nullNode() : result);
    send(r);
  }

  private void error(JsonNode id, int code, String message) {
    ObjectNode r = message(null, null);
    r.set("id", id);
    r.putObject("error").put("code", code).put("message", message);
    send(r);
  }

  private static ObjectNode message(String id, String method) {
    ObjectNode m = JsonNodeFactory.instance.objectNode().put("jsonrpc", "2.0");
    if (id != null) {
      m.put("id", id);
    }
    if (method != null) {
      m.put("method", method);
    }
    return m;
  }

  private void send(JsonNode message) {
    try {
      out.write(framing.encode(LifecycleJson.MAPPER.writeValueAsBytes(message)));
      out.flush();
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("a JSON tree is always writable", e);
    } catch (IOException e) {
      throw new UncheckedIOException("stdout closed", e);
    }
  }
}
