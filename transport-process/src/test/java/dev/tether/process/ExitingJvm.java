package dev.tether.process;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;

/**
 * Run by {@link JvmExitTest} in a JVM of its own: starts the command in its arguments through a
 * {@link ProcessTransport}, asks the child for its grandchild's pid, prints {@code pids CHILD
 * GRANDCHILD} and returns from {@code main} without closing anything. The JVM then exits normally,
 * and the transport's shutdown hook must take both processes with it.
 */
public final class ExitingJvm {
  private ExitingJvm() {}

  /** Entry point: the child's argv. */
  public static void main(String[] args) throws Exception {
    ProcessTransport transport = ProcessTransport.create(ProcessEndpoint.of(Arrays.asList(args)));
    Recording rec = new Recording();
    ProcessChannel channel =
        (ProcessChannel)
            transport.open(transport.uri(), rec).toCompletableFuture().get(10, TimeUnit.SECONDS);
    channel.send(
        "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"grandchild\"}"
            .getBytes(StandardCharsets.UTF_8));
    long grandchild = new ObjectMapper().readTree(rec.next()).path("result").asLong();
    channel.rememberDescendantsNow();
    System.out.println("pids " + channel.handle().pid() + " " + grandchild);
  }
}
