package dev.tether.model.prop;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tether.machine.BackoffPolicy;
import dev.tether.machine.Cause;
import dev.tether.machine.ConnectionState;
import dev.tether.machine.LifecycleEvent;
import dev.tether.machine.Verdict;
import dev.tether.runtime.Connection;
import dev.tether.runtime.FailureClassifier;
import dev.tether.runtime.spi.EndpointResolver;
import dev.tether.stub.StubEndpoint;
import dev.tether.stub.StubNetwork;
import dev.tether.stub.VirtualScheduler;
import dev.tether.stub.sim.Oracle;
import dev.tether.stub.sim.Oracles;
import dev.tether.stub.sim.SessionView;
import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.junit.jupiter.api.Test;

/**
 * Issue 16's machine inputs through a real driver, property-tested: attempts across a list of three
 * endpoints with resolver failures mixed in, endpoints that refuse or reject (401, final), channels
 * closed with 1008 (final), 1012 and 1001 (prompt), {@code reconnectNow()} in whatever state the
 * connection is, and a flap guard tight enough to trip. After every event: I2 numbering per outage
 * across the list, I3, I8 (an end only when the budget is spent or the cause is final or flapping),
 * I10; each attempt takes the next endpoint of the list (a failed resolution takes none); no
 * failure judged final is retried, and a final one ends the connection with exactly one terminal
 * event; {@code reconnectNow()} opens the pending attempt at once, as the same attempt, while
 * waiting out a backoff delay and changes nothing in any other state. {@code -Dtether.seed=N}
 * replays one seed; a failure prints the shrunk command sequence.
 */
class EndpointListPropertyTest {
  static final int SEEDS = 300;
  static final int COMMANDS = 60;
  static final int ENDPOINTS = 3;

  static final BackoffPolicy POLICY =
      BackoffPolicy.builder()
          .exponential(Duration.ofMillis(100), 2.0, Duration.ofSeconds(2))
          .maxAttempts(6)
          .connectTimeout(Duration.ofSeconds(1))
          .flapLimit(3, Duration.ofMinutes(1))
          .build();

  /** What the test does to the connection, its endpoints and its resolver. */
  sealed interface Cmd {
    /** Time passes. */
    record Advance(long millis) implements Cmd {}

    /** Endpoint i goes down (drops its channels, refuses) or comes back. */
    record Down(int endpoint, boolean down) implements Cmd {}

    /** Endpoint i refuses the upgrade with 401 (final) from now on, until it comes back up. */
    record Reject(int endpoint) implements Cmd {}

    /** Every open channel breaks ({@code CHANNEL_ERROR}). */
    record Drop() implements Cmd {}

    /** Every open channel is closed by the server with a WebSocket close code. */
    record CloseWith(int code) implements Cmd {}

    /** The resolver (a discovery service) fails from now on, or answers again. */
    record ResolverFails(boolean fails) implements Cmd {}

    /** The user presses "retry now". */
    record RetryNow() implements Cmd {}
  }

  static List<Cmd> generate(SplittableRandom r) {
    List<Cmd> out = new ArrayList<>();
    for (int i = 0; i < COMMANDS; i++) {
      int k = r.nextInt(100);
      if (k < 35) {
        out.add(new Cmd.Advance(1 + r.nextLong(r.nextBoolean() ? 300 : 5_000)));
      } else if (k < 50) {
        out.add(new Cmd.Down(r.nextInt(ENDPOINTS), r.nextBoolean()));
      } else if (k < 53) {
        out.add(new Cmd.Reject(r.nextInt(ENDPOINTS)));
      } else if (k < 63) {
        out.add(new Cmd.Drop());
      } else if (k < 70) {
        int[] codes = {1008, 1012, 1001, 1000};
        out.add(new Cmd.CloseWith(codes[r.nextInt(codes.length)]));
      } else if (k < 78) {
        out.add(new Cmd.ResolverFails(r.nextBoolean()));
      } else {
        out.add(new Cmd.RetryNow());
      }
    }
    return out;
  }

  @Test
  void attemptsAcrossAnEndpointListKeepEveryInvariant() {
    Property.forAll(
        "endpoint list",
        getClass(),
        SEEDS,
        EndpointListPropertyTest::generate,
        c -> new World().run(c));
  }

