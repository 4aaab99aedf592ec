package dev.tether.peer;

import java.time.Duration;

/**
 * How a {@link PeerClient#connectAndSend} ended. Only {@link Delivered} means the peer confirmed
 * the message; nothing else is success (P1).
 */
public sealed interface SendOutcome {

  /** The peer answered the notify with an {@code ack}. */
  record Delivered(ConnectTraffic traffic) implements SendOutcome {}

  /**
   * The notify was written after the snapshot, but the peer neither acknowledged nor rejected it
   * within the confirmation timeout and kept the connection open (an older, non-confirming peer).
   * It may or may not have processed the message.
   */
  record WrittenUnconfirmed(ConnectTraffic traffic, Duration waited) implements SendOutcome {}

  /** The message was not delivered, for the precise reason given by the subtype. */
  sealed interface Failed extends SendOutcome {
    /** A one-line human-readable reason. */
    String reason();
  }

  /** The connection could not be opened (refused, no such host or socket). Nothing was written. */
  record Refused(String detail) implements Failed {
    @Override
    public String reason() {
      return "refused: " + detail;
    }
  }

  /** A phase before the write took longer than its limit. Nothing was written. */
  record TimedOut(Phase phase, Duration after) implements Failed {
    @Override
    public String reason() {
      return "timed out in phase " + phase + " after " + after.toMillis() + " ms";
    }
  }

  /** The peer closed the connection before its snapshot. Nothing was written. */
  record ClosedBeforeSnapshot(int alertsRead, String detail) implements Failed {
    @Override
    public String reason() {
      return "closed before snapshot (after " + alertsRead + " alerts): " + detail;
    }
  }

  /** The notify was written (or being written) but the peer closed before confirming it. */
  record ClosedBeforeConfirmation(String detail) implements Failed {
    @Override
    public String reason() {
      return "closed before confirmation: " + detail;
    }
  }

  /** The peer answered the notify with an {@code error}. */
  record Rejected(String code, String message) implements Failed {
    @Override
    public String reason() {
      return "rejected with code " + code + ": " + message;
    }
  }

  /** The peer sent something the protocol does not allow (not JSON, a second snapshot, …). */
  record ProtocolViolation(String detail) implements Failed {
    @Override
    public String reason() {
      return "protocol violation: " + detail;
    }
  }

  /** The phases of a send, for {@link TimedOut}. */
  enum Phase {
    /** Opening the connection. */
    CONNECT,
    /** Reading the connect-time alerts and the snapshot (the limit applies to each frame). */
    SNAPSHOT
  }
}
