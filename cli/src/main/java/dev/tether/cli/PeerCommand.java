package dev.tether.cli;

import static java.util.concurrent.TimeUnit.MILLISECONDS;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tether.peer.ConnectTraffic;
import dev.tether.peer.ConsentOptions;
import dev.tether.peer.ConsentOutcome;
import dev.tether.peer.FileMetadataStore;
import dev.tether.peer.PeerNames;
import dev.tether.peer.PeerRegistry;
import dev.tether.peer.ProbeResult;
import dev.tether.peer.SendOptions;
import dev.tether.peer.SendOutcome;
import dev.tether.vertx.VertxScheduler;
import dev.tether.vertx.VertxTransport;
import dev.tether.vertx.peer.ConsentHandler;
import dev.tether.vertx.peer.ConsentHandler.ConsentRequest;
import dev.tether.vertx.peer.Verdict;
import dev.tether.vertx.peer.VertxPeerClient;
import dev.tether.vertx.peer.VertxPeerServer;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code tether peer}: the peer registry on a {@link FileMetadataStore} ({@code add}, {@code
 * register}, {@code unregister}, {@code list}), and the peer endpoint protocol over real sockets
 * ({@code serve}, {@code send}, {@code probe}), and registration with the target's consent ({@code
 * register --consent}). Exit codes: 0 done (delivered, reachable, consented), 2 usage error or
 * rejected name, 4 registry failure or a message not delivered or a peer not reachable or a
 * registration refused or unreachable, 5 message or consent request written but not confirmed.
 */
@Command(
    name = "peer",
    mixinStandardHelpOptions = true,
    description = "Manages pods and their reciprocal peer relations in a store directory.",
    subcommands = {
      PeerCommand.Add.class,
      PeerCommand.Register.class,
      PeerCommand.Unregister.class,
      PeerCommand.ListPeers.class,
      PeerCommand.Serve.class,
      PeerCommand.Send.class,
      PeerCommand.Probe.class
    })
final class PeerCommand implements Callable<Integer> {
  private static final Logger LOG = LoggerFactory.getLogger(PeerCommand.class);

  /** Exit status for registry failures, undelivered messages and unreachable peers. */
  static final int EXIT_REGISTRY = 4;

  /** Exit status for a message written but never confirmed by the peer. */
  static final int EXIT_UNCONFIRMED = 5;

  /** How long closing Vert.x may take before the command gives up waiting. */
  static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(10);

  /** Slack on top of a send's or probe's own limits before the command stops waiting for it. */
  static final Duration RESULT_SLACK = Duration.ofSeconds(5);

  @Spec CommandSpec spec;

  @Override
  public Integer call() {
    spec.commandLine().usage(spec.commandLine().getErr());
    return TetherCli.EXIT_USAGE;
  }

  /**
   * Fails with a usage error unless {@code store} is an existing directory: a command that only
   * reads a store must not create an empty one where a typo pointed.
   */
  static void requireExistingStore(Path store) {
    if (!java.nio.file.Files.isDirectory(store)) {
      throw new IllegalArgumentException("--store " + store + ": no such directory");
    }
  }

  /** Options and error handling shared by the subcommands. */
  abstract static class StoreCommand implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Option(
        names = "--store",
        required = true,
        paramLabel = "DIR",
        description =
            "The store's data directory (add, register and unregister create it if missing;"
                + " list reads an existing one).")
    Path store;

    /** Runs the command; returns its exit status. */
    abstract int run(PeerRegistry registry) throws IOException;

    /** Whether the command changes the store, and may therefore create it. */
    boolean writes() {
      return true;
    }

