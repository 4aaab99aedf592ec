package dev.tether.bench;

import dev.tether.machine.BackoffPolicy;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * B8: {@code tools/call} of server-everything's {@code echo} tool over the server's stdio: Tether
 * ({@link TetherMcpClient}) vs the official MCP Java SDK ({@link SdkMcpClient}). Each side runs a
 * server process of its own, started with the same command; both run in the same JMH run.
 *
 * <p>16 in flight: one invocation makes 16 calls at once and waits for all 16 answers (a batch, as
 * in B2).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class McpBenchmark {
  static final int IN_FLIGHT = 16;
  private static final long WAIT_SECONDS = 30;

  private TetherMcpClient tether;
  private SdkMcpClient sdk;

  /** Starts both servers and initializes both clients. */
  @Setup
  public void setUp() {
    startClients(BackoffPolicy.defaults());
  }

  /**
   * As {@link #setUp()}, Tether's client restarting its server by {@code policy}: the smoke pass
   * sets up with {@link McpRestart#IMMEDIATE} and runs the restart on the same two clients after
   * the calls ({@link #tether()}, {@link #sdk()}).
   */
  void startClients(BackoffPolicy policy) {
    tether = TetherMcpClient.start(policy);
    sdk = Rigs.startSecond(tether, SdkMcpClient::start);
  }

  /** Tether's client, once set up. */
  TetherMcpClient tether() {
    return tether;
  }

  /** The SDK's client, once set up. */
  SdkMcpClient sdk() {
    return sdk;
  }

  /** Stops both; each child is gone afterwards. */
  @TearDown
  public void tearDown() {
    Rigs.closeBoth(tether, sdk);
  }

  /** B8, Tether, one call in flight. */
  @Benchmark
  public String tether1() throws Exception {
    return tether.echo(EchoClient.MESSAGE).get(WAIT_SECONDS, TimeUnit.SECONDS);
  }

  /** B8, the MCP SDK, one call in flight. */
  @Benchmark
  public String sdk1() throws Exception {
    return sdk.echo(EchoClient.MESSAGE).get(WAIT_SECONDS, TimeUnit.SECONDS);
  }

  /** B8, Tether, 16 calls in flight. */
  @Benchmark
  @OperationsPerInvocation(IN_FLIGHT)
  public Object tether16() throws Exception {
    return batch(tether);
  }

  /** B8, the MCP SDK, 16 calls in flight. */
  @Benchmark
  @OperationsPerInvocation(IN_FLIGHT)
  public Object sdk16() throws Exception {
    return batch(sdk);
  }

  private static Object batch(EchoClient client) throws Exception {
    CompletableFuture<?>[] all = new CompletableFuture<?>[IN_FLIGHT];
    for (int i = 0; i < IN_FLIGHT; i++) {
      all[i] = client.echo(EchoClient.MESSAGE);
    }
    return CompletableFuture.allOf(all).get(WAIT_SECONDS, TimeUnit.SECONDS);
  }
}