  /** One run: a connection over a list resolver, three endpoints, and the checks. */
  static final class World implements SessionView {
    final VirtualScheduler clock = new VirtualScheduler();
    final StubNetwork net = new StubNetwork(clock);
    final List<StubEndpoint> endpoints = new ArrayList<>();
    final List<URI> uris = new ArrayList<>();
    final List<LifecycleEvent> events = new ArrayList<>();
    final List<URI> resolvedTo = new ArrayList<>();
    final List<Oracle> oracles =
        List.of(
            Oracles.validPaths(),
            Oracles.boundedRetries(),
            Oracles.liveness(),
            Oracles.flapGuard());
    final Connection connection;
    boolean resolverFails;
    int resolveCalls;
    int lastResolvedAttempt;
    int announced; // the attempt last announced by Connecting/Reconnecting
    boolean started; // whether the announced attempt has asked the resolver

    World() {
      for (int i = 0; i < ENDPOINTS; i++) {
        StubEndpoint e = net.endpoint("stub://e" + i).latency(Duration.ofMillis(10));
        endpoints.add(e);
        uris.add(e.uri());
      }
      EndpointResolver list = EndpointResolver.list(uris);
      connection =
          Connection.builder()
              .transport(net.transport())
              .endpointResolver(ctx -> resolve(list, ctx))
              .scheduler(clock)
              .policy(POLICY)
              .random(new SplittableRandom(7))
              .name("prop")
              .build();
      connection.subscribe(this::onEvent);
    }

    private CompletionStage<URI> resolve(
        EndpointResolver list, EndpointResolver.ResolveContext ctx) {
      resolveCalls++;
      lastResolvedAttempt = ctx.attempt();
      inCallback(
          () ->
              assertThat(ctx.attempt())
                  .as("the resolver is asked for the announced attempt")
                  .isEqualTo(announced));
      started = true;
      if (resolverFails) {
        return CompletableFuture.failedFuture(new IOException("discovery service down"));
      }
      return list.resolve(ctx)
          .thenApply(
              u -> {
                resolvedTo.add(u);
                return u;
              });
    }

    private void onEvent(LifecycleEvent e) {
      inCallback(() -> checkEvent(e));
    }

    private void checkEvent(LifecycleEvent e) {
      LifecycleEvent prev = events.isEmpty() ? null : events.get(events.size() - 1);
      assertThat(prev == null || !prev.isTerminal())
          .as("event %s after terminal %s", e, prev)
          .isTrue();
      events.add(e);
      for (Oracle o : oracles) {
        String a = o.onEvent(this, prev, e);
        String b = o.onEmit(this, e);
        assertThat(a).as("%s on %s", o.invariant(), e).isNull();
        assertThat(b).as("%s on %s", o.invariant(), e).isNull();
      }
      Cause retried = null;
      if (e instanceof LifecycleEvent.Connecting c) {
        announced = c.attempt();
        started = false;
        retried = c.lastFailure().orElse(null);
      } else if (e instanceof LifecycleEvent.Reconnecting r) {
        announced = r.attempt();
        started = false;
        retried = r.cause();
      }
      if (retried != null) {
        assertThat(classifier().classify(retried))
            .as("a final failure is never retried: %s", e)
            .isNotEqualTo(Verdict.FATAL);
      }
      if (e instanceof LifecycleEvent.PermanentlyDisconnected pd
          && pd.cause().kind() == Cause.Kind.FATAL) {
        Cause.Detail d = pd.cause().detail().orElseThrow();
        assertThat(d)
            .isIn(
                new Cause.Detail.UpgradeRejected(401),
                new Cause.Detail.CloseCode(FailureClassifier.POLICY_VIOLATION));
        // Ended at the attempt that met it (1 if the first one did), or at the loss (0).
        assertThat(pd.attempts())
            .isEqualTo(
                prev instanceof LifecycleEvent.Connected
                        || prev instanceof LifecycleEvent.Reconnected
                    ? 0
                    : announced);
      }
    }

    /**
     * The first check that failed inside a callback. The driver contains what a listener or a
     * resolver throws (it logs a listener's and fails the attempt for a resolver's), so a failed
     * assertion there would otherwise pass unseen; {@link #run} rethrows it after every command.
     */
    private AssertionError failedInCallback;

