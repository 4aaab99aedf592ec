package dev.tether.machine;

import java.util.List;
import java.util.Objects;

/**
 * The result of one {@link ConnectionMachine#step}: the next state and the effects to perform, in
 * order.
 *
 * @param next the state after the input
 * @param effects what the driver must do, in order; empty for a stale input
 */
public record Transition(MachineState next, List<Effect> effects) {
  /** Validates and copies the components. */
  public Transition {
    Objects.requireNonNull(next, "next");
    effects = List.copyOf(effects);
  }
}
