package dev.tether.bench;

import io.vertx.core.Vertx;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A {@link BenchServer} in a child JVM, for B5 on real sockets: the server's descriptors and heap
 * are then not the measuring JVM's, so 10,000 client sessions fit under a 20,000 descriptor limit
 * and the heap measured is the clients' alone.
 *
 * <p>The child prints its endpoint on its first line and runs until its standard input closes, so
 * it also ends when the parent dies.
 */
public final class BenchServerProcess implements AutoCloseable {
  /** Bound on the child's start and stop. */
  private static final long WAIT_SECONDS = 30;

  private final Process process;
  private final URI endpoint;
  private final BufferedReader replies;

  private BenchServerProcess(Process process, URI endpoint, BufferedReader replies) {
    this.process = process;
    this.endpoint = endpoint;
    this.replies = replies;
  }

  /**
   * The system property whose value (options separated by white space) is passed to every child JVM
   * before its main class, e.g. {@code
   * -Dtether.benchServer.jvmOptions="-Xlog:gc:file=/tmp/gc-%p.log"}: to log, sample or tune the
   * server without changing the bench. Unset: none.
   */
  static final String JVM_OPTIONS = "tether.benchServer.jvmOptions";

  /** Starts the child JVM on this JVM's class path and waits for its endpoint. */
  static BenchServerProcess start() {
    return start(BenchServerProcess.class);
  }

  /**
   * Starts {@code main} with {@code args} (a class whose {@code main} prints its endpoint on its
   * first line and ends at the end of its standard input) in a child JVM on this JVM's class path.
   */
  static BenchServerProcess start(Class<?> main, String... args) {
    return start(List.of(), main, args);
  }

  /**
   * As {@link #start(Class, String...)}, the child JVM started with {@code jvmOptions} (then those
   * of {@link #JVM_OPTIONS}, which come later and so win).
   */
  static BenchServerProcess start(List<String> jvmOptions, Class<?> main, String... args) {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    List<String> command = new ArrayList<>(List.of(java));
    command.addAll(jvmOptions);
    command.addAll(splitOptions(System.getProperty(JVM_OPTIONS, "")));
    command.addAll(List.of("-cp", System.getProperty("java.class.path"), main.getName()));
    command.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT);
    Process p;
    try {
      p = pb.start();
      BufferedReader out =
          new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
      String line = out.readLine();
      if (line == null) {
        p.destroyForcibly();
        throw new IllegalStateException("bench server process ended before listening");
      }
      return new BenchServerProcess(p, URI.create(line.trim()), out);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start the bench server process", e);
    }
  }

  /** The options of {@link #JVM_OPTIONS}'s value: split at white space, blanks dropped. */
  static List<String> splitOptions(String value) {
    List<String> options = new ArrayList<>();
    for (String o : value.trim().split("\\s+", -1)) {
      if (!o.isEmpty()) {
        options.add(o);
      }
    }
    return options;
  }

  /** Where the child listens. */
  URI endpoint() {
    return endpoint;
  }

  /**
   * Sends one command line to a child that answers each with one line (as {@link StormServer} does)
   * and returns the answer.
   *
   * @throws IllegalStateException if the child ended instead of answering
   */
  String ask(String command) {
    try {
      process.getOutputStream().write((command + "\n").getBytes(StandardCharsets.UTF_8));
      process.getOutputStream().flush();
      String answer = replies.readLine();
      if (answer == null) {
        throw new IllegalStateException("bench server process ended; it was asked: " + command);
      }
      return answer;
    } catch (IOException e) {
      throw new UncheckedIOException("bench server process gone; it was asked: " + command, e);
    }
  }

  /** Kills the child at once (SIGKILL: the kernel closes its sockets) and waits for its end. */
  void kill() {
    try {
      process.destroyForcibly().waitFor(WAIT_SECONDS, java.util.concurrent.TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while killing the bench server process", e);
    }
  }

  /** Closes the child's standard input (it stops), waits for it, and kills it if it hangs. */
  @Override
  public void close() {
    Rigs.stopChild(process, process.getOutputStream(), WAIT_SECONDS);
  }

  /** The child: serves until standard input closes. */
  public static void main(String[] args) throws IOException {
    Vertx vertx = Vertx.vertx();
    BenchServer server = new BenchServer(vertx);
    System.out.println(server.endpoint());
    System.out.flush();
    while (System.in.read() != -1) {
      // nothing to read; waiting for the parent to close the stream
    }
    server.close();
    Rigs.await(vertx.close());
  }
}
