package dev.tether.runtime.spi;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * What one connection attempt sends besides its endpoint: headers for the WebSocket upgrade request
 * (an {@code Authorization} with a token refreshed for this attempt) and environment variables for
 * a child process (added over its endpoint's own). A {@link ConnectParametersProvider} supplies
 * them before every attempt; the transport applies what it can and refuses what it cannot (see
 * {@link Transport#open(java.net.URI, ConnectParameters, ChannelListener)}).
 *
 * <pre>{@code
 * ConnectParameters.none().withHeader("Authorization", "Bearer " + token.current())
 * }</pre>
 *
 * <p>The values are secrets as far as Tether knows (R3): {@link #toString()} and every message
 * about parameters name the headers and variables, never their values, and neither do the
 * connection's logs, events or causes.
 *
 * <p>Immutable and thread-safe; {@link #withHeader} and {@link #withEnv} return new values.
 */
public final class ConnectParameters {
  private static final ConnectParameters NONE = new ConnectParameters(Map.of(), Map.of());

  private final Map<String, String> headers;
  private final Map<String, String> environment;

  private ConnectParameters(Map<String, String> headers, Map<String, String> environment) {
    this.headers = headers;
    this.environment = environment;
  }

  /** No headers, no environment: what an attempt sends without a provider. */
  public static ConnectParameters none() {
    return NONE;
  }

  /**
   * These parameters with the header {@code name} set to {@code value}, replacing a header of that
   * name in any letter case (HTTP header names are case-insensitive).
   *
   * @throws IllegalArgumentException if {@code name} is not an HTTP token (empty, or containing a
   *     space, a colon, a control character, ...) or {@code value} contains CR, LF or NUL (which
   *     would smuggle a header into the request); the message names the header, not the value
   */
  public ConnectParameters withHeader(String name, String value) {
    Objects.requireNonNull(value, "value");
    if (!isToken(name)) {
      throw new IllegalArgumentException("invalid HTTP header name '" + name + "'");
    }
    if (value.indexOf('\r') >= 0 || value.indexOf('\n') >= 0 || value.indexOf('\0') >= 0) {
      throw new IllegalArgumentException(
          "the value of header " + name + " contains CR, LF or NUL (value not shown)");
    }
    Map<String, String> h = new LinkedHashMap<>(headers);
    h.keySet().removeIf(n -> n.equalsIgnoreCase(name));
    h.put(name, value);
    return new ConnectParameters(Collections.unmodifiableMap(h), environment);
  }

  /**
   * These parameters with the environment variable {@code name} set to {@code value}, replacing a
   * variable of that name; for a child process, it is added over the JVM's environment and its
   * endpoint's own variables.
   *
   * @throws IllegalArgumentException if {@code name} is empty or contains {@code =} or NUL, or
   *     {@code value} contains NUL; the message names the variable, not the value
   */
  public ConnectParameters withEnv(String name, String value) {
    Objects.requireNonNull(value, "value");
    if (name.isEmpty() || name.indexOf('=') >= 0 || name.indexOf('\0') >= 0) {
      throw new IllegalArgumentException("invalid environment variable name '" + name + "'");
    }
    if (value.indexOf('\0') >= 0) {
      throw new IllegalArgumentException(
          "the value of environment variable " + name + " contains NUL (value not shown)");
    }
    Map<String, String> e = new LinkedHashMap<>(environment);
    e.put(name, value);
    return new ConnectParameters(headers, Collections.unmodifiableMap(e));
  }

  /** The headers, in the order they were set; unmodifiable. */
  public Map<String, String> headers() {
    return headers;
  }

  /** The environment variables, in the order they were set; unmodifiable. */
  public Map<String, String> environment() {
    return environment;
  }

  /** Whether there are neither headers nor environment variables. */
  public boolean isEmpty() {
    return headers.isEmpty() && environment.isEmpty();
  }

  /**
   * The names of the headers and variables, without their values (R3), such as {@code
   * ConnectParameters[headers=[Authorization], environment=[TOKEN]]}.
   */
  @Override
  public String toString() {
    return "ConnectParameters[headers="
        + headers.keySet()
        + ", environment="
        + environment.keySet()
        + "]";
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof ConnectParameters other
        && headers.equals(other.headers)
        && environment.equals(other.environment);
  }

  @Override
  public int hashCode() {
    return Objects.hash(headers, environment);
  }

  /** RFC 9110's token: the characters a header name may have. */
  private static boolean isToken(String name) {
    if (name.isEmpty()) {
      return false;
    }
    for (int i = 0; i < name.length(); i++) {
      char c = name.charAt(i);
      boolean alnum = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
      if (!alnum && "!#$%&'*+-.^_`|~".indexOf(c) < 0) {
        return false;
      }
    }
    return true;
  }
}
