package dev.tether.cli;

import dev.tether.rpc.Dialect;
import dev.tether.rpc.Envelope;
import dev.tether.rpc.RpcConnectionBuilder;
import dev.tether.vertx.TlsOptions;
import dev.tether.vertx.VertxTransport;
import dev.tether.vertx.VertxTransportOptions;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.TypeConversionException;

/**
 * What the commands that talk JSON-RPC over real sockets share: the ENDPOINT (first positional
 * parameter), the dialect, the envelope and the TLS flags.
 */
final class SocketOptions {
  @Spec(Spec.Target.MIXEE)
  CommandSpec command;

  @Parameters(
      index = "0",
      paramLabel = "ENDPOINT",
      converter = EndpointConverter.class,
      description = "ws://host:port/path, wss://…, tcp://host:port or unix:///path/to/socket")
  URI endpoint;

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

  /** Sets the dialect and envelope these flags ask for on {@code b}; returns {@code b}. */
  RpcConnectionBuilder apply(RpcConnectionBuilder b) {
    return b.dialect(dialect).envelope(envelope);
  }

  /**
   * The transport options these flags ask for.
   *
   * @throws ParameterException if the certificate file is missing, or both TLS flags are set
   */
  VertxTransportOptions transportOptions(Duration connectTimeout) {
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
          .connectTimeout(connectTimeout)
          .build();
    } catch (IllegalArgumentException e) {
      throw usage(e.getMessage());
    }
  }

  /**
   * What a command-line user can do about a failure whose text is {@code reason}: for a rejected
   * server certificate, the flags that trust it; otherwise nothing.
   */
  static String hint(String reason) {
    return reason.contains("server certificate not accepted")
        ? " [to trust this server: --trust-cert FILE.pem, or --insecure for local experiments]"
        : "";
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
