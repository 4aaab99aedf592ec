package dev.tether.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tether.machine.BackoffPolicy;
import dev.tether.machine.LifecycleEvent;
import dev.tether.rpc.RpcConnection;
import dev.tether.rpc.RpcException;
import dev.tether.rpc.StreamHandler;
import dev.tether.vertx.VertxTransportOptions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code tether watch}: connects with the JSON-RPC layer over real sockets or to a child process
 * ({@code --exec}), subscribes the given streams and prints lifecycle events, stream events and
 * warnings until interrupted (exit 0) or permanently disconnected (exit 3).
 *
 * <p>Ctrl-C (SIGINT, or SIGTERM) closes the connection, waits (bounded) for the cleanup and ends
 * the JVM with the command's status ({@link CtrlC}): 0 unless the connection had already ended for
 * good. Interrupting the command's thread does the same in process.
 */
@Command(
    name = "watch",
    mixinStandardHelpOptions = true,
    customSynopsis = {
      "tether watch ENDPOINT [MORE_ENDPOINTS...] [OPTIONS]",
      "       tether watch --endpoint-file PATH [OPTIONS]",
      "       tether watch --exec COMMAND [OPTIONS]"
    },
    description =
        "Connects to ENDPOINT, or starts COMMAND and restarts it whenever it exits, subscribes the"
            + " streams and prints lifecycle and stream events until Ctrl-C (exit 0) or"
            + " PermanentlyDisconnected (exit 3). Usage errors exit 2. With several endpoints each"
            + " attempt takes the next one (failover; --max-attempts counts attempts across the"
            + " list, not rounds); with --endpoint-file the endpoint is read before every attempt.")
final class WatchCommand implements Callable<Integer> {
  /** Exit status after {@code PermanentlyDisconnected}. */
  static final int EXIT_PERMANENTLY_DISCONNECTED = 3;

  @Spec CommandSpec spec;

  @Mixin SocketOptions socket;

  @Parameters(
      index = "1..*",
      paramLabel = "MORE_ENDPOINTS",
      description = "Endpoints to fail over to after ENDPOINT, tried in order, round after round.")
  List<String> moreEndpoints = new ArrayList<>();

  @Option(
      names = "--stream",
      paramLabel = "NAME",
      description = "A stream to subscribe and print; repeat for more.")
  List<String> streams = new ArrayList<>();

  @Option(
      names = "--max-attempts",
      defaultValue = "10",
      paramLabel = "N",
      description = "Attempts per outage before giving up; 0 retries forever (default: 10).")
  int maxAttempts;

  @Option(
      names = "--initial-delay",
      defaultValue = "100ms",
      paramLabel = "D",
      converter = Durations.Converter.class,
      description = "First retry delay, doubling up to --max-delay (default: 100ms).")
  Duration initialDelay;

  @Option(
      names = "--max-delay",
      defaultValue = "30s",
      paramLabel = "D",
      converter = Durations.Converter.class,
      description = "Longest retry delay (default: 30s).")
  Duration maxDelay;

  @Option(names = "--json", description = "Print one JSON object per line.")
  boolean json;

  @Override
  public Integer call() {
    socket.failoverArgs = List.copyOf(moreEndpoints);
    socket.validate();
    BackoffPolicy policy = policy();
    Set<String> names = streamNames();
    EventPrinter printer = new EventPrinter(spec.commandLine().getOut(), json);
    CompletableFuture<LifecycleEvent> terminal = new CompletableFuture<>();
    SocketRpc connection =
        socket.open(VertxTransportOptions.DEFAULT_CONNECT_TIMEOUT, b -> b.policy(policy));
    RpcConnection rpc = connection.rpc();
    rpc.subscribe(
        e -> {
          printer.lifecycle(e);
          if (e.isTerminal()) {
            terminal.complete(e);
          }
        });
    for (String stream : names) {
      rpc.listen(stream, new Printing(stream, printer));
    }
    printer.text(
        "Watching "
            + socket.target()
            + " ("
            + socket.dialect.name()
            + (names.isEmpty() ? "" : "; streams " + String.join(", ", names))
            + "); Ctrl-C to stop.");
    return run(connection, terminal);
  }

  /** The streams, each once, in the order given. */
  private Set<String> streamNames() {
    Set<String> names = new LinkedHashSet<>();
    for (String stream : streams) {
      if (stream.isBlank()) {
        throw socket.usage("--stream needs a name, was '" + stream + "'");
      }
      names.add(stream);
    }
    return names;
  }

  /** Runs until the terminal event or an interrupt, then cleans up; returns the exit status. */
  private int run(SocketRpc connection, CompletableFuture<LifecycleEvent> terminal) {
    boolean interrupted = false;
    try (CtrlC ctrlC = CtrlC.install(spec, () -> connection.rpc().close("interrupted"))) {
      connection.rpc().start();
      LifecycleEvent last = awaitTerminal(terminal);
      interrupted = last == null;
      connection.close("interrupted");
      int code = 0;
      if (last instanceof LifecycleEvent.PermanentlyDisconnected p) {
        spec.commandLine()
            .getErr()
            .println(
                "tether watch: permanently disconnected from "
                    + socket.target()
                    + " "
                    + LifecycleJson.why(p)
                    + socket.hint(p.cause().message()));
        code = EXIT_PERMANENTLY_DISCONNECTED;
      }
      spec.commandLine().getOut().flush();
      ctrlC.finished(code);
      return code;
    } finally {
      if (interrupted) {
        Thread.currentThread().interrupt(); // restored after the bounded cleanup waits
      }
    }
  }

  /**
   * The terminal event, or null if this thread was interrupted first (the caller restores the
   * interrupt flag after its cleanup, which waits).
   */
  private static LifecycleEvent awaitTerminal(CompletableFuture<LifecycleEvent> terminal) {
    try {
      return terminal.get(); // unbounded on purpose: watching lasts until Ctrl-C or the end
    } catch (InterruptedException e) {
      return null;
    } catch (ExecutionException e) {
      throw new IllegalStateException("terminal future cannot fail", e);
    }
  }

  private BackoffPolicy policy() {
    if (maxAttempts < 0) {
      throw socket.usage("--max-attempts must be >= 1, or 0 to retry forever; was " + maxAttempts);
    }
    if (maxDelay.compareTo(initialDelay) < 0) {
      throw socket.usage(
          "--max-delay ("
              + maxDelay.toMillis()
              + " ms) must not be below --initial-delay ("
              + initialDelay.toMillis()
              + " ms)");
    }
    try {
      BackoffPolicy.Builder b = BackoffPolicy.builder().exponential(initialDelay, 2.0, maxDelay);
      return (maxAttempts == 0 ? b.unlimitedAttempts() : b.maxAttempts(maxAttempts)).build();
    } catch (IllegalArgumentException e) {
      throw socket.usage(
          e.getMessage()); // such as a delay above BackoffPolicy.MAX_CONFIGURABLE_DELAY
    }
  }

  /** Prints a stream's events, and its refused subscriptions as warnings. */
  private record Printing(String stream, EventPrinter printer) implements StreamHandler {
    @Override
    public void onEvent(JsonNode event) {
      printer.event(stream, event);
    }

    @Override
    public void onSubscriptionFailed(RpcException failure) {
      printer.warning(
          stream,
          "could not subscribe: "
              + failure.getMessage()
              + " (no events from it until a later reconnect subscribes it)");
    }
  }
}
