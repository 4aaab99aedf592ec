package dev.tether.peer;

import dev.tether.runtime.spi.Scheduler;
import dev.tether.runtime.spi.Transport;
import java.net.URI;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The registry's side of the consent protocol: one {@code peer.register} or {@code peer.unregister}
 * round trip through {@link PeerClient}'s connect-and-send path (P1), waited for by the calling
 * thread for at most {@link ConsentOptions#maxWait} (the registry holds its lock meanwhile).
 * Thread-safe.
 */
final class ConsentClient {
  /** The method asking the target to consent. */
  static final String REGISTER = "peer.register";

  /** The method withdrawing a consent. */
  static final String UNREGISTER = "peer.unregister";

  /**
   * Time the waiting thread allows the scheduler beyond the attempt's own deadline to report it; a
   * scheduler that cannot run a task within a second is stuck.
   */
  private static final Duration GRACE = Duration.ofSeconds(1);

  private final Transport transport;
  private final Scheduler scheduler;
  private final ConsentOptions options;

  ConsentClient(Transport transport, Scheduler scheduler, ConsentOptions options) {
    this.transport = transport;
    this.scheduler = scheduler;
    this.options = options;
  }

  ConsentOptions options() {
    return options;
  }

  /**
   * Sends {@code {"method":METHOD,"id":…,"params":{"source":SOURCE}}} to {@code endpoint} and waits
   * for the outcome. Never throws for what the network does: a wait that outlives the deadline is
   * reported as a possibly written request ({@link SendOutcome.ClosedBeforeConfirmation}).
   */
  SendOutcome ask(URI endpoint, String method, String source) {
    Duration limit = options.maxWait();
    CompletableFuture<SendOutcome> outcome =
        PeerClient.request(
                transport,
                scheduler,
                endpoint,
                method,
                SendAttempt.newParams().put("source", source),
                options.send(),
                limit)
            .toCompletableFuture();
    try {
      return outcome.get(limit.plus(GRACE).toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return new SendOutcome.ClosedBeforeConfirmation("interrupted while waiting for the answer");
    } catch (TimeoutException e) {
      return new SendOutcome.ClosedBeforeConfirmation(
          "no outcome within " + limit.plus(GRACE).toMillis() + " ms (is the scheduler stuck?)");
    } catch (ExecutionException e) {
      // PeerClient's stages complete with an outcome, never exceptionally.
      throw new IllegalStateException("consent round trip failed unexpectedly", e.getCause());
    }
  }
}
