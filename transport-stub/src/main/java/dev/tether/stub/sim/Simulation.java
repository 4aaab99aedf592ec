package dev.tether.stub.sim;

import dev.tether.machine.BackoffPolicy;
import dev.tether.rpc.RpcConnection;
import dev.tether.runtime.Connection;
import dev.tether.runtime.LifecycleListener;
import dev.tether.stub.VirtualScheduler;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.IntFunction;
import java.util.function.LongConsumer;
import java.util.function.ObjIntConsumer;
import java.util.function.Predicate;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;

/**
 * A deterministic fault simulation: many connections on one {@link VirtualScheduler} and {@link
 * dev.tether.stub.StubNetwork}, a {@link FaultPlan} applied to their links, and {@link Oracle
 * oracles} checked after every step. One seed reproduces everything: the plan, link latencies,
 * jitter draws and scheduling order, so the {@link SimulationResult#traceHash() trace hash} is the
 * same on every run (I9).
 *
 * <pre>{@code
 * SimulationResult r = Simulation.builder()
 *     .seed(42).sessions(100).duration(Duration.ofHours(1))
 *     .faults(FaultProfile.FLAKY)
 *     .build()
 *     .run();
 * if (!r.passed()) {
 *   System.out.println(r.violation().get());
 *   System.out.println(simulation.shrink(r)); // a minimal plan, replayable with FaultPlan.parse
 * }
 * }</pre>
 *
 * <p>Each run builds fresh state, so {@link #run} may be called repeatedly. Not thread-safe.
 */
public final class Simulation {

  /** Upper bound on re-runs while shrinking, so a slow simulation cannot stall a build. */
  public static final int MAX_SHRINK_RUNS = 400;

  /** How far time moves between progress reports and stop checks. */
  static final Duration SLICE = Duration.ofMinutes(1);

  final long seed;
  final int sessions;
  final Duration duration;
  final FaultProfile profile;
  final double intensity;
  final Regime regime;
  final FaultPlan explicitPlan;
  final IntFunction<BackoffPolicy> policies;
  final UnaryOperator<LifecycleListener> listenerDecorator;
  private final List<Supplier<? extends Oracle>> extraOracles;
  final Consumer<String> traceSink;
  final int timelines;
  final LongConsumer progress;
  final ObjIntConsumer<Connection> onConnection;
  final Duration handshakeUpTo;
  final RpcTraffic traffic;
  final ObjIntConsumer<RpcConnection> onRpcConnection;

  private Simulation(Builder b) {
    this.seed = b.seed;
    this.sessions = b.sessions;
    this.duration = b.duration;
    this.profile = b.profile;
    this.intensity = b.intensity;
    this.regime = b.regime;
    this.explicitPlan = b.plan;
    this.policies = b.policies;
    this.listenerDecorator = b.listenerDecorator;
    this.extraOracles = List.copyOf(b.extraOracles);
    this.traceSink = b.traceSink;
    this.timelines = b.timelines;
    this.progress = b.progress;
    this.onConnection = b.onConnection;
    this.handshakeUpTo = b.handshakeUpTo;
    this.traffic = b.traffic;
    this.onRpcConnection = b.onRpcConnection;
  }

  /** A new builder with the defaults: seed 1, 10 sessions, 1 hour, flaky faults, safety. */
  public static Builder builder() {
    return new Builder();
  }

  /** The plan this simulation runs: the explicit one, or the one drawn from the seed. */
  public FaultPlan plan() {
    if (explicitPlan != null) {
      return explicitPlan;
    }
    FaultPlan drawn =
        FaultPlan.random(seed, profile, intensity, sessions, duration.toMillis(), regime);
    if (traffic == null) {
      return drawn;
    }
    List<Fault> all = new ArrayList<>(drawn.faults());
    all.addAll(traffic.faults(seed, intensity, sessions, duration.toMillis(), regime));
    return FaultPlan.of(all);
  }

  /**
   * Why this simulation, a liveness run, cannot check liveness (I8) for some session: its heal time
   * plus the session's recovery bound does not fit in the run (see {@link
   * Regime#livenessUnchecked}). Such a run would pass with nothing checked; refuse it instead.
   *
   * @return empty for a safety run or a liveness run long enough for every session; otherwise the
   *     first session's reason
   */
  public Optional<String> livenessUnchecked() {
    if (regime != Regime.LIVENESS) {
      return Optional.empty();
    }
    for (int i = 0; i < sessions; i++) {
      Optional<String> why = regime.livenessUnchecked(duration, policies.apply(i));
      if (why.isPresent()) {
        return Optional.of("session " + i + ": " + why.get());
      }
    }
    return Optional.empty();
  }

