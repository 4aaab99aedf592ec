package dev.tether.model.reference;

import dev.tether.machine.Cause;
import dev.tether.machine.ConnectionState;
import dev.tether.machine.Effect;
import dev.tether.machine.Effect.TimerKind;
import dev.tether.machine.LifecycleEvent;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;
import org.springframework.messaging.support.MessageBuilder;
import org.springframework.statemachine.StateMachine;
import org.springframework.statemachine.config.StateMachineBuilder;
import org.springframework.statemachine.config.builders.StateMachineTransitionConfigurer;
import reactor.core.publisher.Mono;

/**
 * An independent reference model of the connection machine, written from DESIGN.md and the effect
 * documentation with Spring Statemachine 4.0.2: stages as states, retry limits, the flap guard and
 * the attempt a callback names as guards, and the expected effects (timers, opens, closes,
 * handshakes, emitted events, in order) built by the transitions' actions. It reads the policy as
 * numbers ({@link Params}), never through {@code BackoffPolicy}, and keeps its own attempt ids and
 * epochs, so a machine that numbers, times or words anything differently disagrees with it.
 *
 * <p>What it models, beyond the stage: every new attempt (the first, and each retry) takes the next
 * attempt id; its channel and its timers carry that id; the epoch grows by one at every connect;
 * retry {@code n} of an outage (reconnect attempt {@code n}, initial attempt {@code n + 1}) waits
 * {@code min(initial × multiplier^(n-1), max) × (1 + jitter × (2r - 1))}, rounded to the
 * nanosecond, for the step's draw {@code r}; a {@code _PROMPT} failure makes the outage's first
 * retry wait nothing; a {@code _FATAL} one ends the connection at once with cause {@code FATAL} and
 * the failure's message (its kind's name if it has none); fail-fast ends it at a failed first
 * attempt of the initial connect. A callback naming any other attempt than the current one changes
 * nothing, except that a channel that opens for an attempt nobody waits for is closed at once.
 *
 * <p>The flap guard (I10) is modelled as written in DESIGN.md, differently from the machine: every
 * loss of an established connection is kept (the machine keeps only those still inside the window),
 * and a loss ends the connection when more than the limit of all kept losses, this one included,
 * are less than the window old.
 *
 * <p>Not thread-safe; one instance per sequence.
 */
final class SpringReferenceMachine {
  enum S {
    IDLE,
    WAITING,
    OPENING,
    HANDSHAKING,
    UP,
    PERMANENT,
    CLOSED
  }

  enum E {
    START,
    OPENED,
    OPEN_FAILED,
    HANDSHAKE_OK,
    HANDSHAKE_FAILED,
    TIMEOUT,
    LOST,
    BACKOFF,
    CLOSE,
    OPEN_FAILED_FATAL,
    HANDSHAKE_FAILED_FATAL,
    LOST_FATAL,
    OPEN_FAILED_PROMPT,
    HANDSHAKE_FAILED_PROMPT,
    LOST_PROMPT,
    RECONNECT_NOW
  }

  /** The reason every close of the test gives. */
  static final String CLOSE_REASON = "test";

  /**
   * The policy, as numbers.
   *
   * @param maxAttempts attempts per outage, or -1 for no limit
   * @param flapLimit losses tolerated within the flap window, or -1 for no flap guard
   * @param flapWindow the flap window, in whole seconds (ignored without a flap guard)
   * @param handshake whether an opened channel runs a handshake before the connection is up
   * @param failFast whether a failed first attempt of the initial connect ends the connection
   * @param initialDelay the first retry's delay before jitter
   * @param multiplier growth between consecutive delays
   * @param maxDelay cap on the delay before jitter
   * @param jitter the jitter fraction
   * @param connectTimeout time allowed for an attempt to open (and finish its handshake)
   */
  record Params(
      int maxAttempts,
      int flapLimit,
      Duration flapWindow,
      boolean handshake,
      boolean failFast,
      Duration initialDelay,
      double multiplier,
      Duration maxDelay,
      double jitter,
      Duration connectTimeout) {}

  private enum Verdict {
    RETRY,
    PROMPTLY,
    FATAL
  }

  private final StateMachine<S, E> machine;
  private final Params p;
  private final List<Long> losses = new ArrayList<>();

  // The extended state. Plain fields: the actions are this class's own lambdas.
  private long id; // the current (latest) attempt's id; its channel and timers carry it
  private long epoch;
  private int attempt;
  private boolean reconnect;
  private Duration delay = Duration.ZERO;
  private Cause cause; // why the previous attempt failed or the channel was lost; null at first
  private long outageStartNanos;
  private ConnectionState terminal;

