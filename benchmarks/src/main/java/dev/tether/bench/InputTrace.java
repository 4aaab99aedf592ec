package dev.tether.bench;

import dev.tether.machine.BackoffPolicy;
import dev.tether.machine.Cause;
import dev.tether.machine.ConnectionMachine;
import dev.tether.machine.Input;
import dev.tether.machine.MachineState;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * A fixed, seeded trace of connection inputs: opens that succeed or fail, losses, backoffs,
 * timeouts and 10 % stale inputs, ending with a close. Each input is paired with the random draw
 * the step receives, so every replay is identical.
 */
final class InputTrace {
  static final Cause REFUSED = Cause.of(Cause.Kind.OPEN_FAILED, "refused");
  static final Cause LOST = Cause.of(Cause.Kind.CHANNEL_CLOSED, "lost");

  // No flap guard: the trace loses its connection far more often than the guard allows, and the
  // Spring baseline implements the retry rules only; both sides must run the same 1,000 steps.
  final BackoffPolicy policy = BackoffPolicy.builder().unlimitedAttempts().noFlapGuard().build();
  final ConnectionMachine machine = new ConnectionMachine(policy, false);
  final Input[] inputs;
  final double[] draws;
  final Kind[] kinds;

  /** The stages the baselines model (Tether's machine has these and the handshake). */
  enum Stage {
    IDLE,
    OPENING,
    WAITING,
    UP,
    PERMANENT,
    CLOSED
  }

  /** The input's meaning, for baselines that have no attempt ids. */
  enum Kind {
    START,
    OPENED,
    OPEN_FAILED,
    TIMEOUT,
    LOST,
    BACKOFF,
    CLOSE,
    STALE
  }

  InputTrace(long seed, int length) {
    SplittableRandom r = new SplittableRandom(seed);
    List<Input> in = new ArrayList<>(length);
    List<Kind> k = new ArrayList<>(length);
    MachineState s = MachineState.initial();
    add(in, k, new Input.Start(), Kind.START);
    s = machine.step(s, new Input.Start(), 0, 0.5).next();
    while (in.size() < length - 1) {
      Input next;
      Kind kind;
      if (r.nextInt(10) == 0) {
        next = new Input.ChannelLost(s.lastAttemptId() + 1000, LOST); // stale: never current
        kind = Kind.STALE;
      } else if (s.stage() instanceof MachineState.Stage.Opening o) {
        int p = r.nextInt(10);
        long id = o.attempt().id();
        next =
            p < 6
                ? new Input.ChannelOpened(id)
                : p < 9 ? new Input.ChannelOpenFailed(id, REFUSED) : new Input.ConnectTimedOut(id);
        kind = p < 6 ? Kind.OPENED : p < 9 ? Kind.OPEN_FAILED : Kind.TIMEOUT;
      } else if (s.stage() instanceof MachineState.Stage.Waiting w) {
        next = new Input.BackoffElapsed(w.attempt().id());
        kind = Kind.BACKOFF;
      } else if (s.stage() instanceof MachineState.Stage.Up up) {
        next = new Input.ChannelLost(up.channelId(), LOST);
        kind = Kind.LOST;
      } else {
        throw new IllegalStateException("unexpected stage " + s.stage());
      }
      add(in, k, next, kind);
      s = machine.step(s, next, 0, 0.5).next();
    }
    add(in, k, new Input.CloseRequested("end of trace"), Kind.CLOSE);
    inputs = in.toArray(new Input[0]);
    kinds = k.toArray(new Kind[0]);
    draws = new double[inputs.length];
    for (int i = 0; i < draws.length; i++) {
      draws[i] = r.nextDouble();
    }
  }

  private static void add(List<Input> in, List<Kind> k, Input input, Kind kind) {
    in.add(input);
    k.add(kind);
  }

  /** Replays the trace through {@link ConnectionMachine#step}; returns the effect count. */
  int replay() {
    MachineState s = MachineState.initial();
    int effects = 0;
    for (int i = 0; i < inputs.length; i++) {
      var t = machine.step(s, inputs[i], i, draws[i]);
      s = t.next();
      effects += t.effects().size();
    }
    return effects + (s.state().isTerminal() ? 1 : 0);
  }
}
