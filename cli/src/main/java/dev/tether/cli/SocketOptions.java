package dev.tether.cli;

import dev.tether.process.ProcessEndpoint;
import dev.tether.process.ProcessTransportOptions;
import dev.tether.rpc.Dialect;
import dev.tether.rpc.Envelope;
import dev.tether.rpc.RpcConnectionBuilder;
import dev.tether.runtime.framing.Framing;
import dev.tether.runtime.spi.EndpointResolver;
import dev.tether.vertx.TlsOptions;
import dev.tether.vertx.VertxTransport;
import dev.tether.vertx.VertxTransportOptions;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.TypeConversionException;

/**
 * What the commands that talk JSON-RPC over real sockets or a child's stdio share: the ENDPOINT
 * (first positional parameter) or {@code --exec COMMAND} instead, the framing, the dialect, the
 * envelope, the TLS flags, and the handshake and answers ({@link ScriptOptions}).
 */
final class SocketOptions {
  @Spec(Spec.Target.MIXEE)
  CommandSpec command;

  /** The ENDPOINT as given; null with {@code --exec} (see {@link #validate}). */
  @Parameters(
      index = "0",
      arity = "0..1",
      paramLabel = "ENDPOINT",
      description =
          "ws://host:port/path, wss://…, tcp://host:port or unix:///path/to/socket; omitted with"
              + " --exec")
  String endpointArg;

  /** The checked endpoint, set by {@link #validate}; null with {@code --exec}. */
  URI endpoint;

  @Option(
      names = "--exec",
      paramLabel = "COMMAND",
      description =
          "Instead of ENDPOINT: start COMMAND as a child process and speak JSON-RPC on its"
              + " stdin/stdout; a crashed child is restarted like a lost connection. Split into"
              + " words as a shell would ('…', \"…\", \\), but no shell runs it: nothing is"
              + " expanded, and | & ; < > ( ) must be quoted.")
  String exec;

  @Option(
      names = "--endpoint-file",
      paramLabel = "PATH",
      description =
          "Instead of ENDPOINT: read the endpoint (one URI, such as ws://127.0.0.1:4711/ws) from"
              + " PATH before every attempt, for a server that writes where it listens to a file"
              + " when it starts. A missing, empty or invalid file fails the attempt"
              + " (RESOLVE_FAILED), which is retried.")
  Path endpointFile;

  /**
   * Endpoints to fail over to after ENDPOINT, each attempt taking the next (set by a command that
   * accepts several, before {@link #validate}); checked by {@link #validate}.
   */
  List<String> failoverArgs = List.of();

  /** ENDPOINT and the checked {@link #failoverArgs}, set by {@link #validate} if there are any. */
  List<URI> endpoints = List.of();

  /** The child's argument vector, set by {@link #validate}; null without {@code --exec}. */
  List<String> execArgv;

  @Option(
      names = "--framing",
      paramLabel = "FRAMING",
      description =
          "ndjson | content-length (the language server protocol's headers): how messages travel"
              + " on --exec's stdio or on tcp:// and unix:// sockets (default: ndjson). Not for"
              + " ws://, whose messages are WebSocket frames.")
  String framingName;

  @Mixin ScriptOptions script;

  /** The dialect names {@code --dialect} accepts. */
  static final String DIALECTS = "vm-service, rpc-websockets, plain or pubsub";

  @Option(
      names = "--dialect",
      defaultValue = "vm-service",
      converter = DialectConverter.class,
      paramLabel = "DIALECT",
      description =
          "vm-service | rpc-websockets | plain | pubsub (eth_subscribe: the server names each"
              + " subscription) (default: ${DEFAULT-VALUE}).")
  Dialect dialect;

  @Option(
      names = "--envelope",
      defaultValue = "jsonrpc2",
      converter = EnvelopeConverter.class,
      paramLabel = "ENVELOPE",
      description =
          "jsonrpc2 | bare: bare sends requests without the \"jsonrpc\" member, for servers that"
              + " refuse members they do not know (default: ${DEFAULT-VALUE}).")
  Envelope envelope;