  /**
   * The shortest liveness run, in whole seconds, that checks I8 for every session of this
   * simulation (its sessions' policies; see {@link Regime#shortestLivenessRun}).
   */
  public Duration shortestLivenessRun() {
    Duration longest = Duration.ZERO;
    for (int i = 0; i < sessions; i++) {
      Duration d = Regime.shortestLivenessRun(policies.apply(i));
      longest = d.compareTo(longest) > 0 ? d : longest;
    }
    return longest;
  }

  /**
   * The oracles of one run, built afresh: the standard ones (and the RPC ones with traffic), then
   * the builder's, a new one from each {@link Builder#oracleFactory factory}. So no oracle state
   * carries from one run into the next, above all from a failing run into the re-runs that shrink
   * it.
   */
  List<Oracle> newOracles() {
    List<Oracle> all = new ArrayList<>(Oracles.standard());
    if (traffic != null) {
      all.addAll(RpcOracles.standard());
    }
    for (Supplier<? extends Oracle> f : extraOracles) {
      all.add(Objects.requireNonNull(f.get(), "an oracle factory returned null"));
    }
    return all;
  }

  /** Runs the simulation with its plan. */
  public SimulationResult run() {
    return run(plan());
  }

  /** Runs the simulation with {@code plan} instead of its own (same seed and everything else). */
  public SimulationResult run(FaultPlan plan) {
    return new Run(this, Objects.requireNonNull(plan, "plan")).execute();
  }

  /**
   * Shrinks the plan of a failed run by delta debugging: removes ever smaller groups of faults
   * while the run still violates the same invariant; then, with {@link Builder#rpc RPC traffic},
   * turns off each {@link RpcTraffic.Part part} of the traffic the failure does not need and slows
   * what is left as far as it still fails ({@link #shrinkTraffic}). Bounded by {@link
   * #MAX_SHRINK_RUNS} re-runs for the faults, plus one per traffic part and slow-down tried. Every
   * re-run builds its oracles afresh.
   *
   * @param failed a result of this simulation with a violation
   * @return a plan, no larger than the failed one, that still violates the same invariant; its
   *     {@code traffic} lines (printed first) name the traffic cut
   * @throws IllegalArgumentException if {@code failed} has no violation
   */
  public FaultPlan shrink(SimulationResult failed) {
    Violation v =
        failed
            .violation()
            .orElseThrow(() -> new IllegalArgumentException("the run passed; nothing to shrink"));
    Predicate<FaultPlan> fails = p -> sameFailure(run(p), v.invariant());
    // Sessions are independent except through partitions: first try the violating session's own
    // faults alone, which usually removes almost everything in one run.
    FaultPlan local = failed.plan().touching(v.session());
    FaultPlan start = v.session() >= 0 && fails.test(local) ? local : failed.plan();
    FaultPlan faults = shrink(start, fails);
    return traffic == null ? faults : shrinkTraffic(faults, fails);
  }

  /**
   * The traffic half of shrinking: turns off, one at a time in {@link RpcTraffic.Part} order, each
   * part of the traffic without which {@code fails} still holds, then doubles the slow-down (2, 4,
   * … up to {@link RpcTraffic#MAX_SLOWER}) while it still holds. At most one re-run per part and
   * per doubling.
   *
   * @param plan a plan for which {@code fails} holds
   * @param fails whether a plan still shows the failure
   * @return {@code plan}'s faults with the traffic cut as far as {@code fails} still holds
   */
  /** The traffic's parts with a rate, which {@code traffic slower N} slows down. */
  private static final Set<RpcTraffic.Part> PACED =
      EnumSet.of(
          RpcTraffic.Part.REQUESTS,
          RpcTraffic.Part.EVENTS,
          RpcTraffic.Part.SERVER_REQUESTS,
          RpcTraffic.Part.TOGGLE);

  static FaultPlan shrinkTraffic(FaultPlan plan, Predicate<FaultPlan> fails) {
    FaultPlan current = plan;
    for (RpcTraffic.Part part : RpcTraffic.Part.values()) {
      if (current.trafficOff().contains(part)) {
        continue;
      }
      EnumSet<RpcTraffic.Part> off = EnumSet.of(part);
      off.addAll(current.trafficOff());
      FaultPlan candidate = current.withTraffic(off, current.trafficSlower());
      if (fails.test(candidate)) {
        current = candidate;
      }
    }
    // Slowing down matters only while some paced part still runs.
    boolean paced = !current.trafficOff().containsAll(PACED);
    for (int slower = current.trafficSlower() * 2;
        paced && slower <= RpcTraffic.MAX_SLOWER;
        slower *= 2) {
      FaultPlan candidate = current.withTraffic(current.trafficOff(), slower);
      if (!fails.test(candidate)) {
        break;
      }
      current = candidate;
    }
    return current;
  }

