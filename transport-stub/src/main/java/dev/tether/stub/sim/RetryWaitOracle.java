package dev.tether.stub.sim;

import dev.tether.machine.LifecycleEvent;
import java.time.Duration;
import java.util.Arrays;
import java.util.OptionalLong;

/**
 * I3 on the clock: each attempt starts exactly its announced delay after its {@code Connecting} or
 * {@code Reconnecting} event was emitted (both on the simulation's virtual clock, which does not
 * drift), or earlier only at the moment the user asked to retry now. A driver that ignores the
 * delay it announced (every retry at once, or late) passes the announced-delay check and fails this
 * one.
 *
 * <p>An announcement is remembered when emitted ({@link #onEmit}); the start is read from {@link
 * SessionView#lastAttemptStart()} at the check the session runs when an attempt starts. Holds one
 * announcement per live session and the last start seen per session; both are reset when a session
 * starts (its {@code Connecting} attempt 1), so re-running a simulation starts afresh. Not
 * thread-safe: one instance per simulation.
 */
final class RetryWaitOracle implements Oracle {
  /** The attempt a session announced and has not started yet (null once started). */
  private record Announced(int attempt, long atNanos, Duration delay) {}

  // Indexed by session (sessions are numbered from 0): boxed-key maps here took 7 % of B6.
  private Announced[] pending = new Announced[16];
  private long[] seen = new long[16]; // last start sequence checked, NONE if none

  private static final long NONE = Long.MIN_VALUE;

  {
    Arrays.fill(seen, NONE);
  }

  private void fit(int session) {
    if (session >= pending.length) {
      int size = Math.max(session + 1, pending.length * 2);
      pending = Arrays.copyOf(pending, size);
      int from = seen.length;
      seen = Arrays.copyOf(seen, size);
      Arrays.fill(seen, from, size, NONE);
    }
  }

  private Announced take(int session) {
    Announced a = pending[session];
    pending[session] = null;
    return a;
  }

  @Override
  public String invariant() {
    return "I3";
  }

  @Override
  public String onEmit(SessionView s, LifecycleEvent e) {
    int i = s.index();
    fit(i);
    if (e.isTerminal()) {
      pending[i] = null; // its last start stays seen: a later check must not recount it
      return null;
    }
    int attempt;
    Duration delay;
    if (e instanceof LifecycleEvent.Connecting c) {
      attempt = c.attempt();
      delay = c.delay();
      if (attempt == 1) { // a fresh run of the session (shrinking re-runs the simulation)
        seen[i] = NONE;
        pending[i] = null;
      }
    } else if (e instanceof LifecycleEvent.Reconnecting r) {
      attempt = r.attempt();
      delay = r.delay();
    } else {
      return null;
    }
    Announced before = pending[i];
    pending[i] = new Announced(attempt, s.nowNanos(), delay);
    // A view that does not tell when attempts start never shows one: nothing to hold it to.
    return before == null || s.lastAttemptStart().isEmpty()
        ? null
        : "attempt " + before.attempt() + " was announced but never started before " + e;
  }

  @Override
  public String onCheck(SessionView s) {
    var start = s.lastAttemptStart().orElse(null);
    if (start == null) {
      return null;
    }
    int i = s.index();
    fit(i);
    if (seen[i] == start.sequence()) {
      return null;
    }
    seen[i] = start.sequence();
    Announced a = take(i);
    if (a == null) {
      return "attempt " + start.attempt() + " started without being announced";
    }
    if (a.attempt() != start.attempt()) {
      return "attempt "
          + start.attempt()
          + " started, but attempt "
          + a.attempt()
          + " was announced";
    }
    long due = a.atNanos() + a.delay().toNanos();
    if (start.atNanos() == due) {
      return null;
    }
    OptionalLong now = s.lastReconnectNowNanos();
    if (start.atNanos() < due
        && now.isPresent()
        && now.getAsLong() == start.atNanos()
        && now.getAsLong() >= a.atNanos()) {
      return null; // the user asked to retry now: the pending attempt opens at once
    }
    return "attempt "
        + start.attempt()
        + " started "
        + Duration.ofNanos(start.atNanos() - a.atNanos())
        + " after it was announced with delay "
        + a.delay();
  }
}
