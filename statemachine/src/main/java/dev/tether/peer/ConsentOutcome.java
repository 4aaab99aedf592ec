package dev.tether.peer;

import java.time.Duration;

/**
 * How {@link PeerRegistry#registerWithConsent} ended. Only {@link Consented} and, when the caller
 * opted in, {@link MetadataOnly} leave the pair related; every other outcome changed no peer list.
 */
public sealed interface ConsentOutcome {

  /** A one-line human-readable description. */
  String describe();

  /** The target acknowledged {@code peer.register}; both sides are written. */
  record Consented(ConnectTraffic traffic) implements ConsentOutcome {
    @Override
    public String describe() {
      return "consented";
    }
  }

  /**
   * The target answered {@code peer.register} with an error: nothing changed.
   *
   * @param code the target's code, such as {@code unknown-source}
   * @param message the target's reason, cut to {@link PeerRegistry#MAX_REASON_CHARS}
   */
  record Refused(String code, String message) implements ConsentOutcome {
    @Override
    public String describe() {
      return "refused with code " + code + ": " + message;
    }
  }

  /**
   * The target could not be asked (no endpoint, refused connection, timed out, closed or misbehaved
   * before answering): nothing changed.
   *
   * @param reason why, as {@link SendOutcome.Failed#reason()} gives it
   * @param mayHaveReached whether the request may have reached the target (it closed or broke the
   *     protocol after the snapshot); the registry then sent {@code peer.unregister}, best effort
   */
  record Unreachable(String reason, boolean mayHaveReached) implements ConsentOutcome {
    @Override
    public String describe() {
      return "unreachable: "
          + reason
          + (mayHaveReached ? " (the request may have reached it; a withdrawal was sent)" : "");
    }
  }

  /**
   * The request was written but the target neither acknowledged nor refused it in time (an older
   * peer, or one that never reads): nothing changed, and the registry sent {@code peer.unregister},
   * best effort, in case the target acted on it.
   *
   * @param waited how long the registry waited for the answer
   */
  record Unconfirmed(Duration waited) implements ConsentOutcome {
    @Override
    public String describe() {
      return "written but not confirmed within " + waited.toMillis() + " ms";
    }
  }

  /**
   * The target was unreachable and the caller chose {@link
   * ConsentOptions#metadataOnlyIfUnreachable}: both sides are written without its consent.
   *
   * @param reason why the target could not be asked
   */
  record MetadataOnly(String reason) implements ConsentOutcome {
    @Override
    public String describe() {
      return "registered without consent (metadata only): " + reason;
    }
  }
}
