package dev.tether.runtime;

import dev.tether.machine.Cause;
import dev.tether.machine.Effect;
import dev.tether.machine.Input;
import dev.tether.machine.LifecycleEvent;
import dev.tether.machine.MachineState;
import dev.tether.machine.Transition;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Plausible driver and machine bugs that only the oracles of issue 17's "Oracles that can fail"
 * catch: state against link, I3 on the clock, and I8 that means it. Each keeps every other
 * invariant (paths, announced delays, quiescence) intact, so the older oracles pass it. Lives in
 * the runtime package to reach the driver's test-only seam; never used outside tests.
 */
public final class PlantedOracleBugs {
  private PlantedOracleBugs() {}

  /**
   * {@code connection} ignores channels that end with {@code CHANNEL_ERROR} (a drop, a partition):
   * the loss is not stepped, so the connection stays {@code Connected} on a dead channel.
   *
   * @param connection a connection built by {@link Connection#builder()}, not yet started
   */
  public static void ignoreChannelErrors(Connection connection) {
    MachineState[] current = {MachineState.initial()};
    ((ConnectionDriver) connection)
        .plantVariant(
            (input, t) -> {
              Transition out =
                  input instanceof Input.ChannelLost lost
                          && lost.cause().kind() == Cause.Kind.CHANNEL_ERROR
                      ? new Transition(current[0], List.of())
                      : t;
              current[0] = out.next();
              return out;
            });
  }

  /**
   * {@code connection} announces each retry's delay but schedules the backoff timer with none:
   * every retry starts at once.
   *
   * @param connection a connection built by {@link Connection#builder()}, not yet started
   */
  public static void retryAtOnce(Connection connection) {
    ((ConnectionDriver) connection)
        .plantVariant(
            (input, t) ->
                new Transition(
                    t.next(),
                    t.effects().stream()
                        .map(
                            e ->
                                e instanceof Effect.StartTimer st
                                        && st.kind() == Effect.TimerKind.BACKOFF
                                    ? new Effect.StartTimer(
                                        st.kind(), st.attemptId(), Duration.ZERO)
                                    : e)
                        .toList()));
  }

  /**
   * {@code connection} gives up after {@code budget} failed attempts of an outage (or the initial
   * connect), whatever its policy allows: where it would announce attempt {@code budget + 1}, it
   * ends {@code PermanentlyDisconnected} with the last failure's cause and {@code budget} attempts,
   * its backoff timer never started. The path is valid (I2) and nothing leaks (I4).
   *
   * @param connection a connection built by {@link Connection#builder()}, not yet started
   * @param budget attempts after which it gives up
   */
  public static void giveUpAfter(Connection connection, int budget) {
    ((ConnectionDriver) connection).plantVariant((input, t) -> givingUp(t, budget));
  }

  private static Transition givingUp(Transition t, int budget) {
    LifecycleEvent.PermanentlyDisconnected end = null;
    for (Effect e : t.effects()) {
      if (e instanceof Effect.Emit emit) {
        if (emit.event() instanceof LifecycleEvent.Reconnecting r && r.attempt() == budget + 1) {
          end = new LifecycleEvent.PermanentlyDisconnected(r.cause(), budget);
        } else if (emit.event() instanceof LifecycleEvent.Connecting c
            && c.attempt() == budget + 1
            && c.lastFailure().isPresent()) {
          end = new LifecycleEvent.PermanentlyDisconnected(c.lastFailure().get(), budget);
        }
      }
    }
    if (end == null) {
      return t;
    }
    List<Effect> effects = new ArrayList<>();
    for (Effect e : t.effects()) {
      if (e instanceof Effect.Emit) {
        effects.add(new Effect.Emit(end));
      } else if (!(e instanceof Effect.StartTimer st && st.kind() == Effect.TimerKind.BACKOFF)) {
        effects.add(e);
      }
    }
    MachineState n = t.next();
    return new Transition(
        new MachineState(
            new MachineState.Stage.Ended(end.state()),
            n.lastAttemptId(),
            n.lastEpoch(),
            n.recentLossesNanos()),
        effects);
  }
}
