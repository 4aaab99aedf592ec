package dev.tether.runtime;

import dev.tether.machine.Effect;
import dev.tether.machine.Input;
import dev.tether.machine.Transition;
import java.util.List;

/**
 * Deliberately broken machine variants, for tests that prove the simulation's oracles catch them.
 * Lives in the runtime package to reach the driver's test-only seam; never used outside tests.
 */
public final class PlantedMachineBugs {
  private PlantedMachineBugs() {}

  /**
   * From now on {@code connection}'s machine forgets to cancel the backoff timer when it is closed
   * while waiting out a backoff delay: the {@code CancelTimer(BACKOFF)} effect of a close is
   * dropped. The driver's defensive clean-up after the terminal event still cancels the timer, so
   * only an oracle that looks at the moment of the terminal event can see the leak.
   *
   * @param connection a connection built by {@link Connection#builder()}, not yet started
   */
  public static void forgetBackoffCancelOnClose(Connection connection) {
    ((ConnectionDriver) connection)
        .plantVariant(
            (input, t) ->
                input instanceof Input.CloseRequested
                    ? new Transition(t.next(), withoutBackoffCancel(t.effects()))
                    : t);
  }

  private static List<Effect> withoutBackoffCancel(List<Effect> effects) {
    return effects.stream()
        .filter(e -> !(e instanceof Effect.CancelTimer c && c.kind() == Effect.TimerKind.BACKOFF))
        .toList();
  }
}
