package dev.tether.stub.rpc;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * Thrown by a {@link ScriptedRpcPeer} method handler to answer with a JSON-RPC error object. Any
 * other exception a handler throws is answered as {@code -32603} (internal error).
 */
public final class PeerError extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final int code;
  private final transient JsonNode data;

  /** An error with {@code code}, {@code message} and optional {@code data} (may be null). */
  public PeerError(int code, String message, JsonNode data) {
    super(message);
    this.code = code;
    this.data = data;
  }

  /** The error's code. */
  public int code() {
    return code;
  }

  /** The error's data, or null. */
  public JsonNode data() {
    return data;
  }
}