    private void inCallback(Runnable checks) {
      try {
        checks.run();
      } catch (AssertionError e) {
        if (failedInCallback == null) {
          failedInCallback = e;
        }
        throw e;
      }
    }

    private void rethrowCallbackFailure() {
      if (failedInCallback != null) {
        throw failedInCallback;
      }
    }

    void run(List<Cmd> commands) {
      connection.start();
      clock.runUntilIdle();
      rethrowCallbackFailure();
      for (Cmd c : commands) {
        apply(c);
        rethrowCallbackFailure();
        checkRotation();
      }
      connection.close("end of the run");
      clock.advance(Duration.ofMinutes(5));
      rethrowCallbackFailure();
      assertThat(events.stream().filter(LifecycleEvent::isTerminal).count()).isEqualTo(1);
      assertThat(events.get(events.size() - 1).isTerminal()).isTrue();
      assertThat(net.openChannels()).as("no channel left open").isZero();
    }

    private void apply(Cmd c) {
      if (c instanceof Cmd.Advance a) {
        clock.advance(Duration.ofMillis(a.millis()));
      } else if (c instanceof Cmd.Down d) {
        StubEndpoint e = endpoints.get(d.endpoint());
        if (d.down()) {
          e.down();
        } else {
          e.up();
        }
      } else if (c instanceof Cmd.Reject r) {
        endpoints.get(r.endpoint()).mode(StubEndpoint.Mode.REJECT);
      } else if (c instanceof Cmd.Drop) {
        endpoints.forEach(e -> e.dropAll(Cause.of(Cause.Kind.CHANNEL_ERROR, "dropped")));
      } else if (c instanceof Cmd.CloseWith w) {
        Cause cause =
            Cause.of(
                Cause.Kind.CHANNEL_CLOSED,
                "closed " + w.code(),
                new Cause.Detail.CloseCode(w.code()));
        endpoints.forEach(e -> e.dropAll(cause));
      } else if (c instanceof Cmd.ResolverFails f) {
        resolverFails = f.fails();
      } else if (c instanceof Cmd.RetryNow) {
        retryNow();
      }
      clock.runUntilIdle();
    }

    /** In backoff: the pending attempt opens now, as the same attempt; otherwise nothing at all. */
    private void retryNow() {
      ConnectionState before = connection.state();
      boolean waiting =
          !started
              && (before instanceof ConnectionState.Connecting
                  || before instanceof ConnectionState.Reconnecting);
      int calls = resolveCalls;
      int seen = events.size();
      int pending = announced;
      connection.reconnectNow();
      clock.runUntilIdle();
      if (waiting) {
        assertThat(resolveCalls)
            .as("retry now opens the pending attempt at once")
            .isEqualTo(calls + 1);
        assertThat(lastResolvedAttempt).as("as the same attempt (I2)").isEqualTo(pending);
      } else {
        assertThat(resolveCalls).as("retry now in %s opens nothing", before).isEqualTo(calls);
        assertThat(events).as("retry now in %s emits nothing", before).hasSize(seen);
        assertThat(connection.state()).isEqualTo(before);
      }
    }

    /** Each successful resolution took the next endpoint of the list, in order, wrapping around. */
    private void checkRotation() {
      for (int i = 0; i < resolvedTo.size(); i++) {
        assertThat(resolvedTo.get(i)).as("resolution %d", i).isEqualTo(uris.get(i % ENDPOINTS));
      }
    }

    // ---------------------------------------------------------------- SessionView for the oracles

    @Override
    public int index() {
      return 0;
    }

    @Override
    public Connection connection() {
      return connection;
    }

    @Override
    public BackoffPolicy policy() {
      return POLICY;
    }

    @Override
    public StubEndpoint endpoint() {
      return endpoints.get(0);
    }

    @Override
    public long nowNanos() {
      return clock.nanoTime();
    }

    @Override
    public LifecycleEvent lastEvent() {
      return events.isEmpty() ? null : events.get(events.size() - 1);
    }

    @Override
    public int terminalEvents() {
      return (int) events.stream().filter(LifecycleEvent::isTerminal).count();
    }

    @Override
    public int liveTimers() {
      return 0;
    }

    @Override
    public int framesHeld() {
      return 0;
    }

    @Override
    public int maxFramesHeld() {
      return 0;
    }

    @Override
    public long readPauses() {
      return 0;
    }
  }
}
