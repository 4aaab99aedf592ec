package dev.tether.stub.sim;

import dev.tether.machine.LifecycleEvent;

/**
 * An oracle that checks nothing and counts the hook calls of a simulation: every call runs each of
 * the simulation's oracles once, so calls times oracles is the number of oracle checks made (the
 * figure benchmarks and soaks report). Add one per simulation with {@link
 * Simulation.Builder#oracle}.
 *
 * <p>Not thread-safe: one instance per simulation, read after {@link Simulation#run} returns.
 */
public final class CheckCounter implements Oracle {
  private long calls;

  /** Hook calls so far (over every run of the simulation it was added to). */
  public long calls() {
    return calls;
  }

  @Override
  public String invariant() {
    return "count";
  }

  @Override
  public String onEvent(SessionView s, LifecycleEvent previous, LifecycleEvent event) {
    calls++;
    return null;
  }

  @Override
  public String onEmit(SessionView s, LifecycleEvent event) {
    calls++;
    return null;
  }

  @Override
  public String onCheck(SessionView s) {
    calls++;
    return null;
  }

  @Override
  public String afterHeal(SessionView s, long healedAtNanos) {
    calls++;
    return null;
  }

  @Override
  public String atEnd(SessionView s) {
    calls++;
    return null;
  }
}