  // The event being sent: the attempt it names, its cause, its time and its random draw.
  private long eventId;
  private Cause eventCause;
  private long nowNanos;
  private double random;
  private final List<Effect> effects = new ArrayList<>();

  SpringReferenceMachine(Params params) throws Exception {
    this.p = params;
    StateMachineBuilder.Builder<S, E> b = StateMachineBuilder.builder();
    b.configureConfiguration().withConfiguration().autoStartup(false);
    b.configureStates()
        .withStates()
        .initial(S.IDLE)
        .states(EnumSet.allOf(S.class))
        .end(S.PERMANENT)
        .end(S.CLOSED);
    var t = b.configureTransitions();
    t.withExternal().source(S.IDLE).target(S.OPENING).event(E.START).action(c -> begin());
    t.withExternal()
        .source(S.WAITING)
        .target(S.OPENING)
        .event(E.BACKOFF)
        .guard(c -> current())
        .action(c -> open());
    t.withExternal()
        .source(S.WAITING)
        .target(S.OPENING)
        .event(E.RECONNECT_NOW)
        .action(
            c -> {
              effects.add(new Effect.CancelTimer(TimerKind.BACKOFF, id));
              open();
            });
    if (p.handshake()) {
      t.withExternal()
          .source(S.OPENING)
          .target(S.HANDSHAKING)
          .event(E.OPENED)
          .guard(c -> current())
          .action(c -> effects.add(new Effect.StartHandshake(id)));
      t.withExternal()
          .source(S.HANDSHAKING)
          .target(S.UP)
          .event(E.HANDSHAKE_OK)
          .guard(c -> current())
          .action(c -> up());
    } else {
      t.withExternal()
          .source(S.OPENING)
          .target(S.UP)
          .event(E.OPENED)
          .guard(c -> current())
          .action(c -> up());
    }
    losses(t);
    failures(t);
    for (S s : EnumSet.of(S.IDLE, S.WAITING, S.OPENING, S.HANDSHAKING, S.UP)) {
      t.withExternal().source(s).target(S.CLOSED).event(E.CLOSE).action(c -> close(s));
    }
    machine = b.build();
    machine.startReactively().block();
  }

  /** The loss of an established channel: fatal, flapping, or the start of an outage. */
  private void losses(StateMachineTransitionConfigurer<S, E> t) throws Exception {
    for (E lost : EnumSet.of(E.LOST, E.LOST_PROMPT)) {
      t.withExternal()
          .source(S.UP)
          .target(S.WAITING)
          .event(lost)
          .guard(c -> current() && !flapping())
          .action(
              c -> {
                effects.add(new Effect.CloseChannel(id));
                losses.add(nowNanos);
                retry(true, 1, eventCause, nowNanos, lost == E.LOST_PROMPT);
              });
      t.withExternal()
          .source(S.UP)
          .target(S.PERMANENT)
          .event(lost)
          .guard(c -> current() && flapping())
          .action(
              c -> {
                effects.add(new Effect.CloseChannel(id));
                end(new LifecycleEvent.PermanentlyDisconnected(flapCause(), 0));
              });
    }
    t.withExternal()
        .source(S.UP)
        .target(S.PERMANENT)
        .event(E.LOST_FATAL)
        .guard(c -> current())
        .action(
            c -> {
              effects.add(new Effect.CloseChannel(id));
              end(new LifecycleEvent.PermanentlyDisconnected(fatal(eventCause), 0));
            });
  }

  /** Failed attempts: opens, handshakes, connect timeouts, channels lost while handshaking. */
  private void failures(StateMachineTransitionConfigurer<S, E> t) throws Exception {
    Supplier<List<Effect>> cancelTimer =
        () -> List.of(new Effect.CancelTimer(TimerKind.CONNECT_TIMEOUT, id));
    Supplier<List<Effect>> cancelAndClose =
        () ->
            List.of(
                new Effect.CancelTimer(TimerKind.CONNECT_TIMEOUT, id), new Effect.CloseChannel(id));
    // The connect timer fired: nothing to cancel, the channel (or its open) to abandon.
    Supplier<List<Effect>> close = () -> List.of(new Effect.CloseChannel(id));
    failure(t, S.OPENING, E.OPEN_FAILED, Verdict.RETRY, cancelTimer);
    failure(t, S.OPENING, E.OPEN_FAILED_PROMPT, Verdict.PROMPTLY, cancelTimer);
    failure(t, S.OPENING, E.OPEN_FAILED_FATAL, Verdict.FATAL, cancelTimer);
    failure(t, S.OPENING, E.TIMEOUT, Verdict.RETRY, close);
    failure(t, S.HANDSHAKING, E.TIMEOUT, Verdict.RETRY, close);
    failure(t, S.HANDSHAKING, E.HANDSHAKE_FAILED, Verdict.RETRY, cancelAndClose);
    failure(t, S.HANDSHAKING, E.HANDSHAKE_FAILED_PROMPT, Verdict.PROMPTLY, cancelAndClose);
    failure(t, S.HANDSHAKING, E.HANDSHAKE_FAILED_FATAL, Verdict.FATAL, cancelAndClose);
    failure(t, S.HANDSHAKING, E.LOST, Verdict.RETRY, cancelAndClose);
    failure(t, S.HANDSHAKING, E.LOST_PROMPT, Verdict.PROMPTLY, cancelAndClose);
    failure(t, S.HANDSHAKING, E.LOST_FATAL, Verdict.FATAL, cancelAndClose);
  }

