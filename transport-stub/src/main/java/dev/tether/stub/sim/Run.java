package dev.tether.stub.sim;

import dev.tether.machine.Cause;
import dev.tether.machine.ConnectionState;
import dev.tether.machine.LifecycleEvent;
import dev.tether.runtime.Connection;
import dev.tether.stub.StubNetwork;
import dev.tether.stub.VirtualScheduler;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.TreeMap;

/** One execution of a {@link Simulation}: fresh clock, network, sessions and trace. */
final class Run {
  /** Time after the run for closes, late opens and listener pipelines to settle. */
  static final Duration SETTLE = Duration.ofMinutes(5);

  /** How long a restarted remote process is down. */
  static final long RESTART_DOWN_MILLIS = 2_000;

  final Simulation sim;
  final FaultPlan plan;
  final VirtualScheduler clock = new VirtualScheduler();
  final StubNetwork network = new StubNetwork(clock);
  final Trace trace;
  final List<Oracle> oracles;
  final RpcTraffic traffic; // the simulation's, cut as the plan says; null without RPC sessions
  final List<SimSession> sessions = new ArrayList<>();
  Violation violation;
  long transitions;
  long lifecycleEvents;
  long faultsApplied;
  long permanentlyDisconnected;
  long closedByUser;
  long reconnected;
  long highAttempts;
  long closeDuringBackoff;
  long staleCallbacks;
  long halfOpen;
  long writesBlocked;
  long flapping;
  private int cursor;

  Run(Simulation sim, FaultPlan plan) {
    this.sim = sim;
    this.plan = plan;
    this.trace = new Trace(sim.traceSink);
    this.oracles = sim.newOracles(); // fresh for every run: nothing carries into a shrink's re-run
    this.traffic =
        sim.traffic == null ? null : sim.traffic.cut(plan.trafficOff(), plan.trafficSlower());
  }

  SimulationResult execute() {
    long wallStart = System.nanoTime(); // wall time only for the report, never for behaviour
    SplittableRandom root = new SplittableRandom(sim.seed);
    for (int i = 0; i < sim.sessions; i++) {
      sessions.add(new SimSession(this, i, sim.policies.apply(i), root.split()));
    }
    for (SimSession s : sessions) {
      s.start();
    }
    scheduleNextFault();
    if (sim.regime == Regime.LIVENESS) {
      scheduleLivenessChecks();
    }
    long end = sim.duration.toNanos();
    while (clock.nanoTime() < end && violation == null) {
      clock.advance(Duration.ofNanos(Math.min(Simulation.SLICE.toNanos(), end - clock.nanoTime())));
      sim.progress.accept(clock.nanoTime() / 1_000_000);
    }
    Map<String, Long> finalStates = new TreeMap<>();
    for (SimSession s : sessions) {
      finalStates.merge(s.connection.state().name(), 1L, Long::sum);
    }
    if (violation == null) {
      finish();
    }
    return new SimulationResult(
        sim.seed,
        sim.sessions,
        sim.duration.toSeconds(),
        transitions,
        lifecycleEvents,
        faultsApplied,
        trace.hash(),
        (System.nanoTime() - wallStart) / 1_000_000,
        Optional.ofNullable(violation),
        new Coverage(
            permanentlyDisconnected,
            closedByUser,
            reconnected,
            highAttempts,
            closeDuringBackoff,
            staleCallbacks,
            halfOpen,
            slowReaderFrames(),
            writesBlocked,
            flapping,
            abandonedOpens(),
            lateAcceptsClosed()),
        finalStates,
        timelines(),
        plan);
  }

  /** Closes the survivors, lets everything settle, then runs the end-of-run checks (I1, I4). */
  private void finish() {
    for (SimSession s : sessions) {
      if (!s.connection.state().isTerminal()) {
        s.close("simulation ended");
      }
    }
    clock.advance(SETTLE);
    for (SimSession s : sessions) {
      s.lateSubscriberCheck();
      for (Oracle o : oracles) {
        report(o.invariant(), s, o.atEnd(s));
        report(o.invariant(), s, o.onCheck(s));
      }
    }
    if (violation == null && clock.pendingTasks() != 0) {
      violate(
          "I4",
          null,
          clock.pendingTasks() + " timer(s) or task(s) still live after every session terminated");
    }
  }

