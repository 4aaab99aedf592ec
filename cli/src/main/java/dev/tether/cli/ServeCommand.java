package dev.tether.cli;

import dev.tether.vertx.testserver.VmServiceServer;
import io.vertx.core.Vertx;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code tether serve}: runs the test and demo server ({@link VmServiceServer}, {@code vm-service}
 * dialect) on 127.0.0.1 until Ctrl-C, so that {@code watch} and {@code call} have something to talk
 * to. Not a production server.
 */
@Command(
    name = "serve",
    mixinStandardHelpOptions = true,
    description =
        "Runs a small vm-service JSON-RPC test server on 127.0.0.1 (getVersion, echo,"
            + " streamListen/streamCancel, a streamNotify event per subscribed stream every"
            + " --event-interval) until Ctrl-C. For trying watch and call; not for production.")
final class ServeCommand implements Callable<Integer> {
  /** Bound on starting the listener (a local bind: milliseconds). */
  static final Duration START_WAIT = Duration.ofSeconds(10);

  @Spec CommandSpec spec;

  @Option(
      names = "--port",
      defaultValue = "8181",
      paramLabel = "N",
      description = "Port for ws:// and tcp:// (0: a free one; default: ${DEFAULT-VALUE}).")
  int port;

  @ArgGroup(exclusive = true)
  Kind kind = new Kind();

  /** WebSocket by default; newline-delimited JSON over TCP or a Unix socket instead. */
  static final class Kind {
    @Option(names = "--tcp", description = "Serve newline-delimited JSON on tcp://127.0.0.1:PORT.")
    boolean tcp;

    @Option(
        names = "--unix",
        paramLabel = "PATH",
        description = "Serve newline-delimited JSON on the Unix socket PATH.")
    Path unix;
  }

  @Option(
      names = "--event-interval",
      defaultValue = "500ms",
      paramLabel = "D",
      converter = Durations.Converter.class,
      description = "Time between events on each subscribed stream (default: ${DEFAULT-VALUE}).")
  Duration eventInterval;

  @Option(names = "--json", description = "Print one JSON object per line.")
  boolean json;

  @Override
  public Integer call() {
    if (port < 0 || port > 65_535) {
      throw new ParameterException(spec.commandLine(), "--port must be 0..65535, was " + port);
    }
    EventPrinter printer = new EventPrinter(spec.commandLine().getOut(), json);
    Vertx vertx = Vertx.vertx();
    CountDownLatch stop = new CountDownLatch(1);
    try (CtrlC ctrlC = CtrlC.install(spec, stop::countDown)) {
      VmServiceServer server = null;
      boolean interrupted = false;
      try {
        server = build(vertx);
        URI endpoint = start(server);
        printer.report(
            "Serving vm-service JSON-RPC at " + endpoint + " (Ctrl-C to stop)",
            JsonLines.line("listening").put("endpoint", endpoint.toString()));
        printer.flush();
        stop.await(); // unbounded on purpose: serving lasts until Ctrl-C
      } catch (InterruptedException e) {
        interrupted = true; // in process: interrupting the thread stops serving
      } finally {
        if (server != null) {
          server.close();
          printer.report("stopped", JsonLines.line("stopped"));
          printer.flush();
        }
        SocketRpc.await(vertx.close().toCompletionStage(), "Vert.x to close");
        ctrlC.finished(0);
        if (interrupted) {
          Thread.currentThread().interrupt(); // restored after the bounded waits above
        }
      }
      return 0;
    }
  }

  private VmServiceServer build(Vertx vertx) {
    VmServiceServer.Builder b = VmServiceServer.builder(vertx).eventInterval(eventInterval);
    if (kind.unix != null) {
      b.unix(kind.unix);
    } else {
      b.port(port);
      if (kind.tcp) {
        b.tcp();
      }
    }
    return b.build();
  }

  private URI start(VmServiceServer server) throws InterruptedException {
    try {
      return server.start().toCompletableFuture().get(START_WAIT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (ExecutionException | TimeoutException e) {
      Throwable why = e.getCause() == null ? e : e.getCause();
      String where = kind.unix != null ? kind.unix.toString() : "127.0.0.1:" + port;
      throw new ParameterException(
          spec.commandLine(), "cannot listen on " + where + ": " + why.getMessage(), e);
    }
  }
}
