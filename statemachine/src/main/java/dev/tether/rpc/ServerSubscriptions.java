package dev.tether.rpc;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tether.rpc.Counters.C;
import dev.tether.rpc.Ledger.Pending;
import java.util.HashSet;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The streams' subscriptions on the current channel: which streams are subscribed there, the
 * subscribe and unsubscribe requests the {@link Dialect} asks for, and how their answers are read.
 * A refusal is reported to the stream's handlers; a timeout or send failure while the channel is
 * set up fails the handshake, so that I7 is never vouched for falsely. Counts the operations in
 * progress: the handshake's round ({@link #restore}) is done once they have all settled.
 *
 * <p>Confined to the connection's context.
 */
final class ServerSubscriptions {
  private static final Logger log = LoggerFactory.getLogger(ServerSubscriptions.class);

  /** JSON-RPC's generic "server error" code, for a refusal a dialect read from a result. */
  static final int REFUSED_CODE = -32000;

  private final Link link;
  private final Requests requests;
  private final Streams streams;
  // Created at the first subscription: a connection without streams has no set (B5: 64 B).
  private Set<String> onServer;
  private int subscriptionOps;

  ServerSubscriptions(Link link, Requests requests, Streams streams) {
    this.link = link;
    this.requests = requests;
    this.streams = streams;
  }

  /** A new channel (or none): nothing is subscribed on it yet. */
  void reset() {
    if (onServer != null) {
      onServer.clear();
    }
    if (link.tokens != null) { // server-named subscriptions: tokens die with their channel
      link.tokens.reset(streams.parked());
    }
    subscriptionOps = 0;
  }

  /** {@code stream} got its first handler: subscribe it now, unless the handshake's round will. */
  void wanted(String stream) {
    if (link.channel != null && !onServer(stream)) {
      ChannelSetup setup = link.setup;
      if (setup == null || setup.hookDone) {
        subscribeOnChannel(stream);
      } // else: the handshake's round, after the hook, subscribes it
    }
  }

  /** {@code stream} lost its last handler: unsubscribe it where it is subscribed. */
  void unwanted(String stream) {
    if (link.channel != null && onServer(stream)) {
      unsubscribeOnChannel(stream);
    }
  }

  /** The handshake's round, after the hook: subscribes every desired stream on the channel (I7). */
  void restore(ChannelSetup s) {
    for (String stream : streams.names()) {
      if (!onServer(stream) && s == link.setup) {
        subscribeOnChannel(stream);
      }
    }
    maybeFinishSetup();
  }

  private void maybeFinishSetup() {
    ChannelSetup s = link.setup;
    if (s != null && s.hookDone && subscriptionOps == 0 && s.gen == link.gen) {
      s.done.complete(null);
    }
  }

  /** Whether {@code stream} is subscribed (or being subscribed) on the current channel. */
  private boolean onServer(String stream) {
    return onServer != null && onServer.contains(stream);
  }

  private void subscribeOnChannel(String stream) {
    if (onServer == null) {
      onServer = new HashSet<>();
    }
    onServer.add(stream);
    Optional<Dialect.RpcCall> call = link.config.dialect().subscribe(stream);
    if (call.isEmpty()) {
      return;
    }
    int gen = link.gen;
    subscriptionOps++;
    Pending p = requests.internal(call.get(), link.config.requestTimeout());
    p.then = (result, err) -> subscribeSettled(gen, stream, result, err);
    requests.send(p);
  }

  private void unsubscribeOnChannel(String stream) {
    if (onServer != null) {
      onServer.remove(stream);
    }
    // Server-named subscriptions: cancel by the current token; with none yet (the subscribe is in
    // flight) its result is cancelled when it comes (tokenGiven).
    ServerTokens tokens = link.tokens;
    String token = tokens == null ? null : tokens.remove(stream);
    Dialect dialect = link.config.dialect();
    cancelOnChannel(
        stream, token == null ? dialect.unsubscribe(stream) : dialect.unsubscribe(stream, token));
  }

  private void cancelOnChannel(String stream, Optional<Dialect.RpcCall> call) {
    if (call.isEmpty()) {
      return;
    }
    int gen = link.gen;
    subscriptionOps++;
    Pending p = requests.internal(call.get(), link.config.requestTimeout());
    p.then =
        (result, err) -> {
          if (gen == link.gen) {
            subscriptionOps--;
            if (err != null) {
              log.warn(
                  "{}: cancelling stream {} failed: {}",
                  link.name(),
                  stream,
                  Codec.abbreviate(err));
            }
            maybeFinishSetup();
          }
        };
    requests.send(p);
  }

  private void subscribeSettled(int gen, String stream, JsonNode result, Throwable err) {
    if (gen != link.gen) {
      return; // that channel is gone; the next one resubscribes from the desired set
    }
    subscriptionOps--;
    RpcException refusal = null;
    Dialect dialect = link.config.dialect();
    if (err == null) {
      refusal =
          dialect
              .subscribeRefusal(stream, result)
              .map(why -> new RpcException.RemoteError(REFUSED_CODE, why, result))
              .orElse(null);
    } else if (err instanceof RpcException.RemoteError re) {
      refusal = dialect.alreadySubscribed(re) ? null : re;
    } else if (link.setup != null) {
      // Timeout or send failure on a fresh channel: the handshake cannot vouch for I7.
      link.setup.fail("subscribing " + stream + " failed: " + err.getMessage());
      return;
    } else {
      refusal =
          err instanceof RpcException re ? re : new RpcException.SendFailed(err.toString(), err);
    }
    if (refusal == null && err == null) {
      refusal = tokenGiven(stream, result); // server-named subscriptions: map the token
    }
    if (refusal != null) {
      subscriptionRefused(stream, refusal);
    }
    maybeFinishSetup();
  }

  /**
   * Server-named subscriptions ({@link Dialect#subscriptionToken}): maps the token an accepted
   * subscribe of {@code stream} got on the current channel. A token nobody wants any more (the
   * stream was cancelled while it was in flight, or a second subscribe of it answered too) is
   * cancelled at once; during a handshake that cancel is waited for like the subscriptions (I7).
   *
   * @return a refusal if the server handed out a token that is already live
   */
  private RpcException tokenGiven(String stream, JsonNode result) {
    Optional<String> token = link.config.dialect().subscriptionToken(stream, result);
    if (token.isEmpty()) {
      return null; // the dialect names streams itself
    }
    ServerTokens tokens = link.tokens;
    if (tokens == null) {
      tokens = new ServerTokens();
      link.tokens = tokens;
    }
    String t = token.get();
    String holder = tokens.streamOf(t);
    if (stream.equals(holder) || (holder != null && tokens.tokenOf(stream) != null)) {
      return null; // the same token again, or a reused one for a stream that has its own: ignore
    } else if (holder != null) {
      return new RpcException.RemoteError(
          REFUSED_CODE,
          "server answered token " + Codec.abbreviate(t) + ", already live for another stream",
          result);
    }
    if (!streams.has(stream) || !onServer(stream) || !tokens.map(stream, t)) {
      cancelOnChannel(stream, link.config.dialect().unsubscribe(stream, t));
    }
    return null;
  }

  private void subscriptionRefused(String stream, RpcException refusal) {
    if (onServer != null) {
      onServer.remove(stream);
    }
    link.counters.inc(C.RESUBSCRIBE_FAILURES);
    log.warn(
        "{}: subscribing stream {} failed: {}",
        link.name(),
        stream,
        Codec.abbreviate(refusal.getMessage())); // the message comes from the remote side
    streams.refused(stream, refusal);
  }
}