  private void scheduleLivenessChecks() {
    long healNanos = Duration.ofMillis(sim.regime.healMillis(sim.duration.toMillis())).toNanos();
    long lastNanos = sim.duration.toNanos() - 1;
    for (SimSession s : sessions) {
      Duration bound = Oracles.recoveryBound(s.policy);
      long at = healNanos + bound.toNanos();
      if (Regime.livenessFits(Duration.ofNanos(healNanos), bound, sim.duration)) {
        // (else Regime.livenessUnchecked says why not)
        clock.schedule(Duration.ofNanos(at), () -> afterHeal(s, healNanos));
        // ... and it must stay that way while the network stays healthy.
        clock.schedule(Duration.ofNanos(lastNanos), () -> afterHeal(s, healNanos));
      }
    }
  }

  private void afterHeal(SimSession s, long healNanos) {
    for (Oracle o : oracles) {
      report(o.invariant(), s, o.afterHeal(s, healNanos));
    }
  }

  // ------------------------------------------------------------------ faults

  private void scheduleNextFault() {
    if (cursor >= plan.size()) {
      return;
    }
    long at = Duration.ofMillis(plan.faults().get(cursor).atMillis()).toNanos();
    clock.schedule(Duration.ofNanos(Math.max(0, at - clock.nanoTime())), this::applyDueFaults);
  }

  private void applyDueFaults() {
    long nowMillis = clock.nanoTime() / 1_000_000;
    while (cursor < plan.size() && plan.faults().get(cursor).atMillis() <= nowMillis) {
      Fault f = plan.faults().get(cursor++);
      if (f.session() < sessions.size()) {
        apply(f);
      }
    }
    scheduleNextFault();
  }

  private void apply(Fault f) {
    faultsApplied++;
    trace.record(clock.nanoTime(), f.session(), FaultPlan.keyword(f.kind()), f.lengthMillis(), 0);
    SimSession s = sessions.get(f.session());
    s.remember(f);
    switch (f.kind()) {
      case OUTAGE -> window(f, s, SimSession::goDown, SimSession::comeUp);
      case HANG -> window(f, s, SimSession::hangOn, SimSession::hangOff);
      case SLOW -> {
        long latency = ((Fault.Window) f).param();
        window(f, s, x -> x.slowOn(latency), x -> x.slowOff(latency));
      }
      case FLAP -> new Flap(this, s, ((Fault.Window) f).param(), f.lengthMillis()).start();
      case PARTITION -> {
        int last = Math.min(((Fault.Window) f).lastSession(), sessions.size() - 1);
        for (int i = f.session(); i <= last; i++) {
          window(f, sessions.get(i), SimSession::partitionOn, SimSession::hangOff);
        }
      }
      case DROP -> s.drop("dropped mid-stream");
      case HALF_OPEN -> s.silence();
      case RESTART -> {
        s.drop("remote process restarted");
        window(
            new Fault.Window(Fault.Kind.OUTAGE, f.session(), f.atMillis(), RESTART_DOWN_MILLIS, 0),
            s,
            SimSession::goDown,
            SimSession::comeUp);
      }
      case CLOSE -> s.userClose();
      case SLOW_READER -> {
        long perFrame = ((Fault.Window) f).param();
        window(f, s, x -> x.slowReaderOn(perFrame), x -> x.slowReaderOff(perFrame));
      }
      case SLOW_CONSUMER -> {
        long perFrame = ((Fault.Window) f).param();
        window(f, s, x -> x.slowConsumerOn(perFrame), x -> x.slowConsumerOff(perFrame));
      }
      case CRASH_LOOP -> {
        long after = ((Fault.Window) f).param();
        window(f, s, x -> x.crashLoopOn(after), x -> x.crashLoopOff(after));
      }
      case REJECT -> window(f, s, SimSession::rejectOn, SimSession::rejectOff);
      case MOVE -> window(f, s, SimSession::moveOn, SimSession::moveOff);
      case FATAL -> s.fatalClose();
      case SERVICE_RESTART -> {
        s.serviceRestart();
        window(
            new Fault.Window(Fault.Kind.OUTAGE, f.session(), f.atMillis(), RESTART_DOWN_MILLIS, 0),
            s,
            SimSession::goDown,
            SimSession::comeUp);
      }
      case RETRY_NOW -> s.retryNow();
      case FLOOD -> {
        long perSecond = ((Fault.Window) f).param();
        window(f, s, x -> x.floodOn(perSecond), SimSession::floodOff);
      }
      case WRITE_STALL -> s.writeStallOn(((Fault.Window) f).param());
    }
    check(s);
  }