  private static boolean sameFailure(SimulationResult r, String invariant) {
    return r.violation().map(x -> x.invariant().equals(invariant)).orElse(false);
  }

  /**
   * Delta debugging (ddmin) over the faults of {@code plan}, for properties that span runs (such as
   * I9: two runs of a plan give different trace hashes): removes ever smaller groups of faults
   * while {@code fails} still holds. Bounded by {@link #MAX_SHRINK_RUNS} calls of {@code fails}.
   *
   * @param plan a plan for which {@code fails} holds
   * @param fails whether a plan still shows the failure
   * @return a plan, no larger than {@code plan}, for which {@code fails} holds
   */
  public static FaultPlan shrink(FaultPlan plan, Predicate<FaultPlan> fails) {
    FaultPlan current = plan;
    int runs = 0;
    int chunk = Math.max(1, current.size() / 2);
    while (current.size() > 0 && runs < MAX_SHRINK_RUNS) {
      boolean removed = false;
      for (int start = 0; start < current.size() && runs < MAX_SHRINK_RUNS; ) {
        FaultPlan candidate = current.without(start, Math.min(current.size(), start + chunk));
        runs++;
        if (fails.test(candidate)) {
          current = candidate;
          removed = true;
        } else {
          start += chunk;
        }
      }
      if (!removed) {
        if (chunk == 1) {
          break;
        }
        chunk = Math.max(1, chunk / 2);
      } else {
        chunk = Math.min(chunk, Math.max(1, current.size()));
      }
    }
    return current;
  }

  /** Configures a {@link Simulation}. Not thread-safe. */
  public static final class Builder {
    private long seed = 1;
    private int sessions = 10;
    private Duration duration = Duration.ofHours(1);
    private FaultProfile profile = FaultProfile.FLAKY;
    private double intensity = 1.0;
    private Regime regime = Regime.SAFETY;
    private FaultPlan plan;
    private IntFunction<BackoffPolicy> policies = Builder::defaultPolicy;
    private UnaryOperator<LifecycleListener> listenerDecorator = UnaryOperator.identity();
    private final List<Supplier<? extends Oracle>> extraOracles = new ArrayList<>();
    private Consumer<String> traceSink;
    private int timelines;
    private LongConsumer progress = t -> {};
    private ObjIntConsumer<Connection> onConnection = (c, i) -> {};
    private Duration handshakeUpTo = Duration.ZERO;
    private RpcTraffic traffic;
    private ObjIntConsumer<RpcConnection> onRpcConnection = (c, i) -> {};

    private Builder() {}

    /**
     * Every fourth session uses the default policy (10 attempts, flap guard on), every fourth
     * retries without limit but keeps the default flap guard, and the other half retry forever:
     * unlimited attempts and no flap guard. So a flapping server or a crash loop shows both what
     * the guard ends and what runs on without it (I10).
     */
    static BackoffPolicy defaultPolicy(int session) {
      return switch (session % 4) {
        case 0 -> BackoffPolicy.defaults();
        case 1 -> UNLIMITED_GUARDED;
        default -> FOREVER;
      };
    }

    private static final BackoffPolicy UNLIMITED_GUARDED =
        BackoffPolicy.builder().unlimitedAttempts().build();

    private static final BackoffPolicy FOREVER =
        BackoffPolicy.builder().unlimitedAttempts().noFlapGuard().build();

    /** The seed; everything random in the run derives from it. */
    public Builder seed(long seed) {
      this.seed = seed;
      return this;
    }

    /**
     * Number of simulated connections, each with its own server.
     *
     * @throws IllegalArgumentException if {@code sessions < 1}
     */
    public Builder sessions(int sessions) {
      if (sessions < 1) {
        throw new IllegalArgumentException("sessions must be >= 1, was " + sessions);
      }
      this.sessions = sessions;
      return this;
    }

    /**
     * Simulated time to cover.
     *
     * @throws IllegalArgumentException if not positive
     */
    public Builder duration(Duration duration) {
      if (duration.isNegative() || duration.isZero()) {
        throw new IllegalArgumentException("duration must be positive, was " + duration);
      }
      this.duration = duration;
      return this;
    }

    /** Random faults of {@code profile} at intensity 1 (ignored if an explicit plan is set). */
    public Builder faults(FaultProfile profile) {
      return faults(profile, 1.0);
    }

    /**
     * Random faults of {@code profile}, rates multiplied by {@code intensity}.
     *
     * @throws IllegalArgumentException if {@code intensity} is negative or not finite
     */
    public Builder faults(FaultProfile profile, double intensity) {
      if (!(intensity >= 0 && Double.isFinite(intensity))) {
        throw new IllegalArgumentException("intensity must be >= 0, was " + intensity);
      }
      this.profile = Objects.requireNonNull(profile, "profile");
      this.intensity = intensity;
      return this;
    }

