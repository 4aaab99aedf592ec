package dev.tether.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Path;
import java.util.List;

/**
 * The child of the stdio round trips (StdioBenchmark): a JSON-RPC echo server on stdio, one JSON
 * object per line. Each request is answered with its own id and its params as the result;
 * notifications and blank lines are ignored. Output is flushed whenever no further input is already
 * waiting, so a batch of requests gets its answers in few writes and a lone request at once. Ends
 * at the end of its stdin.
 *
 * <p>Both sides talk to this same program, started the same way ({@link #command()}).
 */
public final class StdioEchoChild {
  private static final ObjectMapper JSON = new ObjectMapper();

  private StdioEchoChild() {}

  /** {@code java -cp <this JVM's class path> StdioEchoChild}, with a small heap and serial GC. */
  static List<String> command() {
    return List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-XX:+UseSerialGC",
        "-Xmx64m",
        "-cp",
        System.getProperty("java.class.path"),
        StdioEchoChild.class.getName());
  }

  /** Entry point. */
  public static void main(String[] args) throws IOException {
    InputStream in = new BufferedInputStream(System.in, 1 << 16);
    OutputStream out = new BufferedOutputStream(System.out, 1 << 16);
    ByteArrayOutputStream line = new ByteArrayOutputStream(256);
    for (int b; (b = in.read()) >= 0; ) {
      if (b != '\n') {
        line.write(b);
        continue;
      }
      answer(line.toByteArray(), out);
      line.reset();
      if (in.available() == 0) {
        out.flush();
      }
    }
    out.flush();
  }

  private static void answer(byte[] request, OutputStream out) throws IOException {
    if (request.length == 0) {
      return;
    }
    JsonNode req = JSON.readTree(request);
    JsonNode id = req.get("id");
    if (id == null || id.isNull()) {
      return;
    }
    ObjectNode response = JSON.createObjectNode().put("jsonrpc", "2.0");
    response.set("id", id);
    response.set("result", req.path("params"));
    out.write(JSON.writeValueAsBytes(response));
    out.write('\n');
  }
}
