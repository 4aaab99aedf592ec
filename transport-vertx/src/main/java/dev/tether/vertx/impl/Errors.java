package dev.tether.vertx.impl;

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
