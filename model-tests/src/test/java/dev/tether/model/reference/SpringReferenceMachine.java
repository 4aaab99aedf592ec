package dev.tether.model.reference;

import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import org.springframework.messaging.support.MessageBuilder;
import org.springframework.statemachine.StateContext;
import org.springframework.statemachine.StateMachine;
import org.springframework.statemachine.config.StateMachineBuilder;
import org.springframework.statemachine.config.builders.StateMachineTransitionConfigurer;
import reactor.core.publisher.Mono;

/**
 * An independent reference model of the connection machine, written from DESIGN.md with Spring
 * Statemachine 4.0.2: stages as states, the attempt number and the reconnect flag as extended
 * state, retry limits as guards. Events a state has no transition for are ignored, exactly as the
 * machine ignores stale inputs.
 *
 * <p>The flap guard (I10) is modelled as written there, differently from the machine: every loss of
 * an established connection is kept (the machine keeps only those still inside the window), and a
 * loss ends the connection when more than the limit of all kept losses, this one included, are less
 * than the window old. Each event carries the current time in its {@link #NOW} header.
 *
 * <p>Verdicts are events of their own: a {@code _FATAL} failure ends the connection at once (at the
 * attempt that failed, or with no attempt at the loss of an established connection); a {@code
 * _PROMPT} one is a failure like the plain event, except that the next attempt waits no delay if it
 * is the outage's first retry (reconnect attempt 1, initial attempt 2). {@code RECONNECT_NOW} opens
 * the attempt being waited for, keeping its number.
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
    LOST_PROMPT,
    RECONNECT_NOW
  }

  /** Message header with the event's time in nanoseconds. */
  static final String NOW = "now";

  private static final String ATTEMPT = "attempt";
  private static final String RECONNECT = "reconnect";
  private static final String FLAPPED = "flapped";
  private static final String FATAL = "fatal";
  private static final String PROMPT = "prompt";

  private final StateMachine<S, E> machine;
  private final int maxAttempts;
  private final int flapLimit;
  private final long flapWindowNanos;
  private final List<Long> losses = new ArrayList<>();

  /**
   * A reference machine.
   *
   * @param maxAttempts attempts per outage, or -1 for no limit
   * @param flapLimit losses tolerated within the flap window, or -1 for no flap guard
   * @param flapWindow the flap window (ignored without a flap guard)
   */
  SpringReferenceMachine(int maxAttempts, int flapLimit, Duration flapWindow) throws Exception {
    this.maxAttempts = maxAttempts;
    this.flapLimit = flapLimit;
    this.flapWindowNanos = flapWindow.toNanos();
    StateMachineBuilder.Builder<S, E> b = StateMachineBuilder.builder();
    b.configureConfiguration().withConfiguration().autoStartup(false);
    b.configureStates()
        .withStates()
        .initial(S.IDLE)
        .states(EnumSet.allOf(S.class))
        .end(S.PERMANENT)
        .end(S.CLOSED);
    var t = b.configureTransitions();
    t.withExternal().source(S.IDLE).target(S.OPENING).event(E.START).action(c -> begin(c, false));
    t.withExternal().source(S.OPENING).target(S.HANDSHAKING).event(E.OPENED);
    t.withExternal().source(S.HANDSHAKING).target(S.UP).event(E.HANDSHAKE_OK);
    t.withExternal().source(S.WAITING).target(S.OPENING).event(E.BACKOFF);
    t.withExternal().source(S.WAITING).target(S.OPENING).event(E.RECONNECT_NOW);
    for (E lost : EnumSet.of(E.LOST, E.LOST_PROMPT)) {
      t.withExternal()
          .source(S.UP)
          .target(S.WAITING)
          .event(lost)
          .guard(c -> !flapping(c))
          .action(
              c -> {
                losses.add(now(c));
                begin(c, true);
                // Reconnect attempt 1 is the outage's first retry.
                c.getExtendedState().getVariables().put(PROMPT, lost == E.LOST_PROMPT);
              });
      t.withExternal()
          .source(S.UP)
          .target(S.PERMANENT)
          .event(lost)
          .guard(this::flapping)
          .action(c -> c.getExtendedState().getVariables().put(FLAPPED, true));
    }
    t.withExternal()
        .source(S.UP)
        .target(S.PERMANENT)
        .event(E.LOST_FATAL)
        .action(
            c -> {
              c.getExtendedState().getVariables().put(FATAL, true);
              c.getExtendedState().getVariables().put(ATTEMPT, 0);
            });
    failure(t, S.OPENING, E.OPEN_FAILED, false);
    failure(t, S.OPENING, E.OPEN_FAILED_PROMPT, true);
    failure(t, S.OPENING, E.TIMEOUT, false);
    failure(t, S.HANDSHAKING, E.HANDSHAKE_FAILED, false);
    failure(t, S.HANDSHAKING, E.TIMEOUT, false);
    failure(t, S.HANDSHAKING, E.LOST, false);
    failure(t, S.HANDSHAKING, E.LOST_PROMPT, true);
    fatal(t, S.OPENING, E.OPEN_FAILED_FATAL);
    fatal(t, S.HANDSHAKING, E.HANDSHAKE_FAILED_FATAL);
    fatal(t, S.HANDSHAKING, E.LOST_FATAL);
    for (S s : EnumSet.of(S.IDLE, S.WAITING, S.OPENING, S.HANDSHAKING, S.UP)) {
      t.withExternal().source(s).target(S.CLOSED).event(E.CLOSE);
    }
    machine = b.build();
    machine.startReactively().block();
  }

  /**
   * A failed attempt: retry after a backoff if the policy allows another attempt, else give up. A
   * {@code prompt} failure skips the backoff of the outage's first retry: only initial attempt 2
   * can be one here (reconnect attempt 1 follows a loss, not a failed attempt).
   */
  private void failure(StateMachineTransitionConfigurer<S, E> t, S from, E event, boolean prompt)
      throws Exception {
    t.withExternal()
        .source(from)
        .target(S.WAITING)
        .event(event)
        .guard(this::canRetry)
        .action(
            c -> {
              Map<Object, Object> v = c.getExtendedState().getVariables();
              int next = attempt(c) + 1;
              v.put(ATTEMPT, next);
              v.put(PROMPT, prompt && !((Boolean) v.get(RECONNECT)) && next == 2);
            });
    t.withExternal().source(from).target(S.PERMANENT).event(event).guard(c -> !canRetry(c));
  }

  /** A failure judged fatal: the end, at the attempt that failed. */
  private static void fatal(StateMachineTransitionConfigurer<S, E> t, S from, E event)
      throws Exception {
    t.withExternal()
        .source(from)
        .target(S.PERMANENT)
        .event(event)
        .action(c -> c.getExtendedState().getVariables().put(FATAL, true));
  }

  /** Whether a loss now makes more than the flap limit of losses within the window. */
  private boolean flapping(StateContext<S, E> c) {
    if (flapLimit < 0) {
      return false;
    }
    long now = now(c);
    int within = 1;
    for (long t : losses) {
      if (now - t < flapWindowNanos) {
        within++;
      }
    }
    return within > flapLimit;
  }

  private static long now(StateContext<S, E> c) {
    return (Long) c.getMessageHeader(NOW);
  }

  private boolean canRetry(StateContext<S, E> c) {
    return maxAttempts < 0 || attempt(c) + 1 <= maxAttempts;
  }

  private static int attempt(StateContext<S, E> c) {
    return (Integer) c.getExtendedState().getVariables().getOrDefault(ATTEMPT, 0);
  }

  private void begin(StateContext<S, E> c, boolean reconnect) {
    Map<Object, Object> v = c.getExtendedState().getVariables();
    v.put(ATTEMPT, 1);
    v.put(RECONNECT, reconnect);
    v.put(PROMPT, false);
  }

  /** Sends one event at {@code nowNanos}; ignored if the current state has no transition for it. */
  void send(E event, long nowNanos) {
    machine
        .sendEvent(Mono.just(MessageBuilder.withPayload(event).setHeader(NOW, nowNanos).build()))
        .blockLast();
  }

  private int attempt() {
    return (Integer) machine.getExtendedState().getVariables().getOrDefault(ATTEMPT, 0);
  }

  /**
   * The state in the vocabulary of ConnectionState: name and attempt, e.g. "Reconnecting 2", then "
   * waiting" while the backoff runs and " promptly" if the attempt skipped it.
   */
  String describe() {
    S s = machine.getState().getId();
    Map<Object, Object> v = machine.getExtendedState().getVariables();
    boolean reconnect = (Boolean) v.getOrDefault(RECONNECT, false);
    return switch (s) {
      case IDLE -> "Idle";
      case UP -> "Connected";
      case CLOSED -> "Closed";
      case PERMANENT ->
          v.containsKey(FLAPPED)
              ? "PermanentlyDisconnected FLAPPING 0"
              : "PermanentlyDisconnected " + (v.containsKey(FATAL) ? "FATAL " : "") + attempt();
      default ->
          (reconnect ? "Reconnecting " : "Connecting ")
              + attempt()
              + (s == S.WAITING ? " waiting" : "")
              + ((Boolean) v.getOrDefault(PROMPT, false) ? " promptly" : "");
    };
  }
}
