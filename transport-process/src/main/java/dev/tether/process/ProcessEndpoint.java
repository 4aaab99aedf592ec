package dev.tether.process;

import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * A command to run as a child process: its argument vector (run directly, never through a shell, so
 * spaces and quotes reach the child intact), environment variables added to the JVM's own, and a
 * working directory.
 *
 * <pre>{@code
 * ProcessEndpoint.of("node", "server.js", "--stdio").env("DEBUG", "1").directory(Path.of("srv"))
 * }</pre>
 *
 * <p>Immutable and thread-safe; {@link #env} and {@link #directory} return new values.
 */
public final class ProcessEndpoint {
  /** The URI scheme of {@link #uri()}. */
  public static final String SCHEME = "process";

  private final List<String> command;
  private final Map<String, String> environment;
  private final Path directory;

  private ProcessEndpoint(List<String> command, Map<String, String> environment, Path directory) {
    this.command = command;
    this.environment = environment;
    this.directory = directory;
  }

  /**
   * The program {@code program} with arguments {@code args}, run in the JVM's working directory
   * with its environment.
   *
   * @throws IllegalArgumentException if {@code program} is empty
   */
  public static ProcessEndpoint of(String program, String... args) {
    List<String> argv = new ArrayList<>(1 + args.length);
    argv.add(program);
    Collections.addAll(argv, args);
    return of(argv);
  }

  /**
   * The argument vector {@code command}: the program, then its arguments.
   *
   * @throws IllegalArgumentException if the list is empty or the program is empty
   * @throws NullPointerException if an element is null
   */
  public static ProcessEndpoint of(List<String> command) {
    List<String> argv = List.copyOf(command);
    if (argv.isEmpty() || argv.get(0).isEmpty()) {
      throw new IllegalArgumentException("command needs a program, was " + argv);
    }
    return new ProcessEndpoint(argv, Map.of(), null);
  }

  /**
   * This command with the environment variable {@code name} set to {@code value} (added to the
   * JVM's environment, replacing a variable of that name).
   *
   * @throws IllegalArgumentException if the name is empty or contains {@code =} or NUL
   */
  public ProcessEndpoint env(String name, String value) {
    Objects.requireNonNull(value, "value");
    if (name.isEmpty() || name.indexOf('=') >= 0 || name.indexOf('\0') >= 0) {
      throw new IllegalArgumentException("invalid environment variable name '" + name + "'");
    }
    Map<String, String> env = new LinkedHashMap<>(environment);
    env.put(name, value);
    return new ProcessEndpoint(command, Collections.unmodifiableMap(env), directory);
  }

  /** This command run in {@code directory}. */
  public ProcessEndpoint directory(Path directory) {
    return new ProcessEndpoint(
        command, environment, Objects.requireNonNull(directory, "directory"));
  }

  /** The argument vector: the program, then its arguments. */
  public List<String> command() {
    return command;
  }

  /** The environment variables added to the JVM's own, in the order they were set. */
  public Map<String, String> environment() {
    return environment;
  }

  /** The working directory; empty for the JVM's own. */
  public Optional<Path> directory() {
    return Optional.ofNullable(directory);
  }

  /**
   * A URI naming this command, {@code process:} followed by the argument vector, for a connection's
   * {@code endpoint} (and its logs). Environment and directory are not part of it.
   */
  public URI uri() {
    try {
      return new URI(SCHEME, String.join(" ", command), null);
    } catch (URISyntaxException e) {
      throw new IllegalStateException("cannot name " + command + " as a URI", e);
    }
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof ProcessEndpoint other
        && command.equals(other.command)
        && environment.equals(other.environment)
        && Objects.equals(directory, other.directory);
  }

  @Override
  public int hashCode() {
    return Objects.hash(command, environment, directory);
  }

  /** The argument vector, as a list. */
  @Override
  public String toString() {
    return command.toString();
  }
}