  @Option(
      names = "--trust-cert",
      paramLabel = "FILE.pem",
      description = "For wss://: trust this PEM certificate (a self-signed server or private CA).")
  Path trustCert;

  @Option(
      names = "--insecure",
      description =
          "For wss://: accept ANY server certificate (no verification). Local experiments only;"
              + " logged as a warning.")
  boolean insecure;

  /**
   * Checks ENDPOINT against {@code --exec} (exactly one of them), splits the command, checks the
   * framing and reads the handshake file and answers, so that every usage error is reported before
   * anything starts.
   *
   * @throws ParameterException on any of these errors
   */
  void validate() {
    if (endpointFile != null) {
      if (endpointArg != null || exec != null) {
        throw usage("give either --endpoint-file PATH or an ENDPOINT or --exec COMMAND, not two");
      }
      validateScript();
      return;
    }
    if ((endpointArg == null) == (exec == null)) {
      throw usage(
          exec == null
              ? "give an ENDPOINT or --exec COMMAND"
              : "give either an ENDPOINT or --exec COMMAND, not both (ENDPOINT was '"
                  + endpointArg
                  + "')");
    }
    try {
      if (exec != null) {
        execArgv = ShellWords.split(exec);
      } else {
        endpoint = new EndpointConverter().convert(endpointArg);
      }
    } catch (IllegalArgumentException | TypeConversionException e) {
      throw usage((exec != null ? "--exec: " : "ENDPOINT: ") + e.getMessage());
    }
    if (!failoverArgs.isEmpty()) {
      if (exec != null) {
        throw usage("several endpoints are for sockets, not --exec");
      }
      List<URI> all = new ArrayList<>(List.of(endpoint));
      for (String more : failoverArgs) {
        try {
          all.add(new EndpointConverter().convert(more));
        } catch (TypeConversionException e) {
          throw usage("ENDPOINT '" + more + "': " + e.getMessage());
        }
      }
      endpoints = List.copyOf(all);
    }
    validateScript();
  }

  private void validateScript() {
    try {
      framing();
      script.validate();
    } catch (IllegalArgumentException e) {
      throw usage(e.getMessage());
    }
  }

  /** What the commands print for the endpoint, or the command in backquotes. */
  String target() {
    if (endpointFile != null) {
      return "the endpoint in " + endpointFile;
    }
    if (!endpoints.isEmpty()) {
      return endpoints.stream()
          .map(e -> EndpointResolver.redact(e).toString())
          .collect(Collectors.joining(", ", "[", "]"));
    }
    return exec != null ? "`" + exec + "`" : endpoint.toString();
  }

  /**
   * Opens the connection these flags ask for (call {@link #validate} first), not yet started: on a
   * socket with the Vert.x transport, or to a child with the process transport; with the dialect,
   * envelope, handshake and answers set, then {@code configure}.
   *
   * @param connectTimeout bound on opening a socket (a child starts at once)
   * @throws ParameterException if the certificate file is missing, or both TLS flags are set
   */
  SocketRpc open(Duration connectTimeout, Consumer<RpcConnectionBuilder> configure) {
    Consumer<RpcConnectionBuilder> all =
        b -> {
          script.apply(b);
          configure.accept(b.dialect(dialect).envelope(envelope));
        };
    if (exec != null) {
      ProcessTransportOptions options =
          ProcessTransportOptions.builder().framing(framing()).build();
      return SocketRpc.exec(ProcessEndpoint.of(execArgv), options, all);
    }
    EndpointResolver resolver =
        endpointFile != null
            ? EndpointResolver.fromFile(endpointFile)
            : endpoints.isEmpty()
                ? EndpointResolver.fixed(endpoint)
                : EndpointResolver.list(endpoints);
    return SocketRpc.open(resolver, transportOptions(connectTimeout), all);
  }