  /**
   * A failed attempt: after {@code first} (the clean-up of the attempt), the end if the failure is
   * fatal, fail-fast applies or the policy allows no further attempt, else the next attempt.
   */
  private void failure(
      StateMachineTransitionConfigurer<S, E> t,
      S from,
      E event,
      Verdict verdict,
      Supplier<List<Effect>> first)
      throws Exception {
    if (verdict == Verdict.FATAL) {
      t.withExternal()
          .source(from)
          .target(S.PERMANENT)
          .event(event)
          .guard(c -> current())
          .action(
              c -> {
                effects.addAll(first.get());
                end(
                    new LifecycleEvent.PermanentlyDisconnected(
                        fatal(failureCause(event)), attempt));
              });
      return;
    }
    t.withExternal()
        .source(from)
        .target(S.WAITING)
        .event(event)
        .guard(c -> current() && mayRetry())
        .action(
            c -> {
              effects.addAll(first.get());
              retry(
                  reconnect,
                  attempt + 1,
                  failureCause(event),
                  outageStartNanos,
                  verdict == Verdict.PROMPTLY);
            });
    t.withExternal()
        .source(from)
        .target(S.PERMANENT)
        .event(event)
        .guard(c -> current() && !mayRetry())
        .action(
            c -> {
              effects.addAll(first.get());
              end(new LifecycleEvent.PermanentlyDisconnected(failureCause(event), attempt));
            });
  }

  private Cause failureCause(E event) {
    return event == E.TIMEOUT
        ? Cause.of(Cause.Kind.CONNECT_TIMEOUT, "did not connect within " + p.connectTimeout())
        : eventCause;
  }

  private boolean mayRetry() {
    boolean failFast = p.failFast() && !reconnect && attempt == 1;
    return !failFast && (p.maxAttempts() < 0 || attempt + 1 <= p.maxAttempts());
  }

  /** Whether the event names the current attempt (or, when up, the current channel). */
  private boolean current() {
    return eventId == id;
  }

  /** Whether a loss now makes more than the flap limit of losses within the window. */
  private boolean flapping() {
    return p.flapLimit() >= 0 && lossesWithinWindow() > p.flapLimit();
  }

  /** The kept losses less than a window old at this event, this one included. */
  private int lossesWithinWindow() {
    int within = 1;
    for (long t : losses) {
      if (nowNanos - t < p.flapWindow().toNanos()) {
        within++;
      }
    }
    return within;
  }

  private Cause flapCause() {
    return Cause.of(
        Cause.Kind.FLAPPING,
        "lost the connection "
            + lossesWithinWindow()
            + " times within "
            + p.flapWindow().toSeconds()
            + " s (flap limit "
            + p.flapLimit()
            + "); last loss: "
            + eventCause);
  }

  private static Cause fatal(Cause failure) {
    String message = failure.message().isEmpty() ? failure.kind().name() : failure.message();
    return new Cause(Cause.Kind.FATAL, message, failure.detail());
  }

  /** The initial connect's first attempt: announced, then opened at once. */
  private void begin() {
    id++;
    attempt = 1;
    reconnect = false;
    delay = Duration.ZERO;
    cause = null;
    outageStartNanos = nowNanos;
    effects.add(new Effect.Emit(attemptEvent()));
    open();
  }

  private void open() {
    effects.add(new Effect.OpenChannel(id));
    effects.add(new Effect.StartTimer(TimerKind.CONNECT_TIMEOUT, id, p.connectTimeout()));
  }

  private void up() {
    effects.add(new Effect.CancelTimer(TimerKind.CONNECT_TIMEOUT, id));
    epoch++;
    effects.add(
        new Effect.Emit(
            reconnect
                ? new LifecycleEvent.Reconnected(
                    epoch, attempt, Duration.ofNanos(Math.max(0, nowNanos - outageStartNanos)))
                : new LifecycleEvent.Connected(epoch)));
  }

