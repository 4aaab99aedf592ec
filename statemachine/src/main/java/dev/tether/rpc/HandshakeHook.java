package dev.tether.rpc;

import java.util.concurrent.CompletionStage;

/**
 * User work that runs on every new channel before the stream subscriptions are restored and before
 * {@code Connected}/{@code Reconnected} is reported, such as discovering the main isolate. Its
 * requests travel on the new channel. A hook that fails makes the attempt fail.
 */
@FunctionalInterface
public interface HandshakeHook {

  /**
   * Runs the hook on the connection's context.
   *
   * @param caller sends requests on the channel being set up. They belong to this attempt: once it
   *     is abandoned (connect timeout, channel lost, close, a failed handshake) or, if it
   *     succeeded, once that channel is lost, requests made through this caller fail with {@link
   *     RpcException.ConnectionLost} and are never written on a later channel, even when made late
   *     or from another thread. Every one of them settles, also after the connection terminated.
   * @param epoch the epoch the connection will have if the handshake succeeds
   * @return completes normally on success, exceptionally with the reason on failure
   */
  CompletionStage<Void> run(RpcCaller caller, long epoch);
}
