package dev.tether.stub.sim;

import dev.tether.machine.BackoffPolicy;
import dev.tether.machine.Cause;
import dev.tether.machine.LifecycleEvent;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;

/**
 * I10, checked at the moment each event is emitted (the simulated time then is the time the machine
 * was stepped with): counts each session's losses of an established connection over the policy's
 * sliding window, independently of the machine, and compares the verdict with what the machine did.
 *
 * <p>A loss is a {@code Reconnecting} with attempt 1 (only a lost connection starts an outage) or a
 * {@code PermanentlyDisconnected(FLAPPING)}. A session's history is dropped when it starts (its
 * {@code Connecting} attempt 1), so re-running a simulation (shrinking) starts afresh, and when it
 * ends, so the map holds only live sessions; each history holds at most the policy's flap limit
 * plus one loss. Not thread-safe: one instance per simulation.
 */
final class FlapGuardOracle implements Oracle {
  private final Map<Integer, ArrayDeque<Long>> losses = new HashMap<>();

  @Override
  public String invariant() {
    return "I10";
  }

  @Override
  public String onEmit(SessionView s, LifecycleEvent e) {
    if (e instanceof LifecycleEvent.Connecting c && c.attempt() == 1) {
      losses.remove(s.index());
      return null;
    }
    boolean flapped =
        e instanceof LifecycleEvent.PermanentlyDisconnected pd
            && pd.cause().kind() == Cause.Kind.FLAPPING;
    boolean lost = e instanceof LifecycleEvent.Reconnecting r && r.attempt() == 1;
    if (e.isTerminal() && !flapped) {
      losses.remove(s.index());
    }
    if (!lost && !flapped) {
      return null;
    }
    BackoffPolicy p = s.policy();
    if (!p.hasFlapGuard()) {
      return flapped ? "ended FLAPPING although the policy has no flap guard: " + e : null;
    }
    int within = countLoss(s.index(), s.nowNanos(), p.flapWindow());
    if (flapped) {
      losses.remove(s.index());
      return within == p.flapLimit() + 1
          ? null
          : "ended FLAPPING at loss "
              + within
              + " within "
              + p.flapWindow()
              + ", but the flap limit is "
              + p.flapLimit();
    }
    return within <= p.flapLimit()
        ? null
        : within
            + " losses within "
            + p.flapWindow()
            + " (flap limit "
            + p.flapLimit()
            + ") and the connection reconnects: "
            + e;
  }

  /** Records a loss at {@code nowNanos}; returns how many lie within the window, this one too. */
  private int countLoss(int session, long nowNanos, Duration window) {
    ArrayDeque<Long> recent = losses.computeIfAbsent(session, i -> new ArrayDeque<>());
    long windowNanos = window.toNanos();
    while (!recent.isEmpty() && nowNanos - recent.peekFirst() >= windowNanos) {
      recent.pollFirst();
    }
    recent.addLast(nowNanos);
    return recent.size();
  }
}
