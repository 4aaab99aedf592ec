package dev.tether.session;

import dev.tether.machine.ConnectionState;
import dev.tether.machine.LifecycleEvent;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * The immutable multi-session model and its pure {@link #update} function.
 *
 * <p>The global status is {@link #globalStatus()}: the active session's status, derived on every
 * read and never stored, so a background session can never change it (S1) and switching sessions
 * changes it in the same update (S4). Pollers are derived too ({@link Session#pollerEpoch()}); the
 * update emits {@code StopPoller}/{@code StartPoller} as the difference between the poller before
 * and after, so the old poller always stops before the new one starts (S3).
 *
 * @param config the bounds
 * @param sessions the sessions, in the order they were added
 * @param active the active session's id, if any
 * @param nextOrder the order the next added session gets
 * @param nextGeneration the generation the next connection run gets
 */
public record SessionsModel(
    SessionsConfig config,
    List<Session> sessions,
    Optional<String> active,
    long nextOrder,
    long nextGeneration) {

  /** Longest accepted session id; ids show up in status bars and logs. */
  public static final int MAX_ID_LENGTH = 128;

  /** Validates and copies. */
  public SessionsModel {
    Objects.requireNonNull(config, "config");
    sessions = List.copyOf(sessions);
    Objects.requireNonNull(active, "active");
  }

  /** An empty model. */
  public static SessionsModel empty(SessionsConfig config) {
    return new SessionsModel(config, List.of(), Optional.empty(), 1, 1);
  }

  /** The session with this id, if present. */
  public Optional<Session> session(String id) {
    for (Session s : sessions) {
      if (s.id().equals(id)) {
        return Optional.of(s);
      }
    }
    return Optional.empty();
  }

  /** The global status: the active session's status (S1); empty when no session is active. */
  public Optional<ConnectionState> globalStatus() {
    return active.flatMap(this::session).map(Session::status);
  }

  /** The status bar text, such as {@code "Reconnecting (2/10)"}, or {@code "No session"}. */
  public String statusLabel() {
    return globalStatus().map(ConnectionState::label).orElse("No session");
  }

  /**
   * Applies {@code msg}: returns the next model and the actions to perform, in order. Pure.
   *
   * @throws NullPointerException if {@code msg} is null
   */
  public Update update(Msg msg) {
    Objects.requireNonNull(msg, "msg");
    Optional<Session> target = session(msg.session());
    if (msg instanceof Msg.Added added) {
      return add(added, target);
    }
    if (target.isEmpty()) {
      boolean fromRuntime =
          msg instanceof Msg.Lifecycle
              || msg instanceof Msg.Sample
              || msg instanceof Msg.PollerTick;
      // Late news about a removed session is expected (its connection's Closed event, a poll in
      // flight) and changes nothing; a user command naming no session is a mistake.
      return fromRuntime ? new Update(this, List.of()) : reject(msg, "no session " + msg.session());
    }
    Session s = target.get();
    if (msg instanceof Msg.Activate) {
      return new Update(withActive(Optional.of(s.id())), List.of());
    } else if (msg instanceof Msg.Stopped) {
      return s.stopped()
          ? new Update(this, List.of())
          : replace(s, s.withStopped(), new Action.Disconnect(s.id(), s.generation()));
    } else if (msg instanceof Msg.Removed) {
      return remove(s);
    } else if (msg instanceof Msg.Lifecycle l) {
      return lifecycle(s, l);
    } else if (msg instanceof Msg.Sample sample) {
      return sample(s, sample);
    } else if (msg instanceof Msg.PollerTick tick) {
      return s.pollerEpoch().equals(OptionalLong.of(tick.epoch()))
          ? new Update(this, List.of(new Action.Poll(s.id(), tick.epoch())))
          : new Update(this, List.of());
    }
    throw new AssertionError("unknown message " + msg);
  }

  private Update add(Msg.Added msg, Optional<Session> existing) {
    if (existing.isPresent()) {
      Session s = existing.get();
      if (!s.stopped()) {
        return reject(msg, "session " + s.id() + " is already running");
      }
      long gen = nextGeneration;
      SessionsModel m = withGeneration(gen + 1);
      return m.replace(s, s.restarted(gen), new Action.Connect(s.id(), gen));
    }
    SessionsModel base = this;
    if (sessions.size() >= config.maxSessions()) {
      Optional<Session> oldestStopped =
          sessions.stream().filter(Session::stopped).min(Comparator.comparingLong(Session::order));
      if (oldestStopped.isEmpty()) {
        return reject(
            msg,
            "at most "
                + config.maxSessions()
                + " sessions, and none is stopped; stop or remove one first");
      }
      base = without(oldestStopped.get());
    }
    long gen = base.nextGeneration;
    Session s =
        new Session(
            msg.session(),
            base.nextOrder,
            gen,
            new ConnectionState.Idle(),
            0,
            false,
            Telemetry.empty(config),
            0);
    List<Session> next = new ArrayList<>(base.sessions);
    next.add(s);
    Optional<String> act = base.active.isPresent() ? base.active : Optional.of(s.id());
    SessionsModel m = new SessionsModel(config, next, act, base.nextOrder + 1, gen + 1);
    return new Update(m, List.of(new Action.Connect(s.id(), gen)));
  }

  private Update remove(Session s) {
    SessionsModel m = without(s);
    List<Action> actions = new ArrayList<>();
    s.pollerEpoch().ifPresent(e -> actions.add(new Action.StopPoller(s.id(), e)));
    if (!s.stopped()) {
      actions.add(new Action.Disconnect(s.id(), s.generation()));
    }
    return new Update(m, actions);
  }

  private Update lifecycle(Session s, Msg.Lifecycle l) {
    if (l.generation() != s.generation() || s.stopped()) {
      return new Update(this, List.of()); // from an earlier run, or after the process stopped
    }
    LifecycleEvent e = l.event();
    long epoch = s.lastEpoch();
    Telemetry t = s.telemetry();
    if (e instanceof LifecycleEvent.Connected c) {
      if (c.epoch() <= epoch) {
        return new Update(this, List.of()); // stale epoch
      }
      epoch = c.epoch();
      t = Telemetry.empty(config); // S2: only an initial connect (a new run) resets telemetry
    } else if (e instanceof LifecycleEvent.Reconnected r) {
      if (r.epoch() <= epoch) {
        return new Update(this, List.of()); // stale epoch
      }
      epoch = r.epoch(); // S2: telemetry kept
    }
    return replace(s, s.withStatus(e.state(), epoch, t));
  }

  private Update sample(Session s, Msg.Sample m) {
    if (!s.pollerEpoch().equals(OptionalLong.of(m.epoch()))) {
      return new Update(withSession(s, s.withStaleDrop()), List.of()); // S3: stale sample
    }
    return new Update(withSession(s, s.withTelemetry(s.telemetry().with(m.sample()))), List.of());
  }

  /** Replaces a session and emits the poller difference (stop before start), then {@code extra}. */
  private Update replace(Session before, Session after, Action... extra) {
    List<Action> actions = new ArrayList<>();
    OptionalLong was = before.pollerEpoch();
    OptionalLong now = after.pollerEpoch();
    if (!was.equals(now)) {
      was.ifPresent(e -> actions.add(new Action.StopPoller(before.id(), e)));
      now.ifPresent(e -> actions.add(new Action.StartPoller(after.id(), e)));
    }
    actions.addAll(List.of(extra));
    return new Update(withSession(before, after), actions);
  }

  private SessionsModel withSession(Session before, Session after) {
    List<Session> next = new ArrayList<>(sessions);
    next.set(next.indexOf(before), after);
    return new SessionsModel(config, next, active, nextOrder, nextGeneration);
  }

  private SessionsModel without(Session s) {
    List<Session> next = new ArrayList<>(sessions);
    next.remove(s);
    Optional<String> act = active;
    if (act.equals(Optional.of(s.id()))) {
      act = next.stream().filter(x -> !x.stopped()).findFirst().map(Session::id);
    }
    return new SessionsModel(config, next, act, nextOrder, nextGeneration);
  }

  private SessionsModel withActive(Optional<String> act) {
    return new SessionsModel(config, sessions, act, nextOrder, nextGeneration);
  }

  private SessionsModel withGeneration(long next) {
    return new SessionsModel(config, sessions, active, nextOrder, next);
  }

  private Update reject(Msg msg, String reason) {
    return new Update(this, List.of(new Action.Rejected(msg, reason)));
  }

  static void checkId(String id) {
    Objects.requireNonNull(id, "session");
    if (id.isEmpty()
        || id.length() > MAX_ID_LENGTH
        || id.chars().anyMatch(Character::isISOControl)) {
      throw new IllegalArgumentException(
          "session id must be 1-" + MAX_ID_LENGTH + " characters without control characters");
    }
  }

  /**
   * The result of {@link #update}.
   *
   * @param model the next model
   * @param actions what to do, in order
   */
  public record Update(SessionsModel model, List<Action> actions) {
    /** Validates and copies. */
    public Update {
      Objects.requireNonNull(model, "model");
      actions = List.copyOf(actions);
    }
  }
}
