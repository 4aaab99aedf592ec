package dev.tether.process;

import dev.tether.machine.Cause;
import dev.tether.runtime.spi.Channel;
import dev.tether.runtime.spi.ChannelListener;
import dev.tether.runtime.spi.ChannelOpenException;
import dev.tether.runtime.spi.ConnectParameters;
import dev.tether.runtime.spi.Transport;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A {@link Transport} whose channels are child processes: opening a channel starts {@link
 * #endpoint() the command} (argv as given, no shell), frames travel on its stdin and stdout in
 * {@link ProcessTransportOptions#framing()}, and its stderr is drained into a bounded tail that is
 * quoted when the child exits. Give the connection {@link #uri()} as its endpoint:
 *
 * <pre>{@code
 * ProcessTransport transport = ProcessTransport.create(ProcessEndpoint.of("node", "server.js"));
 * RpcConnection rpc = RpcConnection.builder().transport(transport).endpoint(transport.uri()).build();
 * }</pre>
 *
 * <p>How a channel ends (its {@link dev.tether.machine.Cause}):
 *
 * <ul>
 *   <li>the child exits: {@code CHANNEL_CLOSED}, with the exit code (and the signal, for Unix codes
 *       above 128) and the last stderr lines;
 *   <li>the child closes stdout but runs on: {@code CHANNEL_CLOSED}, saying so;
 *   <li>stdout breaks the framing: {@code FRAME_TOO_LARGE} or {@code PROTOCOL_ERROR} (see {@link
 *       dev.tether.runtime.framing.Framing}); non-JSON lines in ndjson are skipped and warned
 *       about, never fatal;
 *   <li>a read or write fails while the child runs: {@code CHANNEL_ERROR};
 *   <li>{@link Channel#close()}: stdin is closed, and after {@link
 *       ProcessTransportOptions#closeGrace()} the child and its descendants are terminated, then
 *       after {@link ProcessTransportOptions#terminateGrace()} killed (P5). The same teardown
 *       follows every other end.
 * </ul>
 *
 * <p>A command that cannot start (not found, not executable, bad directory) fails the attempt with
 * an {@link IOException} naming the command and the operating system's reason; for a program that
 * does not exist or cannot be executed it is a {@link ChannelOpenException} with {@link
 * Cause.Detail.CommandNotFound}, which the default failure classifier makes final. A JVM that exits
 * normally terminates and then kills the children still alive (one shutdown hook for the JVM).
 *
 * <p>Connect parameters ({@link #open(URI, ConnectParameters, ChannelListener)}): the attempt's
 * environment variables are added over the JVM's environment and the endpoint's own, for that one
 * child (a token fetched for this run, not frozen in the endpoint). A child has no upgrade request:
 * headers are refused (the attempt fails, naming them), never silently dropped. No value appears in
 * a message or a log (R3).
 *
 * <p>The child is started on the thread that calls {@link #open} (a fork, not a wait); its I/O runs
 * on four daemon threads per child, and grace periods on one shared reaper thread, never on the
 * connection's context. Thread-safe.
 */
public final class ProcessTransport implements Transport, AutoCloseable {
  private final ProcessEndpoint endpoint;
  private final ProcessTransportOptions options;
  private final URI uri;
  private final Set<ProcessChannel> open = ConcurrentHashMap.newKeySet();
  private volatile boolean closed;

  private ProcessTransport(ProcessEndpoint endpoint, ProcessTransportOptions options) {
    this.endpoint = endpoint;
    this.options = options;
    this.uri = endpoint.uri();
  }

  /** A transport starting {@code endpoint} with {@link ProcessTransportOptions#defaults()}. */
  public static ProcessTransport create(ProcessEndpoint endpoint) {
    return create(endpoint, ProcessTransportOptions.defaults());
  }

  /** A transport starting {@code endpoint} with {@code options}. */
  public static ProcessTransport create(ProcessEndpoint endpoint, ProcessTransportOptions options) {
    return new ProcessTransport(
        Objects.requireNonNull(endpoint, "endpoint"), Objects.requireNonNull(options, "options"));
  }

  /** The command this transport starts. */
  public ProcessEndpoint endpoint() {
    return endpoint;
  }

  /** The options this transport was created with. */
  public ProcessTransportOptions options() {
    return options;
  }

  /** The endpoint URI to give the connection: {@link ProcessEndpoint#uri()}. */
  public URI uri() {
    return uri;
  }

  /**
   * Whether the start failed because the program does not exist or cannot be executed: the JDK
   * reports the operating system's error number ({@code error=2} ENOENT, {@code error=13} EACCES,
   * the same numbers on Windows's {@code CreateProcess}) in the message, the only place it has it.
   * A working directory that does not exist gives ENOENT too, so that case is left out.
   */
  private boolean commandMissing(Exception e) {
    String m = e.getMessage();
    boolean noSuchProgram = m != null && (m.contains("error=2,") || m.contains("error=13,"));
    return noSuchProgram && endpoint.directory().map(Files::isDirectory).orElse(true);
  }

  /**
   * {@inheritDoc}
   *
   * <p>Starts the child. The stage fails with an {@link IOException} if it cannot start, or with
   * {@link IllegalStateException} after {@link #close()}.
   *
   * @throws IllegalArgumentException if {@code endpoint} is not this transport's {@link #uri()}
   */
  @Override
  public CompletionStage<Channel> open(URI endpoint, ChannelListener listener) {
    return open(endpoint, ConnectParameters.none(), listener);
  }

  /**
   * {@inheritDoc}
   *
   * <p>As {@link #open(URI, ChannelListener)}, with {@code parameters}' environment variables added
   * over the endpoint's for this child.
   *
   * @throws IllegalArgumentException also if {@code parameters} holds headers (the message names
   *     them, never a value)
   */
  @Override
  public CompletionStage<Channel> open(
      URI endpoint, ConnectParameters parameters, ChannelListener listener) {
    if (!parameters.headers().isEmpty()) {
      throw new IllegalArgumentException(
          "a child process has no upgrade request: headers "
              + parameters.headers().keySet()
              + " cannot be sent");
    }
    if (!uri.equals(endpoint)) {
      throw new IllegalArgumentException(
          "this transport starts " + uri + " only, was asked for " + endpoint);
    }
    Objects.requireNonNull(listener, "listener");
    if (closed) {
      return CompletableFuture.failedFuture(new IllegalStateException("transport is closed"));
    }
    Process process;
    try {
      process = builder(parameters).start();
    } catch (IOException | RuntimeException e) {
      String message = "cannot start " + this.endpoint + ": " + e.getMessage();
      return CompletableFuture.failedFuture(
          commandMissing(e)
              ? new ChannelOpenException(
                  message, new Cause.Detail.CommandNotFound(this.endpoint.command().get(0)), e)
              : new IOException(message, e));
    }
    ProcessChannel channel =
        new ProcessChannel(process, this.endpoint, listener, options, open::remove);
    open.add(channel);
    try {
      channel.start();
    } catch (IOException e) {
      open.remove(channel);
      return CompletableFuture.failedFuture(
          new IOException("cannot start " + this.endpoint + ": " + e.getMessage(), e));
    }
    return CompletableFuture.completedFuture(channel);
  }

  /**
   * The children of this JVM's process transports not yet reaped, with their descendants known:
   * empty once every teardown finished (P5). For checks and tests.
   */
  public static List<ProcessHandle> liveProcesses() {
    List<ProcessHandle> all = new ArrayList<>();
    Reaper.INSTANCE.live().forEach(t -> all.addAll(t.alive()));
    return all;
  }

  /** How many channels this transport opened that have not ended. */
  public int openChannels() {
    return open.size();
  }

  /**
   * Closes every open channel (each child gets its close grace, then is terminated and killed) and
   * refuses new ones. Returns at once. Idempotent.
   */
  @Override
  public void close() {
    closed = true;
    new ArrayList<>(open).forEach(ProcessChannel::close);
  }

  private ProcessBuilder builder(ConnectParameters parameters) {
    ProcessBuilder pb = new ProcessBuilder(endpoint.command());
    endpoint.directory().ifPresent(d -> pb.directory(d.toFile()));
    pb.environment().putAll(endpoint.environment());
    pb.environment().putAll(parameters.environment()); // this attempt's, over the endpoint's
    return pb;
  }
}
