package dev.tether.bench;

import com.github.oxo42.stateless4j.StateMachine;
import com.github.oxo42.stateless4j.StateMachineConfig;
import dev.tether.bench.InputTrace.Stage;
import java.util.function.ObjIntConsumer;

/**
 * B1's second baseline: the same connection machine as {@link SpringConnectionMachine} (stages,
 * attempt counting, retry limit, stale inputs ignored) in stateless4j 2.6.0, configured the way its
 * README configures machines: one {@link StateMachineConfig} shared by every replay, guards with
 * {@code permitIf}, the counter in a field its actions update. Benchmarks only.
 */
final class Stateless4jConnectionMachine {
  private final StateMachineConfig<Stage, InputTrace.Kind> config = new StateMachineConfig<>();
  private final int maxAttempts;
  private int attempt;
  private int epoch;

  Stateless4jConnectionMachine(int maxAttempts) {
    this.maxAttempts = maxAttempts;
    config
        .configure(Stage.IDLE)
        .permit(InputTrace.Kind.START, Stage.OPENING, () -> attempt = 1)
        .permit(InputTrace.Kind.CLOSE, Stage.CLOSED);
    config
        .configure(Stage.OPENING)
        .permit(InputTrace.Kind.OPENED, Stage.UP, () -> epoch++)
        .permitIf(InputTrace.Kind.OPEN_FAILED, Stage.WAITING, this::canRetry, () -> attempt++)
        .permitIf(InputTrace.Kind.OPEN_FAILED, Stage.PERMANENT, () -> !canRetry())
        .permitIf(InputTrace.Kind.TIMEOUT, Stage.WAITING, this::canRetry, () -> attempt++)
        .permitIf(InputTrace.Kind.TIMEOUT, Stage.PERMANENT, () -> !canRetry())
        .permit(InputTrace.Kind.CLOSE, Stage.CLOSED);
    config
        .configure(Stage.WAITING)
        .permit(InputTrace.Kind.BACKOFF, Stage.OPENING)
        .permit(InputTrace.Kind.CLOSE, Stage.CLOSED);
    config
        .configure(Stage.UP)
        .permit(InputTrace.Kind.LOST, Stage.WAITING, () -> attempt = 1)
        .permit(InputTrace.Kind.CLOSE, Stage.CLOSED);
    config.configure(Stage.PERMANENT);
    config.configure(Stage.CLOSED);
  }

  private boolean canRetry() {
    return maxAttempts < 0 || attempt < maxAttempts;
  }

  /** Replays the trace's events from a fresh start; returns a value derived from the end state. */
  int replay(InputTrace.Kind[] kinds) {
    return replay(kinds, (state, attempt) -> {});
  }

  /** Replays {@code kinds}, telling {@code visit} the state and attempt number after each event. */
  int replay(InputTrace.Kind[] kinds, ObjIntConsumer<Stage> visit) {
    attempt = 0;
    epoch = 0;
    StateMachine<Stage, InputTrace.Kind> machine = new StateMachine<>(Stage.IDLE, config);
    // A stale input (and anything a state does not permit) changes nothing, as in Tether's machine.
    machine.onUnhandledTrigger((state, trigger) -> {});
    for (InputTrace.Kind k : kinds) {
      machine.fire(k);
      visit.accept(machine.getState(), attempt);
    }
    return machine.getState().name().length();
  }
}
