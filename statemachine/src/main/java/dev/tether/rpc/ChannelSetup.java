package dev.tether.rpc;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tether.rpc.Ledger.Pending;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * One handshake on one channel (I7): runs the user's {@link HandshakeHook} with a caller scoped to
 * this channel, then has {@link ServerSubscriptions} restore every desired stream. {@link #done}
 * completes once that round has settled, and only then does the driver report {@code Connected} or
 * {@code Reconnected}; it fails if the hook fails or the channel cannot vouch for the streams.
 *
 * <p>Lives only while its handshake runs ({@link Link#setup}): a connected session keeps none.
 * Confined to the connection's context, except the hook's caller, which may be used from any
 * thread.
 */
final class ChannelSetup {
  private final Link link;
  private final Requests requests;
  private final ServerSubscriptions subscriptions;
  final int gen;
  final CompletableFuture<Void> done = new CompletableFuture<>();
  boolean hookDone;

  /** The setup of the channel that is current in {@code link} now. */
  ChannelSetup(Link link, Requests requests, ServerSubscriptions subscriptions) {
    this.link = link;
    this.requests = requests;
    this.subscriptions = subscriptions;
    this.gen = link.gen;
  }

  /** Runs the hook of the channel the driver will call {@code epoch}; returns {@link #done}. */
  CompletionStage<Void> start(long epoch) {
    HandshakeHook hook = link.config.hook();
    CompletionStage<Void> hooked;
    try {
      hooked =
          hook == null
              ? CompletableFuture.completedFuture(null)
              : hook.run(new HookCaller(), epoch);
    } catch (RuntimeException e) {
      fail("handshake hook threw: " + e);
      return done;
    }
    hooked.whenComplete((ok, err) -> link.onContext(() -> hookFinished(err), () -> {}));
    return done;
  }

  /**
   * A request of the hook run for this channel: it belongs to this attempt (and, if it succeeds, to
   * the epoch on the same channel). Once that channel is gone (timeout, loss, close, a failed
   * handshake: each resets the channel) the request fails with {@code ConnectionLost} and is never
   * written on a later channel, even if the hook makes it late from another thread.
   */
  private CompletionStage<JsonNode> hookRequest(String method, JsonNode params) {
    RpcClient.checkCall(method, params);
    Pending p = requests.prepareInternal(method, params, link.config.requestTimeout());
    link.onContext(() -> issueForAttempt(p), () -> requests.endedBeforeIssue(p));
    return p.future;
  }

  /** A notification of the hook run for this channel: written on it, or failed like a request. */
  private CompletionStage<Void> hookNotify(String method, JsonNode params) {
    Pending p = requests.prepareNotification(method, params);
    Runnable over =
        () ->
            p.future.fail(
                new RpcException.ConnectionLost(
                    "the handshake attempt of " + method + " is over", null, false));
    link.onContext(
        () -> {
          if (gen == link.gen) { // the channel this hook runs for is still the current one
            requests.writeNotification(p);
          } else {
            over.run();
          }
        },
        over);
    return p.future.thenApply(written -> null);
  }

  /** The caller the hook gets: requests and notifications scoped to this channel. */
  private final class HookCaller implements RpcCaller {
    @Override
    public CompletionStage<JsonNode> request(String method, JsonNode params) {
      return hookRequest(method, params);
    }

    @Override
    public CompletionStage<Void> notify(String method, JsonNode params) {
      return hookNotify(method, params);
    }
  }

  private void issueForAttempt(Pending p) {
    if (gen != link.gen) { // every end of an attempt or of its channel resets the channel
      // Settled before arming: after termination the scheduler may refuse a timer.
      requests.settle(
          p,
          null,
          new RpcException.ConnectionLost(
              "the handshake attempt that made " + p.method + " is over", null, false));
      return;
    }
    requests.armAndSend(p);
  }

  private void hookFinished(Throwable err) {
    if (this != link.setup) {
      return;
    }
    if (err != null) {
      fail("handshake hook failed: " + err);
      return;
    }
    hookDone = true;
    subscriptions.restore(this);
  }

  void fail(String why) {
    done.completeExceptionally(new SetupFailed(why));
  }

  /** Why a handshake failed; the driver turns its message into a {@code HANDSHAKE_FAILED} cause. */
  private static final class SetupFailed extends Exception {
    private static final long serialVersionUID = 1L;

    SetupFailed(String message) {
      super(message, null, false, false);
    }
  }
}