    @Override
    public final Integer call() {
      try {
        if (!writes()) {
          requireExistingStore(store);
        }
        return run(PeerRegistry.open(FileMetadataStore.open(store)));
      } catch (IllegalArgumentException e) {
        return UsageErrors.report(spec.commandLine(), e.getMessage());
      } catch (IOException e) {
        spec.commandLine().getErr().println("tether peer: " + e.getMessage());
        return EXIT_REGISTRY;
      }
    }
  }

  @Command(
      name = "add",
      mixinStandardHelpOptions = true,
      description = "Creates a pod's record with no peers; does nothing if it exists.")
  static final class Add extends StoreCommand {
    @Parameters(paramLabel = "NAME", description = "The pod (" + PeerNames.RULE + ").")
    String name;

    @Option(
        names = "--endpoint",
        paramLabel = "ENDPOINT",
        description =
            "Where the pod's live process serves the peer protocol (unix:///path or"
                + " tcp://HOST:PORT), recorded for `register --consent`.")
    String endpoint;

    @Override
    int run(PeerRegistry registry) throws IOException {
      URI where = endpoint == null ? null : endpoint(endpoint); // checked before any write
      registry.add(name);
      if (where != null) {
        registry.setEndpoint(name, where);
      }
      return 0;
    }
  }

  /** A change of the relation between two pods. */
  abstract static class PairCommand extends StoreCommand {
    @Parameters(index = "0", paramLabel = "SOURCE")
    String source;

    @Parameters(index = "1", paramLabel = "TARGET")
    String target;
  }

  @Command(
      name = "register",
      mixinStandardHelpOptions = true,
      description = {
        "Makes SOURCE and TARGET peers of each other (both sides, or neither). Without --consent"
            + " only the metadata is written; with it, TARGET's live process is asked first"
            + " (peer.register) and only its ack commits.",
        "Exit status with --consent: 0 consented, 4 refused or unreachable, 5 written but not"
            + " confirmed (nothing changed), 2 usage error."
      })
  static final class Register extends PairCommand {
    @Option(
        names = "--consent",
        description = "Ask TARGET's live process first; register only if it acknowledges.")
    boolean consent;

    @Option(
        names = "--endpoint",
        paramLabel = "ENDPOINT",
        description = "Where to ask TARGET (default: the endpoint in its record).")
    String endpoint;

    @Option(
        names = "--metadata-only-if-unreachable",
        description =
            "With --consent: if TARGET cannot be reached at all, register without its consent"
                + " (and say so) instead of changing nothing.")
    boolean metadataOnlyIfUnreachable;

    @Option(
        names = "--confirm-timeout",
        paramLabel = "D",
        defaultValue = "5s",
        converter = Durations.Converter.class,
        description = "With --consent: how long to wait for TARGET's answer (default 5s).")
    Duration confirmTimeout;

    @Override
    int run(PeerRegistry registry) throws IOException {
      if (!consent) {
        if (endpoint != null || metadataOnlyIfUnreachable) {
          throw new IllegalArgumentException(
              "--endpoint and --metadata-only-if-unreachable need --consent");
        }
        registry.register(source, target);
        return 0;
      }
      URI where = endpoint == null ? null : endpoint(endpoint);
      ConsentOptions options =
          ConsentOptions.defaults()
              .withSend(SendOptions.defaults().withConfirmTimeout(confirmTimeout))
              .withMetadataOnlyIfUnreachable(metadataOnlyIfUnreachable);
      Vertx vertx = Vertx.vertx();
      VertxTransport transport = VertxTransport.create(vertx);
      try {
        PeerRegistry consenting =
            PeerRegistry.open(
                FileMetadataStore.open(store), transport, VertxScheduler.create(vertx), options);
        ConsentOutcome outcome =
            where == null
                ? consenting.registerWithConsent(source, target)
                : consenting.registerWithConsent(source, target, where);
        return report(outcome);
      } finally {
        transport.close();
        closeVertx(vertx);
      }
    }

    private int report(ConsentOutcome outcome) {
      String pair = source + " <-> " + target;
      PrintWriter err = spec.commandLine().getErr();
      if (outcome instanceof ConsentOutcome.Consented) {
        spec.commandLine().getOut().println("registered " + pair + ": " + target + " consented");
        return 0;
      }
      if (outcome instanceof ConsentOutcome.MetadataOnly) {
        err.println("tether peer register: " + pair + " " + outcome.describe());
        return 0;
      }
      err.println("tether peer register: not registered " + pair + ": " + outcome.describe());
      return outcome instanceof ConsentOutcome.Unconfirmed ? EXIT_UNCONFIRMED : EXIT_REGISTRY;
    }
  }

  @Command(
      name = "unregister",
      mixinStandardHelpOptions = true,
      description = "Removes SOURCE and TARGET from each other's peers (both sides, or neither).")
  static final class Unregister extends PairCommand {
    @Override
    int run(PeerRegistry registry) throws IOException {
      registry.unregister(source, target);
      return 0;
    }
  }

  @Command(
      name = "list",
      mixinStandardHelpOptions = true,
      description = "Prints the peers of NAME, one per line, sorted.")
  static final class ListPeers extends StoreCommand {
    @Override
    boolean writes() {
      return false;
    }

    @Parameters(paramLabel = "NAME")
    String name;

    @Option(names = "--json", description = "Print NAME and its peers as one JSON object.")
    boolean json;

    @Override
    int run(PeerRegistry registry) throws IOException {
      List<String> peers = registry.peers(name);
      if (json) {
        ObjectNode line = JsonLines.line("peers").put("name", name);
        ArrayNode array = line.putArray("peers");
        peers.forEach(array::add);
        spec.commandLine().getOut().println(line);
        return 0;
      }
      for (String peer : peers) {
        spec.commandLine().getOut().println(peer);
      }
      return 0;
    }
  }

  // ---------------------------------------------------------------- the protocol over sockets

  /**
   * Parses the endpoint argument.
   *
   * @throws IllegalArgumentException unless it is {@code unix:///path} or {@code tcp://host:port}
   */
  static URI endpoint(String text) {
    URI uri;
    try {
      uri = new URI(text);
    } catch (URISyntaxException e) {
      throw new IllegalArgumentException("invalid endpoint \"" + text + "\": " + e.getMessage(), e);
    }
    String scheme = uri.getScheme();
    boolean unix = "unix".equals(scheme) && uri.getPath() != null && !uri.getPath().isEmpty();
    boolean tcp = "tcp".equals(scheme) && uri.getHost() != null && uri.getPort() > 0;
    if (!unix && !tcp) {
      throw new IllegalArgumentException(
          "invalid endpoint \"" + text + "\": use unix:///path/to.sock or tcp://127.0.0.1:PORT");
    }
    return uri;
  }

  /**
   * Runs {@code call} on a fresh Vert.x and transport, waits up to {@code limit} for its result,
   * then closes both.
   */
  static <T> T withTransport(Function<VertxTransport, CompletionStage<T>> call, Duration limit)
      throws InterruptedException, TimeoutException {
    Vertx vertx = Vertx.vertx();
    VertxTransport transport = VertxTransport.create(vertx);
    try {
      return call.apply(transport).toCompletableFuture().get(limit.toMillis(), MILLISECONDS);
    } catch (ExecutionException e) {
      // PeerClient's stages complete with an outcome, never exceptionally: this is a bug.
      throw new IllegalStateException("peer call failed unexpectedly", e.getCause());
    } finally {
      transport.close();
      closeVertx(vertx);
    }
  }

  /** Closes {@code vertx}, waiting at most {@link #CLOSE_TIMEOUT}. */
  static void closeVertx(Vertx vertx) {
    try {
      vertx
          .close()
          .toCompletionStage()
          .toCompletableFuture()
          .get(CLOSE_TIMEOUT.toMillis(), MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (ExecutionException | TimeoutException e) {
      LOG.warn("closing Vert.x failed", e);
    }
  }

  /** Keeps a printed snapshot to one readable line; a snapshot can be MiBs. */
  static String abbreviate(String text) {
    final int max = 200;
    return text.length() <= max ? text : text.substring(0, max) + "… (" + text.length() + " chars)";
  }

  @Command(
      name = "serve",
      mixinStandardHelpOptions = true,
      description =
          "Serves the peer endpoint protocol as pod NAME until interrupted (Ctrl-C): every client"
              + " gets the pod's snapshot (name, status, peers from --store), and every message is"
              + " printed and acknowledged.")
  static final class Serve implements Callable<Integer> {
    /** How long listening may take. */
    static final Duration START_TIMEOUT = Duration.ofSeconds(10);

    /** The status this command's pod reports in its snapshot. */
    static final String STATUS = "ready";

    @Spec CommandSpec spec;

    @Option(
        names = "--name",
        required = true,
        paramLabel = "NAME",
        description = "The pod's name (" + PeerNames.RULE + ").")
    String name;

    @ArgGroup(exclusive = true, multiplicity = "1")
    Address address;

    /** Where to listen: exactly one of the two. */
    static final class Address {
      @Option(names = "--unix", paramLabel = "PATH", description = "Listen on this Unix socket.")
      Path socket;

      @Option(
          names = "--port",
          paramLabel = "N",
          description = "Listen on this TCP port of 127.0.0.1 (0: any free port).")
      Integer port;
    }

    @Option(
        names = "--store",
        paramLabel = "DIR",
        description = "Read the pod's peers for the snapshot from this store directory.")
    Path store;

    @Option(
        names = "--accept",
        arity = "1..*",
        paramLabel = "NAME",
        description =
            "Consent to peer.register from these pods (default: refuse every registration).")
    List<String> accept = List.of();

    @Option(names = "--json", description = "Print one JSON object per line.")
    boolean json;

    private final CompletableFuture<Void> stopRequested = new CompletableFuture<>();

    @Override
    public Integer call() {
      PrintWriter err = spec.commandLine().getErr();
      Vertx vertx = null;
      boolean interrupted = false;
      int status = 0;
      // Ctrl-C or SIGTERM: stop serving, clean up, exit 0 like `tether serve`.
      try (CtrlC ctrlC = CtrlC.install(spec, () -> stopRequested.complete(null))) {
        try {
          PeerNames.requireValid(name); // before Vert.x starts
          accept.forEach(PeerNames::requireValid);
          if (store != null) {
            requireExistingStore(store);
          }
          PeerRegistry registry =
              store == null ? null : PeerRegistry.open(FileMetadataStore.open(store));
          vertx = Vertx.vertx();
          EventPrinter printer = new EventPrinter(spec.commandLine().getOut(), json);
          interrupted = serve(build(vertx, registry, printer), printer);
        } catch (IllegalArgumentException e) {
          status = UsageErrors.report(spec.commandLine(), e.getMessage());
        } catch (IOException e) {
          err.println("tether peer serve: " + e.getMessage());
          status = EXIT_REGISTRY;
        } finally {
          if (vertx != null) {
            closeVertx(vertx);
          }
          ctrlC.finished(status);
          if (interrupted) {
            Thread.currentThread().interrupt();
          }
        }
        return status;
      }
    }

    private VertxPeerServer build(Vertx vertx, PeerRegistry registry, EventPrinter printer) {
      VertxPeerServer.Builder builder =
          VertxPeerServer.builder(
                  vertx,
                  name,
                  m -> {
                    printer.report(
                        "received " + m.id() + ": " + m.message(),
                        JsonLines.line("message").put("id", m.id()).put("message", m.message()));
                    return Verdict.accept();
                  })
              .status(STATUS)
              .consent(consentHandler(printer));
      if (address.socket != null) {
        builder.unix(address.socket);
      } else {
        builder.tcp(address.port);
      }
      if (registry != null) {
        builder.registry(registry);
      }
      return builder.build();
    }

    /** Consents as {@code --accept} says and prints every consent request and its answer. */
    private ConsentHandler consentHandler(EventPrinter printer) {
      ConsentHandler decide = ConsentHandler.accepting(Set.copyOf(accept));
      return request -> {
        Verdict verdict = decide.onConsent(request);
        String answer = verdict instanceof Verdict.Reject r ? "refused (" + r.code() + ")" : "ack";
        ObjectNode line =
            JsonLines.line("consent")
                .put("request", request.kind().name())
                .put("source", request.source())
                .put("verdict", verdict instanceof Verdict.Reject ? "REFUSED" : "ACK");
        if (verdict instanceof Verdict.Reject r) {
          line.put("code", r.code());
        }
        printer.report(
            (request.kind() == ConsentRequest.Kind.REGISTER ? "peer.register" : "peer.unregister")
                + " from "
                + request.source()
                + ": "
                + answer,
            line);
        return verdict;
      };
    }

    /**
     * Listens until interrupted or stopped by Ctrl-C or SIGTERM, then stops the server.
     *
     * @return whether the thread was interrupted
     */
    private boolean serve(VertxPeerServer server, EventPrinter printer) throws IOException {
      URI where = start(server);
      printer.report(
          "listening on " + where + " as " + name + " (Ctrl-C to stop)",
          JsonLines.line("listening").put("endpoint", where.toString()).put("name", name));
      printer.flush();
      boolean interrupted = false;
      try {
        stopRequested.get();
      } catch (InterruptedException e) {
        interrupted = true;
      } catch (ExecutionException e) {
        throw new IllegalStateException("stopRequested never fails", e);
      }
      server.close();
      printer.report("stopped", JsonLines.line("stopped"));
      printer.flush();
      return interrupted;
    }

    /** Where {@code --unix} or {@code --port} asked to listen, for messages. */
    private String address() {
      return address.socket != null ? address.socket.toString() : "127.0.0.1:" + address.port;
    }

    private URI start(VertxPeerServer server) throws IOException {
      try {
        return server.start().toCompletableFuture().get(START_TIMEOUT.toMillis(), MILLISECONDS);
      } catch (ExecutionException e) {
        Throwable cause = e.getCause();
        throw new IOException("cannot listen on " + address() + ": " + cause.getMessage(), cause);
      } catch (TimeoutException e) {
        throw new IOException("not listening after " + START_TIMEOUT.toSeconds() + " s", e);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IOException("interrupted while starting", e);
      }
    }
  }

  /** A command that talks to one peer endpoint. */
  abstract static class EndpointCommand implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Parameters(paramLabel = "ENDPOINT", description = "unix:///path/to.sock or tcp://HOST:PORT")
    String endpoint;
  }

  @Command(
      name = "send",
      mixinStandardHelpOptions = true,
      description = {
        "Sends one message to a peer endpoint: reads its alerts and snapshot first, then writes the"
            + " notify and waits for the confirmation.",
        "Exit status: 0 delivered (acknowledged), 5 written but not confirmed, 4 not delivered"
            + " (the reason is printed), 2 usage error."
      })
  static final class Send extends EndpointCommand {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Option(names = "--message", required = true, paramLabel = "TEXT", description = "The text.")
    String message;

    @Option(names = "--json", description = "Print the outcome as one JSON object.")
    boolean json;

    @Option(
        names = "--confirm-timeout",
        defaultValue = "5s",
        paramLabel = "D",
        converter = Durations.Converter.class,
        description = "How long to wait for the confirmation (default: ${DEFAULT-VALUE}).")
    Duration confirmTimeout;

    @Override
    public Integer call() throws JsonProcessingException {
      URI uri;
      SendOptions options;
      try {
        uri = endpoint(endpoint);
        options = SendOptions.defaults().withConfirmTimeout(confirmTimeout);
      } catch (IllegalArgumentException e) {
        return UsageErrors.report(spec.commandLine(), e.getMessage());
      }
      Duration limit =
          options
              .connectTimeout()
              .plus(options.readTimeout())
              .plus(options.confirmTimeout())
              .plus(RESULT_SLACK);
      SendOutcome outcome;
      try {
        outcome =
            withTransport(t -> VertxPeerClient.connectAndSend(t, uri, message, options), limit);
      } catch (TimeoutException e) {
        return report(uri, null, "no outcome within " + limit.toMillis() + " ms");
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return report(uri, null, "interrupted");
      }
      return report(uri, outcome, null);
    }

    /** Prints the outcome ({@code outcome} null: {@code failure} says why there is none). */
    private int report(URI uri, SendOutcome outcome, String failure)
        throws JsonProcessingException {
      PrintWriter out = spec.commandLine().getOut();
      PrintWriter err = spec.commandLine().getErr();
      if (json) {
        out.println(JSON.writeValueAsString(toJson(uri, outcome, failure)));
      }
      if (outcome instanceof SendOutcome.Delivered d) {
        if (!json) {
          out.println("delivered to " + uri + summary(d.traffic()));
        }
        return 0;
      }
      if (outcome instanceof SendOutcome.WrittenUnconfirmed u) {
        if (!json) {
          err.println(
              "tether peer send: written to "
                  + uri
                  + " but not confirmed within "
                  + u.waited().toMillis()
                  + " ms; the peer may not have processed it");
        }
        return EXIT_UNCONFIRMED;
      }
      if (!json) {
        String reason = outcome == null ? failure : ((SendOutcome.Failed) outcome).reason();
        err.println("tether peer send: not delivered to " + uri + ": " + reason);
      }
      return EXIT_REGISTRY;
    }

    private static String summary(ConnectTraffic traffic) {
      int alerts = traffic.alerts().size() + traffic.droppedAlerts();
      return " (after "
          + alerts
          + (alerts == 1 ? " alert" : " alerts")
          + " and the snapshot "
          + abbreviate(traffic.snapshot())
          + ")";
    }

    private static ObjectNode toJson(URI uri, SendOutcome outcome, String failure)
        throws JsonProcessingException {
      ObjectNode node = JsonLines.line("send");
      if (outcome instanceof SendOutcome.Delivered d) {
        node.put("outcome", "DELIVERED").put("endpoint", uri.toString());
        traffic(node, d.traffic());
      } else if (outcome instanceof SendOutcome.WrittenUnconfirmed u) {
        node.put("outcome", "WRITTEN_UNCONFIRMED").put("endpoint", uri.toString());
        node.put("waitedMillis", u.waited().toMillis());
        traffic(node, u.traffic());
      } else {
        node.put("outcome", "FAILED").put("endpoint", uri.toString());
        node.set("error", failure(outcome, failure));
      }
      return node;
    }

    /**
     * The error object of a failed send: {@code kind} is the outcome's type ({@code REFUSED},
     * {@code TIMED_OUT}, {@code REJECTED}, …), or {@code NO_OUTCOME} if the command stopped waiting
     * for one.
     */
    private static ObjectNode failure(SendOutcome outcome, String failure) {
      if (outcome instanceof SendOutcome.Failed f) {
        ObjectNode error =
            JsonLines.error(JsonLines.upperSnake(f.getClass().getSimpleName()), f.reason());
        if (f instanceof SendOutcome.Rejected r) {
          error.put("code", r.code());
        }
        return error;
      }
      return JsonLines.error("NO_OUTCOME", failure);
    }

    private static void traffic(ObjectNode node, ConnectTraffic traffic)
        throws JsonProcessingException {
      ArrayNode alerts = node.putArray("alerts");
      for (String alert : traffic.alerts()) {
        alerts.add(JSON.readTree(alert));
      }
      node.put("droppedAlerts", traffic.droppedAlerts());
      node.set("snapshot", JSON.readTree(traffic.snapshot()));
    }
  }

  @Command(
      name = "probe",
      mixinStandardHelpOptions = true,
      description = {
        "Connects to a peer endpoint, reads its alerts and snapshot, and prints whether it is"
            + " reachable and its status. Writes nothing.",
        "Exit status: 0 reachable, 4 not reachable, 2 usage error."
      })
  static final class Probe extends EndpointCommand {
    @Option(
        names = "--timeout",
        defaultValue = "500ms",
        paramLabel = "D",
        converter = Durations.Converter.class,
        description = "Limit for the whole probe (default: ${DEFAULT-VALUE}).")
    Duration timeout;

    @Option(names = "--json", description = "Print the result as one JSON object.")
    boolean json;

    @Override
    public Integer call() {
      PrintWriter out = spec.commandLine().getOut();
      URI uri;
      try {
        uri = endpoint(endpoint);
      } catch (IllegalArgumentException e) {
        return UsageErrors.report(spec.commandLine(), e.getMessage());
      }
      ProbeResult result;
      try {
        result =
            withTransport(t -> VertxPeerClient.probe(t, uri, timeout), timeout.plus(RESULT_SLACK));
      } catch (TimeoutException e) {
        result = new ProbeResult(false, Optional.empty(), "no result in time");
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        result = new ProbeResult(false, Optional.empty(), "interrupted");
      }
      if (json) {
        out.println(toJson(uri, result));
      } else if (result.reachable()) {
        out.println(uri + " reachable, status " + result.status().orElse("(none)"));
      } else {
        out.println(uri + " not reachable: " + result.detail());
      }
      return result.reachable() ? 0 : EXIT_REGISTRY;
    }

    /** {@code {"type":"probe","endpoint":…,"reachable":…,"status":…|"error":{…}}}. */
    private static ObjectNode toJson(URI uri, ProbeResult result) {
      ObjectNode node = JsonLines.line("probe").put("endpoint", uri.toString());
      node.put("reachable", result.reachable());
      if (result.reachable()) {
        result.status().ifPresent(status -> node.put("status", status));
      } else {
        node.set("error", JsonLines.error("UNREACHABLE", result.detail()));
      }
      return node;
    }
  }
}