  /**
   * The framing {@code --framing} names (ndjson if none).
   *
   * @throws IllegalArgumentException for an unknown name, or any {@code --framing} with a WebSocket
   *     endpoint
   */
  private Framing framing() {
    if (framingName == null) {
      return Framing.ndjson();
    }
    if (endpoint != null && endpoint.getScheme().toLowerCase(Locale.ROOT).startsWith("ws")) {
      throw new IllegalArgumentException(
          "--framing is for --exec, tcp:// and unix://; "
              + endpoint.getScheme()
              + ":// messages are WebSocket frames");
    }
    return Framing.named(framingName);
  }

  /**
   * The transport options these flags ask for.
   *
   * @throws ParameterException if the certificate file is missing, or both TLS flags are set
   */
  VertxTransportOptions transportOptions(Duration connectTimeout) {
    if (trustCert != null && insecure) {
      throw usage("--trust-cert and --insecure exclude each other: give one");
    }
    if (trustCert != null && !java.nio.file.Files.isRegularFile(trustCert)) {
      throw usage("--trust-cert " + trustCert + ": no such file");
    }
    try {
      TlsOptions.Builder tls = TlsOptions.builder();
      if (trustCert != null) {
        tls.trustPemCertificate(trustCert);
      }
      if (insecure) {
        tls.insecureTrustAllCertificates(true);
      }
      return VertxTransportOptions.builder()
          .tls(tls.build())
          .socketFraming(framing())
          .connectTimeout(connectTimeout)
          .build();
    } catch (IllegalArgumentException e) {
      throw usage(e.getMessage());
    }
  }

  /**
   * What a command-line user can do about a failure whose text is {@code reason}: for a rejected
   * server certificate, the flags that trust it, or, when {@code --trust-cert} was given, that this
   * certificate is not the server's; otherwise nothing.
   */
  String hint(String reason) {
    if (!reason.contains("server certificate not accepted")) {
      return "";
    }
    return trustCert != null
        ? " [the certificate in " + trustCert + " does not verify this server or its host name]"
        : " [to trust this server: --trust-cert FILE.pem, or --insecure for local experiments]";
  }

  /** A usage error of the command (exit 2, message and usage on stderr). */
  ParameterException usage(String message) {
    return new ParameterException(command.commandLine(), message);
  }

  /** Parses {@code --dialect}. */
  static final class DialectConverter implements ITypeConverter<Dialect> {
    @Override
    public Dialect convert(String value) {
      return switch (value.toLowerCase(Locale.ROOT)) {
        case "vm-service" -> Dialect.vmService();
        case "rpc-websockets" -> Dialect.rpcWebsockets();
        case "plain" -> Dialect.plain();
        case "pubsub" -> Dialect.pubsub();
        default ->
            throw new TypeConversionException("unknown dialect '" + value + "'; use " + DIALECTS);
      };
    }
  }

  /** Parses {@code --envelope}. */
  static final class EnvelopeConverter implements ITypeConverter<Envelope> {
    @Override
    public Envelope convert(String value) {
      return switch (value.toLowerCase(Locale.ROOT)) {
        case "jsonrpc2" -> Envelope.JSONRPC2;
        case "bare" -> Envelope.BARE;
        default ->
            throw new TypeConversionException(
                "unknown envelope '" + value + "'; use jsonrpc2 or bare");
      };
    }
  }

  /**
   * Parses an endpoint and checks it the way the Vert.x transport will, so that a bad scheme or a
   * missing port is a usage error rather than a failed first attempt.
   */
  static final class EndpointConverter implements ITypeConverter<URI> {
    @Override
    public URI convert(String value) {
      try {
        return VertxTransport.checkEndpoint(new URI(value));
      } catch (URISyntaxException | IllegalArgumentException e) {
        throw new TypeConversionException(e.getMessage());
      }
    }
  }
}
