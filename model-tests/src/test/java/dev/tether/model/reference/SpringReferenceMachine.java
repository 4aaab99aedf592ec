package dev.tether.model.reference;

import java.util.EnumSet;
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
    CLOSE
  }

  private static final String ATTEMPT = "attempt";
  private static final String RECONNECT = "reconnect";

  private final StateMachine<S, E> machine;
  private final int maxAttempts;

  SpringReferenceMachine(int maxAttempts) throws Exception {
    this.maxAttempts = maxAttempts;
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
    t.withExternal().source(S.UP).target(S.WAITING).event(E.LOST).action(c -> begin(c, true));
    failure(t, S.OPENING, E.OPEN_FAILED);
    failure(t, S.OPENING, E.TIMEOUT);
    failure(t, S.HANDSHAKING, E.HANDSHAKE_FAILED);
    failure(t, S.HANDSHAKING, E.TIMEOUT);
    failure(t, S.HANDSHAKING, E.LOST);
    for (S s : EnumSet.of(S.IDLE, S.WAITING, S.OPENING, S.HANDSHAKING, S.UP)) {
      t.withExternal().source(s).target(S.CLOSED).event(E.CLOSE);
    }
    machine = b.build();
    machine.startReactively().block();
  }

  /** A failed attempt: retry after a backoff if the policy allows another attempt, else give up. */
  private void failure(StateMachineTransitionConfigurer<S, E> t, S from, E event) throws Exception {
    t.withExternal()
        .source(from)
        .target(S.WAITING)
        .event(event)
        .guard(this::canRetry)
        .action(c -> c.getExtendedState().getVariables().put(ATTEMPT, attempt(c) + 1));
    t.withExternal().source(from).target(S.PERMANENT).event(event).guard(c -> !canRetry(c));
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
  }

  /** Sends one event; ignored if the current state has no transition for it. */
  void send(E event) {
    machine.sendEvent(Mono.just(MessageBuilder.withPayload(event).build())).blockLast();
  }

  private int attempt() {
    return (Integer) machine.getExtendedState().getVariables().getOrDefault(ATTEMPT, 0);
  }

  /** The state in the vocabulary of ConnectionState: name and attempt, e.g. "Reconnecting 2". */
  String describe() {
    S s = machine.getState().getId();
    boolean reconnect =
        (Boolean) machine.getExtendedState().getVariables().getOrDefault(RECONNECT, false);
    return switch (s) {
      case IDLE -> "Idle";
      case UP -> "Connected";
      case CLOSED -> "Closed";
      case PERMANENT -> "PermanentlyDisconnected " + attempt();
      default -> (reconnect ? "Reconnecting " : "Connecting ") + attempt();
    };
  }
}
