package dev.tether.rpc;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Objects;

/**
 * The error a {@link ServedMethod} answers with: thrown by the handler or completing its stage, it
 * becomes the response's {@code error} object {@code {"code":…,"message":…,"data":…}}. The
 * constants are the codes the connection itself answers with.
 */
public final class ServedError extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /**
   * JSON-RPC "invalid request": answered, with a null id, to a request whose id is no string or
   * number.
   */
  public static final int INVALID_REQUEST = -32600;

  /** JSON-RPC "method not found": answered at once to a request for a method nobody serves. */
  public static final int METHOD_NOT_FOUND = -32601;

  /** JSON-RPC "internal error": the handler threw, failed, or returned no stage. */
  public static final int INTERNAL_ERROR = -32603;

  /**
   * A server error (JSON-RPC reserves -32000..-32099 for them): the handler did not finish within
   * its timeout ({@link RpcConnectionBuilder#DEFAULT_SERVE_TIMEOUT} unless set per method).
   */
  public static final int TIMED_OUT = -32001;

  /**
   * A server error: {@link RpcConnectionBuilder#maxServedInProgress} requests from the server were
   * already in progress (or the serve executor refused the task), so this one was refused at once.
   */
  public static final int OVERLOADED = -32002;

  private final int code;
  private final transient JsonNode data;

  /**
   * Creates an error answer.
   *
   * @param code the error's {@code code}
   * @param message the error's {@code message}: it is sent to the server, so keep secrets out
   * @param data the error's {@code data}, or null for none
   */
  public ServedError(int code, String message, JsonNode data) {
    super(Objects.requireNonNull(message, "message"), null, false, false);
    this.code = code;
    this.data = data;
  }

  /** The error's {@code code}. */
  public int code() {
    return code;
  }

  /** The error's {@code data}, or null if none. */
  public JsonNode data() {
    return data;
  }
}
