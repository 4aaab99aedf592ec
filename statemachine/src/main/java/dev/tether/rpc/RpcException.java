package dev.tether.rpc;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tether.machine.Cause;
import java.util.Objects;

/**
 * Why a request did not produce a result. Every request settles exactly once (I6): with its result,
 * or with exactly one of these. Switch on {@link #kind()} or on the subclass.
 */
public abstract sealed class RpcException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** The ways a request can fail. */
  public enum Kind {
    /** The server answered with a JSON-RPC error object. */
    REMOTE_ERROR,
    /** No answer within the request's deadline. */
    TIMEOUT,
    /**
     * The channel was lost (or the connection ended) before the answer arrived; {@link
     * ConnectionLost#written()} says whether the request may have run.
     */
    CONNECTION_LOST,
    /** The request could not be encoded or handed to the channel. */
    SEND_FAILED,
    /**
     * Not connected, and the request was not allowed to wait for the connection (see {@link
     * FailFast}); it was never written.
     */
    NOT_CONNECTED,
    /** The wait-for-ready queue was full. */
    REJECTED
  }

  private final Kind kind;

  RpcException(Kind kind, String message, Throwable cause) {
    super(message, cause);
    this.kind = kind;
  }

  /** What kind of failure this is. */
  public Kind kind() {
    return kind;
  }

  /** The server answered with an error object; {@code code}, {@code message}, {@code data}. */
  public static final class RemoteError extends RpcException {
    private static final long serialVersionUID = 1L;
    private final int code;
    private final String remoteMessage;
    private final transient JsonNode data;

    /**
     * Creates a remote error.
     *
     * @param code the error's {@code code}
     * @param remoteMessage the error's {@code message}
     * @param data the error's {@code data}, or null
     */
    public RemoteError(int code, String remoteMessage, JsonNode data) {
      super(Kind.REMOTE_ERROR, "remote error " + code + ": " + remoteMessage, null);
      this.code = code;
      this.remoteMessage = Objects.requireNonNull(remoteMessage, "remoteMessage");
      this.data = data;
    }

    /** The error's {@code code}. */
    public int code() {
      return code;
    }

    /** The error's {@code message}. */
    public String remoteMessage() {
      return remoteMessage;
    }

    /** The error's {@code data}, or null if absent. */
    public JsonNode data() {
      return data;
    }
  }

  /** No answer arrived before the request's deadline. */
  public static final class Timeout extends RpcException {
    private static final long serialVersionUID = 1L;

    Timeout(String message) {
      super(Kind.TIMEOUT, message, null);
    }
  }

  /**
   * The channel was lost, or the connection ended, before the answer arrived; {@link
   * #connectionCause()} says why, {@link #written()} whether the request may have reached the
   * server.
   */
  public static final class ConnectionLost extends RpcException {
    private static final long serialVersionUID = 1L;
    private final transient Cause connectionCause;
    private final boolean written;

    ConnectionLost(String message, Cause connectionCause, boolean written) {
      super(
          Kind.CONNECTION_LOST,
          message
              + (written
                  ? " (it was written and may have run)"
                  : " (it was never written: safe to retry)"),
          null);
      this.connectionCause = connectionCause;
      this.written = written;
    }

    /**
     * Whether the request had been handed to a channel: then the server may have received it and
     * run it (also when the write itself failed afterwards, or when an idempotent request was
     * written on an earlier channel and waited for its replay). False is a promise: the request
     * never left the client (it waited for a connection, or was made after the end), so it is safe
     * to send again, idempotent or not.
     */
    public boolean written() {
      return written;
    }

    /** Why the channel was lost (null if the connection was closed on request). */
    public Cause connectionCause() {
      return connectionCause;
    }
  }

  /** The request could not be encoded or written. */
  public static final class SendFailed extends RpcException {
    private static final long serialVersionUID = 1L;

    SendFailed(String message, Throwable cause) {
      super(Kind.SEND_FAILED, message, cause);
    }
  }

  /**
   * Not connected and the request did not wait for the connection, or the attempt it waited for
   * failed (see {@link FailFast}). The request was never written.
   */
  public static final class NotConnected extends RpcException {
    private static final long serialVersionUID = 1L;

    NotConnected(String message) {
      super(Kind.NOT_CONNECTED, message, null);
    }
  }

  /** The wait-for-ready queue was full. */
  public static final class Rejected extends RpcException {
    private static final long serialVersionUID = 1L;

    Rejected(String message) {
      super(Kind.REJECTED, message, null);
    }
  }
}
