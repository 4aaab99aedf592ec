package dev.tether.model.reference;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tether.machine.BackoffPolicy;
import dev.tether.machine.Cause;
import dev.tether.machine.ConnectionMachine;
import dev.tether.machine.ConnectionState;
import dev.tether.machine.Input;
import dev.tether.machine.MachineState;
import dev.tether.model.prop.Property;
import dev.tether.model.reference.SpringReferenceMachine.E;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Differential test: random input sequences drive {@link ConnectionMachine} and the independent
 * Spring Statemachine {@link SpringReferenceMachine}; after every input both must be in the same
 * state with the same attempt number. Stale inputs (naming an old attempt) must change nothing.
 */
class ReferenceModelTest {
  /** Sequences per run: Spring builds a machine per sequence (~1 ms), so this stays ~1 s. */
  static final int SEEDS = 300;

  /** Inputs per sequence: long enough for several outages and an exhausted retry budget. */
  static final int LENGTH = 60;

  static final int MAX_ATTEMPTS = 3;

  private static final List<E> EVENTS = List.of(E.values());

  /** One generated input: an event, and whether it names a stale attempt. */
  record Step(E event, boolean stale) {}

  @Test
  void machineAndSpringReferenceAgreeOnEveryState() {
    Property.forAll(
        "machine = Spring reference",
        getClass(),
        SEEDS,
        random -> {
          List<Step> steps = new ArrayList<>();
          steps.add(new Step(E.START, false));
          for (int i = 0; i < LENGTH; i++) {
            E e = EVENTS.get(random.nextInt(EVENTS.size()));
            // Close rarely, so sequences get past the first few inputs.
            if (e == E.CLOSE && random.nextInt(8) != 0) {
              e = E.LOST;
            }
            boolean hasId = e != E.START && e != E.CLOSE;
            steps.add(new Step(e, hasId && random.nextInt(6) == 0));
          }
          return steps;
        },
        ReferenceModelTest::compare);
  }

  static void compare(List<Step> steps) {
    SpringReferenceMachine reference;
    try {
      reference = new SpringReferenceMachine(MAX_ATTEMPTS);
    } catch (Exception e) {
      throw new IllegalStateException("cannot build the reference machine", e);
    }
    ConnectionMachine machine =
        new ConnectionMachine(BackoffPolicy.builder().maxAttempts(MAX_ATTEMPTS).build(), true);
    MachineState state = MachineState.initial();
    for (int i = 0; i < steps.size(); i++) {
      Step step = steps.get(i);
      state = machine.step(state, input(state, step), 0, 0.5).next();
      if (!step.stale()) {
        reference.send(step.event());
      }
      assertThat(describe(state.state()))
          .as("after step %d %s", i + 1, step)
          .isEqualTo(reference.describe());
    }
  }

  private static Input input(MachineState state, Step step) {
    long id = currentId(state) - (step.stale() ? 1 : 0);
    Cause cause = Cause.of(Cause.Kind.CHANNEL_ERROR, "simulated");
    return switch (step.event()) {
      case START -> new Input.Start();
      case OPENED -> new Input.ChannelOpened(id);
      case OPEN_FAILED -> new Input.ChannelOpenFailed(id, cause);
      case HANDSHAKE_OK -> new Input.HandshakeSucceeded(id);
      case HANDSHAKE_FAILED -> new Input.HandshakeFailed(id, cause);
      case TIMEOUT -> new Input.ConnectTimedOut(id);
      case LOST -> new Input.ChannelLost(id, cause);
      case BACKOFF -> new Input.BackoffElapsed(id);
      case CLOSE -> new Input.CloseRequested("test");
    };
  }

  private static long currentId(MachineState state) {
    MachineState.Stage s = state.stage();
    if (s instanceof MachineState.Stage.Waiting w) {
      return w.attempt().id();
    }
    if (s instanceof MachineState.Stage.Opening o) {
      return o.attempt().id();
    }
    if (s instanceof MachineState.Stage.Handshaking h) {
      return h.attempt().id();
    }
    if (s instanceof MachineState.Stage.Up up) {
      return up.channelId();
    }
    return state.lastAttemptId();
  }

  private static String describe(ConnectionState s) {
    if (s instanceof ConnectionState.Connecting c) {
      return "Connecting " + c.attempt();
    }
    if (s instanceof ConnectionState.Reconnecting r) {
      return "Reconnecting " + r.attempt();
    }
    if (s instanceof ConnectionState.PermanentlyDisconnected p) {
      return "PermanentlyDisconnected " + p.attempts();
    }
    return s.name();
  }
}
