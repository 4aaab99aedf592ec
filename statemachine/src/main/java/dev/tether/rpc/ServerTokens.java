package dev.tether.rpc;

import java.util.HashMap;
import java.util.Map;

/**
 * The token table of server-named subscriptions ({@link Dialect#subscriptionToken}): which token
 * the server handed out for which stream on the current channel, both ways. Tokens belong to one
 * channel: {@link #reset} forgets them all when the channel goes, so an old token never reaches a
 * stream through a table of a later channel, even if the new server reuses its value for another
 * stream.
 *
 * <p>Notifications parked while a {@code PAUSE} lane was full outlive their channel (see {@link
 * InboundGate}); their tokens belong to the lost channel's table. {@code reset} therefore records
 * how many were parked, and those, which the gate hands out first, are {@link #fromLostChannel()
 * from the lost channel}: their tokens are stale, never looked up in the new table.
 *
 * <p>A connection allocates its table at the first token a server hands out, so dialects that name
 * streams themselves pay nothing. Confined to the connection's context.
 */
final class ServerTokens {
  private final Map<String, String> streamByToken = new HashMap<>(4);
  private final Map<String, String> tokenByStream = new HashMap<>(4);
  private int parkedFromLostChannels;

  /** The stream {@code token} maps to on the current channel, or null. */
  String streamOf(String token) {
    return streamByToken.get(token);
  }

  /** The current channel's token of {@code stream}, or null. */
  String tokenOf(String stream) {
    return tokenByStream.get(stream);
  }

  /**
   * Maps {@code token} to {@code stream} on the current channel.
   *
   * @return false, mapping nothing, if the token already maps to a stream (a server reusing a live
   *     token) or the stream already has one
   */
  boolean map(String stream, String token) {
    if (streamByToken.containsKey(token) || tokenByStream.containsKey(stream)) {
      return false;
    }
    streamByToken.put(token, stream);
    tokenByStream.put(stream, token);
    return true;
  }

  /** Forgets {@code stream}'s token (it is being cancelled); returns it, or null if it had none. */
  String remove(String stream) {
    String token = tokenByStream.remove(stream);
    if (token != null) {
      streamByToken.remove(token);
    }
    return token;
  }

  /**
   * The channel is gone: forgets every token. {@code parkedNow} notifications parked at this moment
   * came on the lost channel (or an earlier one).
   */
  void reset(int parkedNow) {
    streamByToken.clear();
    tokenByStream.clear();
    parkedFromLostChannels = parkedNow;
  }

  /**
   * Call once per notification handled, in order: whether it is one of those parked before the last
   * {@link #reset}, whose tokens are stale.
   */
  boolean fromLostChannel() {
    if (parkedFromLostChannels == 0) {
      return false;
    }
    parkedFromLostChannels--;
    return true;
  }
}
