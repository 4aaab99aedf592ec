package dev.tether.peer;

import java.util.List;
import java.util.Objects;

/**
 * What a peer endpoint sent on connect, before it read anything: its alerts, then its snapshot.
 * Immutable.
 *
 * @param alerts the {@code data} of each alert, as JSON text, in arrival order; at most {@link
 *     PeerClient#MAX_KEPT_ALERTS}
 * @param droppedAlerts alerts read beyond that bound (read and discarded, never left unread)
 * @param snapshot the snapshot's {@code data}, as JSON text
 */
public record ConnectTraffic(List<String> alerts, int droppedAlerts, String snapshot) {
  /** Copies the list. */
  public ConnectTraffic {
    alerts = List.copyOf(alerts);
    Objects.requireNonNull(snapshot, "snapshot");
  }
}