  private void window(
      Fault f,
      SimSession s,
      java.util.function.Consumer<SimSession> on,
      java.util.function.Consumer<SimSession> off) {
    on.accept(s);
    clock.schedule(
        Duration.ofMillis(f.lengthMillis()),
        () -> {
          off.accept(s);
          check(s);
        });
  }

  // ------------------------------------------------------------------ observation

  void observe(SimSession s, LifecycleEvent prev, LifecycleEvent e) {
    lifecycleEvents++;
    for (Oracle o : oracles) {
      report(o.invariant(), s, o.onEvent(s, prev, e));
    }
  }

  /** Called for every event the connection emits (before any listener pipeline). */
  void probe(SimSession s, LifecycleEvent e) {
    transitions++;
    long a = 0;
    long b = 0;
    if (e instanceof LifecycleEvent.Connecting c) {
      a = c.attempt();
      b = c.delay().toNanos();
    } else if (e instanceof LifecycleEvent.Reconnecting r) {
      a = r.attempt();
      b = r.delay().toNanos();
    } else if (e instanceof LifecycleEvent.Connected c) {
      a = c.epoch();
    } else if (e instanceof LifecycleEvent.Reconnected r) {
      a = r.epoch();
      b = r.attempts();
      reconnected++;
    } else if (e instanceof LifecycleEvent.PermanentlyDisconnected pd) {
      a = pd.attempts();
      permanentlyDisconnected++;
      if (pd.cause().kind() == Cause.Kind.FLAPPING) {
        flapping++;
      }
    }
    if ((e instanceof LifecycleEvent.Connecting || e instanceof LifecycleEvent.Reconnecting)
        && a >= Coverage.HIGH_ATTEMPT) {
      highAttempts++;
    }
    trace.record(clock.nanoTime(), s.index, e.name(), a, b);
    for (Oracle o : oracles) {
      report(o.invariant(), s, o.onEmit(s, e));
    }
  }

  void check(SimSession s) {
    for (Oracle o : oracles) {
      report(o.invariant(), s, o.onCheck(s));
    }
  }

  void report(String invariant, SimSession s, String message) {
    if (message != null) {
      violate(invariant, s, message);
    }
  }

  void violate(String invariant, SimSession s, String message) {
    if (violation == null) {
      violation =
          new Violation(
              invariant,
              s == null ? -1 : s.index,
              clock.nanoTime(),
              message,
              s == null ? List.of() : s.recent());
    }
  }

  private long abandonedOpens() {
    long n = 0;
    for (SimSession s : sessions) {
      n += s.abandonedOpens();
    }
    return n;
  }

  private long lateAcceptsClosed() {
    long n = 0;
    for (SimSession s : sessions) {
      n += s.lateAcceptsClosed;
    }
    return n;
  }

  private long slowReaderFrames() {
    long n = 0;
    for (SimSession s : sessions) {
      n += s.slowReaderFrames();
    }
    return n;
  }

  private List<Timeline> timelines() {
    List<Timeline> out = new ArrayList<>();
    for (SimSession s : sessions) {
      if (s.timeline != null) {
        out.add(
            new Timeline(s.index, s.timeline, s.rpc == null ? Map.of() : s.rpc.requestOutcomes()));
      }
    }
    return out;
  }

  static boolean inBackoff(Connection c, long sinceNanos, long nowNanos) {
    ConnectionState st = c.state();
    Duration delay;
    if (st instanceof ConnectionState.Reconnecting r) {
      delay = r.delay();
    } else if (st instanceof ConnectionState.Connecting c1) {
      delay = c1.delay();
    } else {
      return false;
    }
    return nowNanos < sinceNanos + delay.toNanos();
  }
}
