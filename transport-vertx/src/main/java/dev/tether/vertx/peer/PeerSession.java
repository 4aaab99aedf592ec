package dev.tether.vertx.peer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tether.peer.PeerNames;
import dev.tether.vertx.peer.ConsentHandler.ConsentRequest;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetSocket;
import io.vertx.core.parsetools.RecordParser;
import java.io.IOException;
import java.util.List;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One client connection of a {@link VertxPeerServer}: greets it (alerts, then the snapshot), then
 * reads its requests line by line and answers them. Confined to the socket's event loop.
 */
final class PeerSession {
  private static final Logger log = LoggerFactory.getLogger(PeerSession.class);
  private static final byte NEWLINE = '\n';
  private static final byte RETURN = '\r';

  private final NetSocket socket;
  private final NotifyHandler handler;
  private final ConsentHandler consent;
  private final int maxLineBytes;
  private final boolean confirming;
  private final String description;
  private final String from;

  PeerSession(
      NetSocket socket,
      NotifyHandler handler,
      ConsentHandler consent,
      int maxLineBytes,
      boolean confirming,
      String description) {
    this.socket = socket;
    this.handler = handler;
    this.consent = consent;
    this.maxLineBytes = maxLineBytes;
    this.confirming = confirming;
    this.description = description;
    this.from = String.valueOf(socket.remoteAddress());
  }

  /**
   * Writes {@code alerts}, then the snapshot once it is built, and only then starts reading. A
   * snapshot that cannot be built or written closes the connection.
   */
  void greet(List<String> alerts, Future<String> snapshot) {
    socket.exceptionHandler(t -> log.debug("{}: {}", description, t.toString()));
    for (String alert : alerts) {
      write(alert);
    }
    snapshot.onComplete(
        (line, err) -> {
          if (err != null) {
            log.warn("{}: cannot build the snapshot, closing: {}", description, err.toString());
            socket.close();
            return;
          }
          write(line)
              .onSuccess(v -> startReading())
              .onFailure(t -> socket.close()); // the client left; write() logged it
        });
  }

  Future<Void> close() {
    return socket.close();
  }

  private void startReading() {
    RecordParser lines = RecordParser.newDelimited("\n", this::line);
    lines.maxRecordSize(maxLineBytes);
    lines.exceptionHandler(t -> tooLong());
    socket.handler(lines);
    socket.resume();
  }

  private void line(Buffer buffer) {
    int length = buffer.length();
    if (length > 0 && buffer.getByte(length - 1) == RETURN) {
      length--;
    }
    if (length > maxLineBytes) {
      tooLong(); // the parser checks its bound only while a line is incomplete
      return;
    }
    if (length == 0) {
      return;
    }
    String reply = answer(buffer.getBytes(0, length));
    if (reply != null) {
      write(reply);
      if (socket.writeQueueFull()) {
        // A client that sends but never reads must not grow our write queue without bound.
        socket.pause();
        socket.drainHandler(v -> socket.resume());
      }
    }
  }

  private void tooLong() {
    log.warn("{}: request line longer than {} bytes; closing", description, maxLineBytes);
    socket.pause();
    socket.handler(null);
    write(
            error(
                null,
                VertxPeerServer.CODE_LINE_TOO_LONG,
                "line longer than " + maxLineBytes + " bytes"))
        .onComplete(ar -> socket.close());
  }

  /** The reply line to one request, or null when none is due (a non-confirming server). */
  private String answer(byte[] request) {
    JsonNode node;
    try {
      node = VertxPeerServer.JSON.readTree(request);
    } catch (IOException e) {
      return error(null, VertxPeerServer.CODE_MALFORMED_REQUEST, "not JSON");
    }
    if (node == null || !node.isObject()) {
      return error(null, VertxPeerServer.CODE_MALFORMED_REQUEST, "not a JSON object");
    }
    JsonNode idNode = node.path("id");
    String id = idNode.isTextual() || idNode.isNumber() ? idNode.asText() : null;
    JsonNode method = node.path("method");
    if (!method.isTextual()) {
      return error(id, VertxPeerServer.CODE_MALFORMED_REQUEST, "no \"method\" string");
    }
    ConsentRequest.Kind kind = consentKind(method.asText());
    if (kind != null) {
      return answerConsent(id, kind, node.path("params").path("source"));
    }
    if (!"notify".equals(method.asText())) {
      return error(
          id,
          VertxPeerServer.CODE_UNKNOWN_METHOD,
          "unknown method \"" + VertxPeerServer.abbreviate(method.asText()) + "\"");
    }
    JsonNode message = node.path("params").path("message");
    if (id == null || !message.isTextual()) {
      return error(
          id,
          VertxPeerServer.CODE_MALFORMED_REQUEST,
          "notify needs an \"id\" and a \"params.message\" string");
    }
    Verdict verdict = decide(new PeerMessage(id, message.asText(), from));
    return confirming ? reply(id, verdict) : null;
  }

  private static ConsentRequest.Kind consentKind(String method) {
    return switch (method) {
      case "peer.register" -> ConsentRequest.Kind.REGISTER;
      case "peer.unregister" -> ConsentRequest.Kind.UNREGISTER;
      default -> null;
    };
  }

  private String answerConsent(String id, ConsentRequest.Kind kind, JsonNode source) {
    if (id == null || !source.isTextual() || !PeerNames.isValid(source.asText())) {
      return error(
          id,
          VertxPeerServer.CODE_MALFORMED_REQUEST,
          "peer.register and peer.unregister need an \"id\" and a valid \"params.source\"");
    }
    Verdict verdict;
    ConsentRequest request = new ConsentRequest(kind, id, source.asText(), from);
    try {
      verdict = Objects.requireNonNull(consent.onConsent(request), "the handler's verdict");
    } catch (RuntimeException e) {
      log.warn("{}: the consent handler failed on {}", description, request, e);
      verdict = Verdict.reject(VertxPeerServer.CODE_HANDLER_FAILED, String.valueOf(e.getMessage()));
    }
    return confirming ? reply(id, verdict) : null;
  }

  private static String reply(String id, Verdict verdict) {
    if (verdict instanceof Verdict.Reject r) {
      return error(id, r.code(), r.message());
    }
    return VertxPeerServer.frame("ack", VertxPeerServer.JSON.createObjectNode().put("id", id));
  }

  private Verdict decide(PeerMessage message) {
    try {
      Verdict verdict = handler.onNotify(message);
      if (verdict == null) {
        throw new IllegalStateException("the handler returned null instead of a Verdict");
      }
      return verdict;
    } catch (RuntimeException e) {
      log.warn("{}: the notify handler failed on message {}", description, message.id(), e);
      return Verdict.reject(VertxPeerServer.CODE_HANDLER_FAILED, String.valueOf(e.getMessage()));
    }
  }

  private static String error(String id, String code, String message) {
    ObjectNode data = VertxPeerServer.JSON.createObjectNode();
    if (id == null) {
      data.putNull("id");
    } else {
      data.put("id", id);
    }
    data.put("code", code).put("message", message);
    return VertxPeerServer.frame("error", data);
  }

  private Future<Void> write(String line) {
    byte[] bytes = VertxPeerServer.utf8(line);
    return socket
        .write(Buffer.buffer(bytes.length + 1).appendBytes(bytes).appendByte(NEWLINE))
        .onFailure(t -> log.debug("{}: write failed: {}", description, t.toString()));
  }
}
