package dev.tether.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tether.cli.SocketDemo.StuckException;
import dev.tether.machine.BackoffPolicy;
import dev.tether.machine.LifecycleEvent;
import dev.tether.process.ProcessEndpoint;
import dev.tether.process.ProcessTransportOptions;
import dev.tether.rpc.Dialect;
import dev.tether.rpc.RpcConnection;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;

/**
 * {@code tether demo --process}: a child JVM running {@link StdioEchoServer} (this command line's
 * own class path; nothing but Java needed), which answers nothing before {@code initialize}. The
 * connection's handshake is {@code initialize} then {@code initialized} ({@link HandshakeScript},
 * as {@code --handshake} sends it). The demo kills the child (SIGKILL), and the connection restarts
 * it like a lost socket: Reconnecting, a new process, the handshake replayed, Reconnected. Then it
 * closes and checks that no child is left. Every wait is for a real condition and bounded.
 */
final class ProcessDemo {
  /** The handshake, one JSON-RPC message per line as {@code --handshake FILE} has them. */
  static final List<String> HANDSHAKE =
      List.of(
          "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\","
              + "\"params\":{\"clientInfo\":{\"name\":\"tether demo\"}}}",
          "{\"jsonrpc\":\"2.0\",\"method\":\"initialized\"}");

  /** Fast retries: a restart is one attempt (a JVM starts in well under a second). */
  static final BackoffPolicy POLICY =
      BackoffPolicy.builder()
          .exponential(Duration.ofMillis(100), 2.0, Duration.ofSeconds(1))
          .maxAttempts(5)
          .build();

  /**
   * Bound on each wait of the script: a child JVM starts in about half a second; the rest is slack
   * for a loaded machine.
   */
  static final Duration STEP_TIMEOUT = Duration.ofSeconds(20);

  /** Short graces: the child exits on stdin's end at once; nothing should need more. */
  static final ProcessTransportOptions OPTIONS =
      ProcessTransportOptions.builder()
          .closeGrace(Duration.ofSeconds(1))
          .terminateGrace(Duration.ofSeconds(1))
          .build();

  private final EventPrinter printer;
  private final PrintWriter err;
  private final List<Long> handshakes = new ArrayList<>(); // the pid that answered each initialize
  private final List<Long> ready = new ArrayList<>(); // the pid that got each initialized
  private int reconnects;
  private boolean terminated;

  ProcessDemo(EventPrinter printer, PrintWriter err) {
    this.printer = printer;
    this.err = err;
  }

  int run() {
    ProcessEndpoint child = ProcessEndpoint.of(ChildJvm.command(StdioEchoServer.class));
    HandshakeScript handshake = HandshakeScript.parse(HANDSHAKE, "the demo's handshake");
    printer.text("Tether demo: a child process speaking JSON-RPC on stdio (newline-delimited):");
    printer.text(
        "  " + child.command().stream().map(ShellWords::quote).collect(Collectors.joining(" ")));
    printer.text("It answers nothing before initialize; the handshake on every start:");
    HANDSHAKE.forEach(line -> printer.text("  " + line));
    printer.text("policy: " + LifecycleJson.policy(POLICY));
    SocketRpc connection =
        SocketRpc.exec(
            child,
            OPTIONS,
            b ->
                b.dialect(Dialect.plain())
                    .policy(POLICY)
                    .name("demo")
                    .handshakeHook(handshake.hook(this::answered)));
    try {
      script(connection.rpc());
      connection.close("demo done");
      checkNoneLeft();
      printer.text("done in " + printer.elapsedMillis() + " ms");
      return 0;
    } catch (StuckException e) {
      printer.flush();
      err.println("tether demo: " + e.getMessage());
      return SocketDemo.EXIT_STUCK;
    } finally {
      connection.close("demo done");
      printer.flush();
    }
  }

  private void script(RpcConnection rpc) {
    rpc.subscribe(this::lifecycle);
    rpc.listen("ready", this::ready);
    rpc.start();
    await(() -> ready.size() == 1, "the child to be ready");
    echo(rpc, 1);
    long first = handshakePid(0);
    printer.note("kill -9 " + first + " (the child dies without a word)");
    ProcessHandle.of(first).ifPresent(ProcessHandle::destroyForcibly);
    await(() -> reconnects == 1 && ready.size() == 2, "Reconnected to a new, ready child");
    printer.note(
        "process "
            + handshakePid(1)
            + " replaced "
            + first
            + "; initialize and initialized were replayed before Reconnected");
    echo(rpc, 2);
  }

  private void echo(RpcConnection rpc, int run) {
    JsonNode params = LifecycleJson.MAPPER.createObjectNode().put("hello", "child #" + run);
    JsonNode result = SocketDemo.await(rpc.request("echo", params), "the echo");
    printer.note("echo " + params + " -> " + result);
  }

  private synchronized long handshakePid(int run) {
    return handshakes.get(run);
  }

  private synchronized void lifecycle(LifecycleEvent e) {
    printer.lifecycle(e);
    reconnects += e instanceof LifecycleEvent.Reconnected ? 1 : 0;
    terminated |= e.isTerminal();
    notifyAll();
  }

  private synchronized void answered(String method, JsonNode result) {
    long pid = result.path("pid").asLong();
    handshakes.add(pid);
    printer.note("handshake: " + method + " answered by process " + pid);
    notifyAll();
  }

  private synchronized void ready(JsonNode params) {
    long pid = params.path("pid").asLong();
    ready.add(pid);
    printer.note("process " + pid + " got initialized and is ready");
    notifyAll();
  }

  /** Asserts that none of the demo's children is alive any more (the close waited for them). */
  private synchronized void checkNoneLeft() {
    List<Long> alive =
        handshakes.stream()
            .filter(pid -> ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false))
            .toList();
    if (!alive.isEmpty()) {
      throw new StuckException("child processes still alive after close: " + alive);
    }
    printer.note("closed; processes " + handshakes + " are gone, no child is left");
  }

  /** Waits until {@code condition} holds, at most {@link #STEP_TIMEOUT}. */
  private synchronized void await(BooleanSupplier condition, String what) {
    SocketDemo.awaitOn(this, condition, () -> terminated, STEP_TIMEOUT, what);
  }
}
