package dev.tether.rpc;

/**
 * What a request frame carries besides {@code id}, {@code method} and {@code params}. Responses are
 * accepted with or without a {@code jsonrpc} member whichever envelope is chosen.
 */
public enum Envelope {
  /** JSON-RPC 2.0: every request carries {@code "jsonrpc":"2.0"}. The default. */
  JSONRPC2,
  /**
   * No {@code jsonrpc} member, for protocols that refuse members they do not know: otherwise the
   * same {@code id}/{@code method}/{@code params}.
   */
  BARE
}
