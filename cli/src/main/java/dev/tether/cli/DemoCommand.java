package dev.tether.cli;

import dev.tether.machine.BackoffPolicy;
import dev.tether.machine.LifecycleEvent;
import dev.tether.runtime.Connection;
import dev.tether.stub.StubEndpoint;
import dev.tether.stub.StubNetwork;
import dev.tether.stub.VirtualScheduler;
import java.io.PrintWriter;
import java.net.URI;
import java.time.Duration;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code tether demo}: by default a scripted outage scenario on real sockets ({@link SocketDemo}).
 * With {@code --in-memory}, the same kind of story on the in-memory network and the virtual clock:
 * a short outage (Reconnecting 1/10, 2/10, Reconnected) and a permanent one (Reconnecting 1/10 …
 * 10/10, PermanentlyDisconnected), with simulated timestamps, identical for the same seed. With
 * {@code --sessions N} ({@literal >} 1), the sessions layer on the in-memory network ({@link
 * SessionsDemo}). With {@code --process}, a child process killed and restarted with its handshake
 * replayed ({@link ProcessDemo}).
 */
@Command(
    name = "demo",
    mixinStandardHelpOptions = true,
    description =
        "Runs a scripted outage scenario against an in-process server on 127.0.0.1 (two outages"
            + " that heal, then one that does not) and prints the lifecycle and stream events."
            + " --in-memory runs it on the in-memory transport and virtual clock instead;"
            + " --process shows a child process killed and restarted instead.")
final class DemoCommand implements Callable<Integer> {
  static final URI ENDPOINT = URI.create("stub://demo-server");

  /** When the server goes away briefly. */
  static final Duration SHORT_OUTAGE_AT = Duration.ofSeconds(2);

  /**
   * When it is back: after attempt 1 (≤ 2.12 s with ±20 % jitter) and before attempt 2 (≥ 2.24 s),
   * so the short outage always shows exactly two attempts.
   */
  static final Duration SHORT_OUTAGE_END = Duration.ofMillis(2200);

  /** When the server goes away for good. */
  static final Duration PERMANENT_OUTAGE_AT = Duration.ofSeconds(10);

  /** Upper bound on the scenario's simulated length (10 attempts take about 52 s). */
  static final Duration SCENARIO_LIMIT = Duration.ofMinutes(10);

  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Option(names = "--json", description = "Print one JSON object per line.")
  boolean json;

  @Option(
      names = "--in-memory",
      description =
          "Run on the in-memory transport and virtual clock (deterministic for a seed) instead of"
              + " real sockets.")
  boolean inMemory;

  @Option(
      names = "--process",
      description =
          "Show a child process killed and restarted with its handshake replayed: a child JVM"
              + " speaking JSON-RPC on stdio (needs nothing but Java).")
  boolean process;

  @Option(
      names = "--seed",
      defaultValue = "42",
      description = "Seed for backoff jitter (default: ${DEFAULT-VALUE}).")
  long seed;

  @Option(
      names = "--sessions",
      defaultValue = "1",
      description =
          "Number of sessions (1-9). With more than one, shows independent outages and the global"
              + " status following the active session as it switches.")
  int sessions;

  @Option(
      names = "--metrics",
      description =
          "Bind the demo's connection to a Prometheus meter registry (tether-micrometer) and print"
              + " the scrape at the end, as taken just before the terminal event removed the"
              + " meters.")
  boolean metrics;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    if (sessions < 1 || sessions > dev.tether.session.SessionsConfig.DEFAULT_MAX_SESSIONS) {
      throw new picocli.CommandLine.ParameterException(
          spec.commandLine(), "--sessions must be between 1 and 9, was " + sessions);
    }
    if (metrics && (inMemory || process || sessions > 1)) {
      throw new picocli.CommandLine.ParameterException(
          spec.commandLine(),
          "--metrics goes with the socket demo: not with --in-memory, --process or --sessions");
    }
    if (process && (inMemory || sessions > 1)) {
      throw new picocli.CommandLine.ParameterException(
          spec.commandLine(), "--process runs alone: not with --in-memory or --sessions");
    }
    if (sessions > 1) {
      return new SessionsDemo(out, json, seed).run(sessions);
    }
    if (process) {
      return new ProcessDemo(new EventPrinter(out, json), spec.commandLine().getErr()).run();
    }
    if (metrics) {
      return DemoMetrics.run(out, json, seed, spec.commandLine().getErr());
    }
    if (!inMemory) {
      return new SocketDemo(new EventPrinter(out, json), spec.commandLine().getErr(), seed).run();
    }
    return inMemory(out);
  }

  private int inMemory(PrintWriter out) {
    VirtualScheduler clock = new VirtualScheduler();
    StubNetwork network = new StubNetwork(clock);
    StubEndpoint server = network.endpoint(ENDPOINT);
    Connection connection =
        Connection.builder()
            .transport(network.transport())
            .endpoint(ENDPOINT)
            .scheduler(clock)
            .policy(BackoffPolicy.defaults())
            .random(new SplittableRandom(seed))
            .build();
    if (!json) {
      out.println("Tether demo: in-memory server " + ENDPOINT + ", virtual clock, seed " + seed);
      out.println("policy: " + LifecycleJson.policy(BackoffPolicy.defaults()));
    }
    connection.subscribe(e -> print(out, clock, e));
    connection.start();
    clock.advance(SHORT_OUTAGE_AT);
    note(out, clock, "server stops");
    server.down();
    clock.advance(SHORT_OUTAGE_END.minus(SHORT_OUTAGE_AT));
    note(out, clock, "server is back");
    server.up();
    clock.advance(PERMANENT_OUTAGE_AT.minus(SHORT_OUTAGE_END));
    note(out, clock, "server stops for good");
    server.down();
    clock.runUntil(() -> connection.state().isTerminal(), SCENARIO_LIMIT);
    out.flush();
    return connection.state().isTerminal() ? 0 : 1;
  }

  private void print(PrintWriter out, VirtualScheduler clock, LifecycleEvent e) {
    long t = clock.now().toMillis();
    if (json) {
      out.println(LifecycleJson.of(e, t));
    } else {
      out.println("[" + LifecycleJson.clock(t) + "] " + LifecycleJson.describe(e));
    }
  }

  private void note(PrintWriter out, VirtualScheduler clock, String what) {
    if (!json) {
      out.println("[" + LifecycleJson.clock(clock.now().toMillis()) + "] -- " + what);
    }
  }
}
