package dev.tether.session;

import dev.tether.runtime.Connection;
import dev.tether.runtime.spi.Scheduler;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs a {@link SessionsModel}: feeds it messages, performs its actions with real {@link
 * Connection}s (any transport), and publishes an immutable snapshot that any thread (a UI) may read
 * at any time with {@link #snapshot()}.
 *
 * <p>The model and all actions are confined to one {@link Scheduler} context; public methods are
 * thread-safe and hop onto it. Connections may run on other contexts; their events hop over.
 */
public final class SessionsRuntime implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(SessionsRuntime.class);

  /** Default time between telemetry polls. */
  public static final Duration DEFAULT_POLL_INTERVAL = Duration.ofSeconds(1);

  /** Creates the connection for one run of a session. It must not be started yet. */
  @FunctionalInterface
  public interface ConnectionFactory {
    /**
     * Creates a connection.
     *
     * @param session the session id
     * @param generation the run number
     */
    Connection create(String session, long generation);
  }

  /** Collects one round of telemetry over a session's connection (for example by RPC). */
  @FunctionalInterface
  public interface TelemetrySource {
    /**
     * Polls once. Called on the runtime's context.
     *
     * @param session the session id
     * @param connection its connection
     * @param epoch the poller's epoch
     * @return the samples, or a failure (logged at warn)
     */
    CompletionStage<List<TelemetrySample>> poll(String session, Connection connection, long epoch);
  }

  private final Scheduler scheduler;
  private final ConnectionFactory connections;
  private final TelemetrySource telemetry;
  private final Duration pollInterval;

  // Confined to the scheduler's context.
  private SessionsModel model;
  private final ArrayDeque<Pending> inbox = new ArrayDeque<>();
  private boolean dispatching;
  private final Map<String, Live> live = new HashMap<>();
  private final Map<String, PollerHandle> pollers = new HashMap<>();
  private final List<Consumer<SessionsModel>> changeListeners = new ArrayList<>();

  private volatile SessionsModel snapshot;

  /**
   * Creates a runtime.
   *
   * @param scheduler the context the model is confined to
   * @param config the model's bounds
   * @param connections creates a connection per session run
   * @param telemetry polls telemetry
   * @param pollInterval time between polls
   * @throws IllegalArgumentException if {@code pollInterval} is not positive
   */
  public SessionsRuntime(
      Scheduler scheduler,
      SessionsConfig config,
      ConnectionFactory connections,
      TelemetrySource telemetry,
      Duration pollInterval) {
    this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
    this.connections = Objects.requireNonNull(connections, "connections");
    this.telemetry = Objects.requireNonNull(telemetry, "telemetry");
    if (pollInterval.isNegative() || pollInterval.isZero()) {
      throw new IllegalArgumentException("pollInterval must be positive, was " + pollInterval);
    }
    this.pollInterval = pollInterval;
    this.model = SessionsModel.empty(config);
    this.snapshot = model;
  }

  /** The latest model. Safe to call from any thread; the value is immutable. */
  public SessionsModel snapshot() {
    return snapshot;
  }

  /**
   * Adds a session (or restarts a stopped one) and connects it.
   *
   * @return completes when applied, or fails with {@link IllegalStateException} giving the reason
   *     it was rejected (for example: too many sessions and none stopped)
   */
  public CompletionStage<Void> add(String session) {
    return send(new Msg.Added(session));
  }

  /** Marks a session's remote process as stopped and disconnects it. */
  public CompletionStage<Void> stop(String session) {
    return send(new Msg.Stopped(session));
  }

  /** Removes a session. */
  public CompletionStage<Void> remove(String session) {
    return send(new Msg.Removed(session));
  }

  /** Makes a session the active one. */
  public CompletionStage<Void> activate(String session) {
    return send(new Msg.Activate(session));
  }

  /** Calls {@code listener} on the runtime's context after every change of the model. */
  public void onChange(Consumer<SessionsModel> listener) {
    Objects.requireNonNull(listener, "listener");
    onContext(() -> changeListeners.add(listener));
  }

  /** Live pollers per session, for tests and diagnostics. Call on the runtime's context. */
  public int livePollers() {
    return pollers.size();
  }

  /** Closes every session's connection and stops every poller. */
  @Override
  public void close() {
    onContext(
        () -> {
          for (Session s : List.copyOf(model.sessions())) {
            dispatch(new Msg.Removed(s.id()), null);
          }
        });
  }

  private CompletionStage<Void> send(Msg msg) {
    CompletableFuture<Void> done = new CompletableFuture<>();
    onContext(() -> dispatch(msg, done));
    return done;
  }

  private void onContext(Runnable task) {
    if (scheduler.inContext()) {
      task.run();
    } else {
      scheduler.execute(task);
    }
  }

  private void dispatch(Msg msg, CompletableFuture<Void> done) {
    inbox.add(new Pending(msg, done));
    if (dispatching) {
      return;
    }
    dispatching = true;
    try {
      Pending p;
      while ((p = inbox.poll()) != null) {
        apply(p);
      }
    } finally {
      dispatching = false;
    }
  }

  private void apply(Pending p) {
    SessionsModel.Update u = model.update(p.msg());
    boolean changed = !u.model().equals(model);
    model = u.model();
    snapshot = model;
    // Observers see the model of this update before its actions cause further messages.
    if (changed) {
      for (Consumer<SessionsModel> l : List.copyOf(changeListeners)) {
        try {
          l.accept(model);
        } catch (RuntimeException e) {
          log.warn("session change listener threw", e);
        }
      }
    }
    String rejected = null;
    for (Action a : u.actions()) {
      if (a instanceof Action.Rejected r) {
        rejected = r.reason();
        log.warn("session message rejected: {}: {}", r.msg(), r.reason());
      } else {
        perform(a);
      }
    }
    if (p.done() != null) {
      if (rejected == null) {
        p.done().complete(null);
      } else {
        p.done().completeExceptionally(new IllegalStateException(rejected));
      }
    }
  }

  private void perform(Action a) {
    if (a instanceof Action.Connect c) {
      connect(c.session(), c.generation());
    } else if (a instanceof Action.Disconnect d) {
      Live l = live.get(d.session());
      if (l != null && l.generation() == d.generation()) {
        live.remove(d.session());
        l.connection().close("session stopped");
      }
    } else if (a instanceof Action.StartPoller s) {
      startPoller(s.session(), s.epoch());
    } else if (a instanceof Action.StopPoller s) {
      PollerHandle h = pollers.remove(s.session());
      if (h == null || h.epoch != s.epoch()) {
        throw new IllegalStateException("S3 broken: stopping " + s + " but running " + h);
      }
      h.cancelled = true;
      h.timer.cancel();
    } else if (a instanceof Action.Poll p) {
      poll(p.session(), p.epoch());
    } else {
      throw new AssertionError("unexpected action " + a);
    }
  }

  private void connect(String session, long generation) {
    Live previous = live.remove(session);
    if (previous != null) {
      previous.connection().close("session restarted");
    }
    Connection c = connections.create(session, generation);
    live.put(session, new Live(generation, c));
    c.subscribe(e -> onContext(() -> dispatch(new Msg.Lifecycle(session, generation, e), null)));
    c.start();
  }

  private void startPoller(String session, long epoch) {
    if (pollers.containsKey(session)) {
      throw new IllegalStateException("S3 broken: second poller for " + session);
    }
    PollerHandle h = new PollerHandle(epoch);
    pollers.put(session, h);
    scheduleTick(session, h);
  }

  private void scheduleTick(String session, PollerHandle h) {
    h.timer =
        scheduler.schedule(
            pollInterval,
            () -> {
              if (!h.cancelled) {
                scheduleTick(session, h);
                dispatch(new Msg.PollerTick(session, h.epoch), null);
              }
            });
  }

  private void poll(String session, long epoch) {
    Live l = live.get(session);
    if (l == null) {
      return;
    }
    telemetry
        .poll(session, l.connection(), epoch)
        .whenComplete(
            (samples, err) ->
                onContext(
                    () -> {
                      if (err != null) {
                        log.warn("telemetry poll of {} (epoch {}) failed", session, epoch, err);
                        return;
                      }
                      for (TelemetrySample s : samples) {
                        dispatch(new Msg.Sample(session, epoch, s), null);
                      }
                    }));
  }

  private record Pending(Msg msg, CompletableFuture<Void> done) {}

  private record Live(long generation, Connection connection) {}

  private static final class PollerHandle {
    final long epoch;
    Scheduler.Cancellable timer;
    boolean cancelled;

    PollerHandle(long epoch) {
      this.epoch = epoch;
    }

    @Override
    public String toString() {
      return "poller(epoch " + epoch + ")";
    }
  }
}
