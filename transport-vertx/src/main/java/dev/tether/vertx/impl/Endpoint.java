package dev.tether.vertx.impl;

import java.net.URI;
import java.util.Locale;
import java.util.Objects;

/**
 * A parsed, validated endpoint URI.
 *
 * @param kind which transport to use
 * @param host the host for ws/wss/tcp (IPv6 without brackets); empty for unix
 * @param port the port for ws/wss/tcp; -1 for unix
 * @param path the request path and query for ws/wss, the socket file for unix, empty for tcp
 * @param uri the original URI, for messages
 */
public record Endpoint(Kind kind, String host, int port, String path, URI uri) {

  /** The supported schemes. */
  public enum Kind {
    /** {@code ws://host[:port]/path}. */
    WS,
    /** {@code wss://host[:port]/path}. */
    WSS,
    /** {@code tcp://host:port}. */
    TCP,
    /** {@code unix:///absolute/path}. */
    UNIX
  }

  /** Validates the components. */
  public Endpoint {
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(host, "host");
    Objects.requireNonNull(path, "path");
    Objects.requireNonNull(uri, "uri");
  }

  /**
   * Parses {@code uri}.
   *
   * @throws IllegalArgumentException naming the scheme or part that is unsupported or missing
   */
  public static Endpoint parse(URI uri) {
    Objects.requireNonNull(uri, "uri");
    String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
    return switch (scheme) {
      case "ws" -> web(Kind.WS, uri, 80);
      case "wss" -> web(Kind.WSS, uri, 443);
      case "tcp" -> new Endpoint(Kind.TCP, host(uri), requiredPort(uri), "", uri);
      case "unix" -> unix(uri);
      default ->
          throw new IllegalArgumentException(
              "unsupported scheme '"
                  + scheme
                  + "' in endpoint "
                  + uri
                  + "; supported: ws://, wss://, tcp://host:port, unix:///path");
    };
  }

  /** Host and port (or socket path), for messages. */
  public String address() {
    return kind == Kind.UNIX ? path : (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
  }

  private static Endpoint web(Kind kind, URI uri, int defaultPort) {
    int port = uri.getPort() == -1 ? defaultPort : checkPort(uri, uri.getPort());
    String path = uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath();
    if (uri.getRawQuery() != null) {
      path = path + "?" + uri.getRawQuery();
    }
    return new Endpoint(kind, host(uri), port, path, uri);
  }

  private static Endpoint unix(URI uri) {
    String path = uri.getPath();
    if (uri.getHost() != null || path == null || path.isEmpty() || path.equals("/")) {
      throw new IllegalArgumentException(
          "unix endpoint must be unix:///absolute/path/to/socket, was " + uri);
    }
    return new Endpoint(Kind.UNIX, "", -1, path, uri);
  }

  private static String host(URI uri) {
    String host = uri.getHost();
    if (host == null || host.isEmpty()) {
      throw new IllegalArgumentException("endpoint has no host: " + uri);
    }
    return host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
  }

  private static int requiredPort(URI uri) {
    if (uri.getPort() == -1) {
      throw new IllegalArgumentException("endpoint needs a port (tcp://host:port): " + uri);
    }
    return checkPort(uri, uri.getPort());
  }

  private static int checkPort(URI uri, int port) {
    if (port < 1 || port > 65_535) {
      throw new IllegalArgumentException("port must be in 1..65535, was " + port + " in " + uri);
    }
    return port;
  }
}