  /** A new attempt, announced with its delay, its backoff timer started. */
  private void retry(
      boolean reconnecting, int number, Cause why, long outageStart, boolean promptly) {
    int retry = reconnecting ? number : number - 1;
    id++;
    attempt = number;
    reconnect = reconnecting;
    cause = why;
    outageStartNanos = outageStart;
    delay = promptly && retry == 1 ? Duration.ZERO : delay(retry);
    effects.add(new Effect.Emit(attemptEvent()));
    effects.add(new Effect.StartTimer(TimerKind.BACKOFF, id, delay));
  }

  /** Retry {@code retry}'s delay for this event's draw, from the policy's numbers. */
  private Duration delay(int retry) {
    double base =
        Math.min(
            p.initialDelay().toNanos() * Math.pow(p.multiplier(), retry - 1.0),
            (double) p.maxDelay().toNanos());
    return Duration.ofNanos(Math.round(base * (1.0 + p.jitter() * (2.0 * random - 1.0))));
  }

  private LifecycleEvent attemptEvent() {
    return reconnect
        ? new LifecycleEvent.Reconnecting(attempt, p.maxAttempts(), delay, cause)
        : new LifecycleEvent.Connecting(
            attempt, p.maxAttempts(), delay, Optional.ofNullable(cause));
  }

  private void close(S from) {
    switch (from) {
      case WAITING -> effects.add(new Effect.CancelTimer(TimerKind.BACKOFF, id));
      case OPENING, HANDSHAKING -> {
        effects.add(new Effect.CancelTimer(TimerKind.CONNECT_TIMEOUT, id));
        effects.add(new Effect.CloseChannel(id));
      }
      case UP -> effects.add(new Effect.CloseChannel(id));
      default -> {}
    }
    end(new LifecycleEvent.Closed(CLOSE_REASON));
  }

  private void end(LifecycleEvent terminalEvent) {
    terminal = terminalEvent.state();
    effects.add(new Effect.Emit(terminalEvent));
  }

  /**
   * Sends one event and returns the effects it must have, in order: none if the current state has
   * no transition for it, except that a channel that opens for an attempt not being opened is
   * closed at once, in every state.
   *
   * @param event what happened
   * @param attemptId the attempt or channel the event names (ignored for START, CLOSE and
   *     RECONNECT_NOW)
   * @param why the failure's cause (for failures and losses)
   * @param now the event's time, in nanoseconds
   * @param draw the random draw in [0, 1) for a backoff delay computed at this event
   */
  List<Effect> send(E event, long attemptId, Cause why, long now, double draw) {
    effects.clear();
    eventId = attemptId;
    eventCause = why;
    nowNanos = now;
    random = draw;
    if (event == E.OPENED && !(stage() == S.OPENING && attemptId == id)) {
      effects.add(new Effect.CloseChannel(attemptId));
      return List.copyOf(effects);
    }
    machine.sendEvent(Mono.just(MessageBuilder.withPayload(event).build())).blockLast();
    return List.copyOf(effects);
  }

  /** The current attempt's id (the channel's, when up); 0 before the first attempt. */
  long currentId() {
    return id;
  }

  S stage() {
    return machine.getState().getId();
  }

  /** The state a user sees, as the machine's {@code ConnectionState} must be. */
  ConnectionState state() {
    return switch (stage()) {
      case IDLE -> new ConnectionState.Idle();
      case UP -> new ConnectionState.Connected(epoch);
      case PERMANENT, CLOSED -> terminal;
      default ->
          reconnect
              ? new ConnectionState.Reconnecting(attempt, p.maxAttempts(), delay, cause)
              : new ConnectionState.Connecting(
                  attempt, p.maxAttempts(), delay, Optional.ofNullable(cause));
    };
  }

  /**
   * The shallow comparison the first version of this test made: state name and attempt, e.g.
   * "Reconnecting 2", then " waiting" while the backoff runs and " promptly" if the attempt skipped
   * it; the kind of a FLAPPING or FATAL end.
   */
  String describe() {
    S s = stage();
    return switch (s) {
      case IDLE -> "Idle";
      case UP -> "Connected";
      case CLOSED -> "Closed";
      case PERMANENT -> {
        var pd = (ConnectionState.PermanentlyDisconnected) terminal;
        Cause.Kind kind = pd.cause().kind();
        yield kind == Cause.Kind.FLAPPING || kind == Cause.Kind.FATAL
            ? "PermanentlyDisconnected " + kind + " " + pd.attempts()
            : "PermanentlyDisconnected " + pd.attempts();
      }
      default ->
          (reconnect ? "Reconnecting " : "Connecting ")
              + attempt
              + (s == S.WAITING ? " waiting" : "")
              + ((reconnect || attempt > 1) && delay.isZero() ? " promptly" : "");
    };
  }
}
