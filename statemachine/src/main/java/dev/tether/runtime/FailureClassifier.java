package dev.tether.runtime;

import dev.tether.machine.Cause;
import dev.tether.machine.Verdict;

/**
 * Decides whether a failure is worth retrying: every failed attempt and every lost channel of a
 * connection passes through it, on the connection's context, and the machine acts on its {@link
 * Verdict}. A connect timeout is always {@link Verdict#RETRY}.
 *
 * <p>Decide on {@link Cause#kind()} and {@link Cause#detail()}, not on the message, which is for
 * people. To change a few cases, fall back to {@link #defaults()}:
 *
 * <pre>{@code
 * FailureClassifier mine = cause ->
 *     cause.detail().orElse(null) instanceof Cause.Detail.CloseCode c && c.code() == 4000
 *         ? Verdict.FATAL
 *         : FailureClassifier.defaults().classify(cause);
 * }</pre>
 *
 * <p>Implementations must be quick and must not block; one that throws is logged and its failure
 * retried by the policy.
 */
@FunctionalInterface
public interface FailureClassifier {

  /** HTTP statuses of a refused WebSocket upgrade that no retry can fix. */
  int UNAUTHORIZED = 401;

  /** See {@link #UNAUTHORIZED}. */
  int FORBIDDEN = 403;

  /** See {@link #UNAUTHORIZED}. */
  int NOT_FOUND = 404;

  /** WebSocket close code: the endpoint is going away (server shutdown, page navigation). */
  int GOING_AWAY = 1001;

  /** WebSocket close code: the peer received a message that violates its policy. */
  int POLICY_VIOLATION = 1008;

  /** WebSocket close code: the service is restarting. */
  int SERVICE_RESTART = 1012;

  /**
   * The verdict on {@code cause}.
   *
   * @param cause why the attempt failed or the channel was lost
   * @return what the connection does next
   */
  Verdict classify(Cause cause);

  /**
   * The defaults: {@link Verdict#FATAL} for a WebSocket upgrade refused with 401, 403 or 404, a
   * certificate or host name that fails TLS verification, WebSocket close code 1008 and a process
   * command that does not exist; {@link Verdict#RETRY_PROMPTLY} for close codes 1001 and 1012;
   * {@link Verdict#RETRY} for everything else.
   */
  static FailureClassifier defaults() {
    return FailureClassifier::byDefault;
  }

  /** A classifier that retries every failure by the policy (Tether's behaviour before verdicts). */
  static FailureClassifier alwaysRetry() {
    return cause -> Verdict.RETRY;
  }

  private static Verdict byDefault(Cause cause) {
    Cause.Detail detail = cause.detail().orElse(null);
    if (detail instanceof Cause.Detail.UpgradeRejected r) {
      int status = r.httpStatus();
      return status == UNAUTHORIZED || status == FORBIDDEN || status == NOT_FOUND
          ? Verdict.FATAL
          : Verdict.RETRY;
    }
    if (detail instanceof Cause.Detail.CloseCode c) {
      if (c.code() == POLICY_VIOLATION) {
        return Verdict.FATAL;
      }
      return c.code() == GOING_AWAY || c.code() == SERVICE_RESTART
          ? Verdict.RETRY_PROMPTLY
          : Verdict.RETRY;
    }
    if (detail instanceof Cause.Detail.CertificateRejected
        || detail instanceof Cause.Detail.CommandNotFound) {
      return Verdict.FATAL;
    }
    return Verdict.RETRY;
  }
}
