package dev.tether.stub.sim;

import dev.tether.machine.ConnectionState;
import dev.tether.machine.LifecycleEvent;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * State against link: what a {@code Connected} connection says must match its link. It has exactly
 * one open channel, not half-open past the session's detection bound; a channel that ended, for
 * whatever cause ({@code CHANNEL_ERROR} from a drop or a partition as much as {@code
 * CHANNEL_CLOSED}), leads out of {@code Connected} within {@link Oracles#LINK_LOSS_BOUND}. A driver
 * that ignored some channel ends would otherwise leave sessions "Connected" forever, and every
 * other oracle would pass.
 *
 * <p>Checked at every emitted event and every link check; the simulation runs a link check when a
 * channel ends and again {@link Oracles#LINK_LOSS_BOUND} later, so a disagreement that lasts is
 * seen. Remembers since when each session's state and link disagree (an entry only while they do).
 * Not thread-safe: one instance per run (the simulation builds a new one for every run).
 */
final class StateAgainstLinkOracle implements Oracle {
  private final Map<Integer, Long> disagreeingSince = new HashMap<>();

  @Override
  public String invariant() {
    return "link";
  }

  @Override
  public String onEmit(SessionView s, LifecycleEvent e) {
    return onCheck(s);
  }

  @Override
  public String onCheck(SessionView s) {
    if (!(s.connection().state() instanceof ConnectionState.Connected)) {
      disagreeingSince.remove(s.index());
      return null;
    }
    String halfOpen = halfOpenTooLong(s);
    if (halfOpen != null) {
      return halfOpen;
    }
    int open = s.openChannels();
    if (open == 1) {
      disagreeingSince.remove(s.index());
      return null;
    }
    long now = s.nowNanos();
    long since = disagreeingSince.computeIfAbsent(s.index(), i -> now);
    return now - since >= Oracles.LINK_LOSS_BOUND.toNanos()
        ? "Connected with "
            + open
            + " open channel(s) for "
            + Duration.ofNanos(now - since)
            + " (the channel's end was not acted on)"
        : null;
  }

  private static String halfOpenTooLong(SessionView s) {
    Optional<Duration> bound = s.halfOpenDetectionBound();
    OptionalLong since = s.halfOpenSinceNanos();
    if (bound.isEmpty() || since.isEmpty()) {
      return null;
    }
    long silent = s.nowNanos() - since.getAsLong();
    return silent >= bound.get().plus(Oracles.LINK_LOSS_BOUND).toNanos()
        ? "Connected on a channel half-open for "
            + Duration.ofNanos(silent)
            + ", past the detection bound "
            + bound.get()
        : null;
  }
}
