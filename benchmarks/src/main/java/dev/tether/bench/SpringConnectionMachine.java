package dev.tether.bench;

import dev.tether.bench.InputTrace.Stage;
import java.util.EnumSet;
import java.util.Map;
import org.springframework.messaging.support.MessageBuilder;
import org.springframework.statemachine.StateContext;
import org.springframework.statemachine.StateMachine;
import org.springframework.statemachine.config.StateMachineBuilder;
import org.springframework.statemachine.support.DefaultStateMachineContext;
import reactor.core.publisher.Mono;

/**
 * The B1 baseline: the same connection machine (stages, attempt counting, retry limit) built with
 * Spring Statemachine 4.0.2, the way its documentation builds machines. Benchmarks only.
 */
final class SpringConnectionMachine {
  enum E {
    START,
    OPENED,
    OPEN_FAILED,
    TIMEOUT,
    LOST,
    BACKOFF,
    CLOSE,
    STALE
  }

  private final StateMachine<Stage, E> machine;
  private final int maxAttempts;

  SpringConnectionMachine(int maxAttempts) throws Exception {
    this.maxAttempts = maxAttempts;
    StateMachineBuilder.Builder<Stage, E> b = StateMachineBuilder.builder();
    b.configureConfiguration().withConfiguration().autoStartup(false);
    b.configureStates()
        .withStates()
        .initial(Stage.IDLE)
        // PERMANENT and CLOSED are not declared end states, though nothing leaves them: a Spring
        // machine that has completed (reached an end state) is not restarted by stop, reset and
        // start (it then stays idle and denies every event), and B1 replays the trace thousands of
        // times on one machine. No transition leaves them, so the machine is the same.
        .states(EnumSet.allOf(Stage.class));
    b.configureTransitions()
        .withExternal()
        .source(Stage.IDLE)
        .target(Stage.OPENING)
        .event(E.START)
        .action(this::firstAttempt)
        .and()
        .withExternal()
        .source(Stage.OPENING)
        .target(Stage.UP)
        .event(E.OPENED)
        .action(this::connected)
        .and()
        .withExternal()
        .source(Stage.OPENING)
        .target(Stage.WAITING)
        .event(E.OPEN_FAILED)
        .guard(this::canRetry)
        .action(this::nextAttempt)
        .and()
        .withExternal()
        .source(Stage.OPENING)
        .target(Stage.PERMANENT)
        .event(E.OPEN_FAILED)
        .guard(c -> !canRetry(c))
        .and()
        .withExternal()
        .source(Stage.OPENING)
        .target(Stage.WAITING)
        .event(E.TIMEOUT)
        .guard(this::canRetry)
        .action(this::nextAttempt)
        .and()
        .withExternal()
        .source(Stage.OPENING)
        .target(Stage.PERMANENT)
        .event(E.TIMEOUT)
        .guard(c -> !canRetry(c))
        .and()
        .withExternal()
        .source(Stage.WAITING)
        .target(Stage.OPENING)
        .event(E.BACKOFF)
        .and()
        .withExternal()
        .source(Stage.UP)
        .target(Stage.WAITING)
        .event(E.LOST)
        .action(this::firstAttempt)
        .and()
        .withExternal()
        .source(Stage.IDLE)
        .target(Stage.CLOSED)
        .event(E.CLOSE)
        .and()
        .withExternal()
        .source(Stage.OPENING)
        .target(Stage.CLOSED)
        .event(E.CLOSE)
        .and()
        .withExternal()
        .source(Stage.WAITING)
        .target(Stage.CLOSED)
        .event(E.CLOSE)
        .and()
        .withExternal()
        .source(Stage.UP)
        .target(Stage.CLOSED)
        .event(E.CLOSE);
    machine = b.build();
  }

  private void firstAttempt(StateContext<Stage, E> c) {
    c.getExtendedState().getVariables().put("attempt", 1);
  }

  private void connected(StateContext<Stage, E> c) {
    Map<Object, Object> v = c.getExtendedState().getVariables();
    v.put("epoch", (Integer) v.getOrDefault("epoch", 0) + 1);
  }

  private boolean canRetry(StateContext<Stage, E> c) {
    int attempt = (Integer) c.getExtendedState().getVariables().getOrDefault("attempt", 1);
    return maxAttempts < 0 || attempt < maxAttempts;
  }

  private void nextAttempt(StateContext<Stage, E> c) {
    Map<Object, Object> v = c.getExtendedState().getVariables();
    v.put("attempt", (Integer) v.getOrDefault("attempt", 1) + 1);
  }

  /** Replays the trace's events from a fresh start; returns a value derived from the end state. */
  int replay(InputTrace.Kind[] kinds) {
    machine.stopReactively().block();
    machine
        .getStateMachineAccessor()
        .doWithAllRegions(
            a ->
                a.resetStateMachineReactively(
                        new DefaultStateMachineContext<>(Stage.IDLE, null, null, null))
                    .block());
    machine.getExtendedState().getVariables().clear();
    machine.startReactively().block();
    for (InputTrace.Kind k : kinds) {
      machine
          .sendEvent(Mono.just(MessageBuilder.withPayload(E.valueOf(k.name())).build()))
          .blockLast();
    }
    return machine.getState().getId().name().length();
  }
}
