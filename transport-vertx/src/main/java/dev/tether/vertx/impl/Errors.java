package dev.tether.vertx.impl;

import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.websocketx.CorruptedWebSocketFrameException;
import io.netty.handler.codec.http.websocketx.WebSocketCloseStatus;
import io.vertx.core.http.UpgradeRejectedException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import javax.net.ssl.SSLException;

/** Turns exceptions from Vert.x into messages for people. */
public final class Errors {
  private Errors() {}

  /** The innermost meaningful message of {@code t}. */
  public static String describe(Throwable t) {
    Throwable root = t;
    while ((root instanceof CompletionException || root instanceof ExecutionException)
        && root.getCause() != null) {
      root = root.getCause();
    }
    String msg = root.getMessage();
    if (msg == null || msg.isBlank()) {
      return root.getClass().getSimpleName();
    }
    return msg;
  }

  /**
   * Whether {@code t} says an inbound frame or message exceeded the configured maximum (Netty's
   * WebSocket decoder reports it as a corrupted frame with close status 1009, or a too-long frame).
   */
  public static boolean frameTooLarge(Throwable t) {
    for (Throwable c = t; c != null; c = c.getCause() == c ? null : c.getCause()) {
      if (c instanceof TooLongFrameException) {
        return true;
      }
      if (c instanceof CorruptedWebSocketFrameException corrupted
          && corrupted.closeStatus() != null
          && corrupted.closeStatus().code() == WebSocketCloseStatus.MESSAGE_TOO_BIG.code()) {
        return true;
      }
    }
    return false;
  }

  /** The refused WebSocket upgrade in {@code t}'s cause chain, or null. */
  public static UpgradeRejectedException upgradeRejected(Throwable t) {
    for (Throwable c = t; c != null; c = c.getCause()) {
      if (c instanceof UpgradeRejectedException rejected) {
        return rejected;
      }
      if (c.getCause() == c) {
        break;
      }
    }
    return null;
  }

  /** The first {@link SSLException} in {@code t}'s cause chain, or null. */
  public static SSLException tlsFailure(Throwable t) {
    for (Throwable c = t; c != null; c = c.getCause()) {
      if (c instanceof SSLException ssl) {
        return ssl;
      }
      if (c.getCause() == c) {
        break;
      }
    }
    return null;
  }
}
