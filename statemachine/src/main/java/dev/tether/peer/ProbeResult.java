package dev.tether.peer;

import java.util.Optional;

/**
 * What {@link PeerClient#probe} found. Immutable.
 *
 * @param reachable whether the peer accepted the connection and sent its snapshot in time
 * @param status the snapshot's {@code status} field, if it had one
 * @param detail the failure reason when unreachable, otherwise empty
 */
public record ProbeResult(boolean reachable, Optional<String> status, String detail) {}
