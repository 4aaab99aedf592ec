package dev.tether.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tether.process.ProcessEndpoint;
import dev.tether.process.ProcessTransport;
import dev.tether.rpc.RpcConnection;
import java.io.BufferedOutputStream;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * Stdio round trips vs a plain loop (not the B7): JSON-RPC round trips over a child
 * process's stdio (newline-delimited JSON) to {@link StdioEchoChild}: Tether's {@link
 * RpcConnection} over a {@link ProcessTransport} vs a plain {@link ProcessBuilder} loop that writes
 * the same request lines to the child's stdin and reads the answer lines from its stdout on the
 * calling thread. Each side has a child of its own, started the same way; both run in the same JMH
 * run.
 *
 * <p>64 in flight: one invocation writes 64 requests and waits for all 64 answers (a batch, as in
 * B2).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class StdioBenchmark {
  static final int IN_FLIGHT = 64;
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final long WAIT_SECONDS = 30;

  private ProcessTransport transport;
  private RpcConnection tether;
  private PlainStdioLoop plain;
  private JsonNode echoParams;

  /** Starts both children and connects Tether to its own. */
  @Setup
  public void setUp() {
    echoParams = JSON.createObjectNode().put("isolateId", "isolates/1").put("seq", 42);
    transport = ProcessTransport.create(ProcessEndpoint.of(StdioEchoChild.command()));
    tether = RpcConnection.builder().transport(transport).endpoint(transport.uri()).build();
    CompletableFuture<Void> up = Rigs.connected(tether);
    tether.start();
    Rigs.await(up);
    plain = PlainStdioLoop.start();
  }

  /** Closes both; each child exits at the end of its stdin. */
  @TearDown
  public void tearDown() {
    tether.close();
    Rigs.await(tether.terminated()); // the child is gone by then (P5)
    transport.close();
    plain.close();
  }

  /** Stdio, Tether, one request in flight. */
  @Benchmark
  public JsonNode tetherRoundTrip1() throws Exception {
    return tether
        .request("echo", echoParams)
        .toCompletableFuture()
        .get(WAIT_SECONDS, TimeUnit.SECONDS);
  }

  /** Stdio, plain loop, one request in flight. */
  @Benchmark
  public JsonNode plainRoundTrip1() throws IOException {
    plain.write(echoParams);
    plain.out.flush();
    return plain.read();
  }

  /** Stdio, Tether, 64 requests in flight. */
  @Benchmark
  @OperationsPerInvocation(IN_FLIGHT)
  public Object tetherRoundTrip64() throws Exception {
    return Rigs.batch(tether, "echo", echoParams, IN_FLIGHT, WAIT_SECONDS);
  }

  /** Stdio, plain loop, 64 requests in flight. */
  @Benchmark
  @OperationsPerInvocation(IN_FLIGHT)
  public JsonNode plainRoundTrip64() throws IOException {
    for (int i = 0; i < IN_FLIGHT; i++) {
      plain.write(echoParams);
    }
    plain.out.flush();
    JsonNode last = null;
    for (int i = 0; i < IN_FLIGHT; i++) {
      last = plain.read();
    }
    return last;
  }

  /**
   * What one writes without Tether: the child from {@link ProcessBuilder}, request lines written to
   * its stdin, answer lines read from its stdout on the caller's thread and matched by id. No
   * reconnect, no timeout, no flow control. Confined to the benchmark thread.
   */
  static final class PlainStdioLoop implements AutoCloseable {
    private final Process process;
    final OutputStream out;
    private final BufferedReader in;
    private long nextId;
    private long expectedId;

    private PlainStdioLoop(Process process) {
      this.process = process;
      this.out = new BufferedOutputStream(process.getOutputStream(), 1 << 16);
      this.in =
          new BufferedReader(
              new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8), 1 << 16);
    }

    static PlainStdioLoop start() {
      try {
        return new PlainStdioLoop(
            new ProcessBuilder(StdioEchoChild.command())
                .redirectError(ProcessBuilder.Redirect.DISCARD)
                .start());
      } catch (IOException e) {
        throw new UncheckedIOException("cannot start the echo child", e);
      }
    }

    /** Writes one request line (not flushed). */
    void write(JsonNode params) throws IOException {
      ObjectNode req = JSON.createObjectNode().put("jsonrpc", "2.0").put("id", ++nextId);
      req.put("method", "echo").set("params", params);
      out.write(JSON.writeValueAsBytes(req));
      out.write('\n');
    }

    /** Reads the next answer line; answers come in request order. */
    JsonNode read() throws IOException {
      String line = in.readLine();
      if (line == null) {
        throw new IOException("the echo child closed its stdout");
      }
      JsonNode answer = JSON.readTree(line);
      if (answer.path("id").asLong() != ++expectedId) {
        throw new IOException("answer out of order: " + line);
      }
      return answer.get("result");
    }

    /** Closes stdin (the child exits), waits for the child, and kills it if it hangs. */
    @Override
    public void close() {
      Rigs.stopChild(process, out, WAIT_SECONDS);
    }
  }
}