    /** An explicit fault plan instead of a random one. */
    public Builder plan(FaultPlan plan) {
      this.plan = Objects.requireNonNull(plan, "plan");
      return this;
    }

    /** Safety (faults throughout) or liveness (faults heal at half time; I8 checked). */
    public Builder regime(Regime regime) {
      this.regime = Objects.requireNonNull(regime, "regime");
      return this;
    }

    /** The backoff policy of each session, by index. */
    public Builder policies(IntFunction<BackoffPolicy> policies) {
      this.policies = Objects.requireNonNull(policies, "policies");
      return this;
    }

    /**
     * Wraps the oracles' subscriber before it subscribes: put your own listener pipeline (a queue,
     * an adapter) between the connection and the oracles, and the oracles check what it delivers.
     */
    public Builder listenerDecorator(UnaryOperator<LifecycleListener> decorator) {
      this.listenerDecorator = Objects.requireNonNull(decorator, "decorator");
      return this;
    }

    /**
     * Adds an oracle to the standard ones: this one instance watches every run of the simulation,
     * re-runs while {@link Simulation#shrink shrinking} included. For an oracle that remembers
     * anything between callbacks use {@link #oracleFactory}, or state from one run leaks into the
     * next and the shrink goes wrong.
     */
    public Builder oracle(Oracle oracle) {
      Objects.requireNonNull(oracle, "oracle");
      extraOracles.add(() -> oracle);
      return this;
    }

    /**
     * Adds an oracle to the standard ones, a new one from {@code factory} for every run: each
     * re-run while {@link Simulation#shrink shrinking} starts with an oracle that has seen nothing,
     * as the standard oracles do.
     */
    public Builder oracleFactory(Supplier<? extends Oracle> factory) {
      extraOracles.add(Objects.requireNonNull(factory, "factory"));
      return this;
    }

    /** Receives every trace record as a JSON line. */
    public Builder traceSink(Consumer<String> sink) {
      this.traceSink = Objects.requireNonNull(sink, "sink");
      return this;
    }

    /**
     * Keeps the state timelines of the first {@code count} sessions, for reports.
     *
     * @throws IllegalArgumentException if negative
     */
    public Builder timelines(int count) {
      if (count < 0) {
        throw new IllegalArgumentException("timelines must be >= 0, was " + count);
      }
      this.timelines = count;
      return this;
    }

    /** Receives the simulated time in ms after every simulated minute. */
    public Builder progress(LongConsumer progress) {
      this.progress = Objects.requireNonNull(progress, "progress");
      return this;
    }

    /**
     * Called with each session's connection and index right after the connection is built, before
     * it starts and before the oracles subscribe: wire your own code to it here.
     */
    public Builder onConnection(ObjIntConsumer<Connection> hook) {
      this.onConnection = Objects.requireNonNull(hook, "hook");
      return this;
    }

    /**
     * Every session's connection runs a handshake on each new channel, which the simulated server
     * completes after a time drawn from [0, {@code upTo}] (from the session's seed). So attempts
     * spend a while with an open channel before they are up, and closes, drops and connect timeouts
     * meet them there: the oracles then check what a close during the handshake leaves behind (I4).
     * {@link Duration#ZERO}, the default, runs no handshake.
     *
     * @throws IllegalArgumentException if {@code upTo} is negative
     */
    public Builder handshakes(Duration upTo) {
      Objects.requireNonNull(upTo, "upTo");
      if (upTo.isNegative()) {
        throw new IllegalArgumentException("handshake time must not be negative, was " + upTo);
      }
      this.handshakeUpTo = upTo;
      return this;
    }

    /**
     * Makes sessions RPC sessions: an {@code RpcConnection} against a scripted JSON-RPC server,
     * driven by {@code traffic}, with the {@link RpcOracles} checked besides the connection ones,
     * and the model's own faults (floods, write stalls) added to the drawn plan.
     */
    public Builder rpc(RpcTraffic traffic) {
      this.traffic = Objects.requireNonNull(traffic, "traffic");
      return this;
    }

    /**
     * Called with each RPC session's client and index right after it is built, before it starts:
     * wire your own client code to it here (listen, make requests on the simulation's clock). Then
     * {@link #onConnection} is called with its underlying connection.
     */
    public Builder onRpcConnection(ObjIntConsumer<RpcConnection> hook) {
      this.onRpcConnection = Objects.requireNonNull(hook, "hook");
      return this;
    }

    /** Builds the simulation. */
    public Simulation build() {
      return new Simulation(this);
    }
  }
}
