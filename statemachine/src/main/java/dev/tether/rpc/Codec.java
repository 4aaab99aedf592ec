package dev.tether.rpc;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.cfg.JsonNodeFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Objects;

/**
 * JSON-RPC 2.0 framing: strict on what it writes, tolerant on read where the spec allows (a missing
 * {@code jsonrpc} member, an error object of the wrong shape still settles its request). Parses
 * straight from the frame's bytes. Thread-safe.
 */
final class Codec {
  /**
   * Deepest nesting accepted. JSON-RPC payloads we know of are far shallower; the bound keeps a
   * hostile {@code [[[[…} from costing deep recursion while building the tree.
   */
  static final int MAX_NESTING_DEPTH = 256;

  /** Longest number literal accepted: enough for any id or metric, too short for a CPU bomb. */
  static final int MAX_NUMBER_CHARS = 1_000;

  /** JSON-RPC's "internal error" code, used when a server sends an error object we cannot read. */
  static final int MALFORMED_ERROR_CODE = -32603;

  /**
   * One mapper for every connection: its configuration is fixed and an {@code ObjectMapper} is
   * thread-safe once configured, while each instance carries several KiB of caches (a mapper per
   * connection was most of an idle connection's heap).
   */
  private static final ObjectMapper MAPPER = newMapper();

  private final ObjectMapper mapper = MAPPER;
  private final byte[] requestHead;

  /**
   * The codec writing requests in {@code envelope}: one per envelope, shared by every connection (a
   * codec is immutable; one per connection was 24 B of each session in B5).
   */
  static Codec of(Envelope envelope) {
    return switch (Objects.requireNonNull(envelope, "envelope")) {
      case JSONRPC2 -> JSONRPC2;
      case BARE -> BARE;
    };
  }

  /** A codec writing requests in {@code envelope}. */
  Codec(Envelope envelope) {
    this.requestHead =
        switch (Objects.requireNonNull(envelope, "envelope")) {
          case JSONRPC2 -> JSONRPC2_HEAD;
          case BARE -> BARE_HEAD;
        };
  }

  private static ObjectMapper newMapper() {
    JsonFactory factory =
        JsonFactory.builder()
            .streamReadConstraints(
                StreamReadConstraints.builder()
                    .maxNestingDepth(MAX_NESTING_DEPTH)
                    .maxNumberLength(MAX_NUMBER_CHARS)
                    .build())
            .build();
    return new ObjectMapper(factory).enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
  }

  /** What an inbound frame is. */
  sealed interface Inbound {}

  /** A response carrying a result for request {@code id}. */
  record Result(long id, JsonNode result) implements Inbound {}

  /** A response carrying an error for request {@code id}. */
  record Failure(long id, RpcException.RemoteError error) implements Inbound {}

  /**
   * An error response with a null or missing id: the server refused something it could not tie to a
   * request (e.g. a request carrying a member its protocol does not know).
   */
  record IdlessError(RpcException.RemoteError error) implements Inbound {}

  /** A notification (a {@code method} without an id, or an rpc-websockets event). */
  record Notification(ObjectNode frame) implements Inbound {}

  /**
   * A request from the server (a {@code method} with a non-null id), to be answered once (I11).
   * {@code id} is the request's own id node, of any JSON type (the answer echoes it; see {@link
   * ServedRequests}); a fractional number is read exactly, as a decimal.
   */
  record ServerRequest(JsonNode id, String method, JsonNode params) implements Inbound {}

  /** A frame we cannot use. */
  record Invalid(Problem problem, String detail) implements Inbound {}

  /** Why a frame was unusable. */
  enum Problem {
    /** Not JSON, not an object, wrong types, wrong {@code jsonrpc}. */
    MALFORMED,
    /** A response whose id is not one this client could have issued. */
    UNMATCHED_RESPONSE
  }

  /**
   * Encodes a request's method, params and extra top-level {@code members} (checked by {@link
   * RequestOptions#member}), without its id: {@code {"method":…,"params":…,…}}. Done once per
   * request, on the caller's thread, so that the connection's context only splices in the id
   * ({@link #request}), also when a replay sends it again under a new id.
   */
  byte[] requestBody(String method, JsonNode params, Map<String, JsonNode> members)
      throws JsonProcessingException {
    ObjectNode n = mapper.createObjectNode();
    n.put("method", method);
    if (params != null) {
      n.set("params", params);
    }
    if (!members.isEmpty()) { // the common case allocates no iterator
      n.setAll(members);
    }
    return mapper.writeValueAsBytes(n);
  }

  /** What a {@link Envelope#JSONRPC2} request frame starts with, before its id. */
  private static final byte[] JSONRPC2_HEAD =
      "{\"jsonrpc\":\"2.0\",\"id\":".getBytes(StandardCharsets.US_ASCII);

  /** What a {@link Envelope#BARE} request frame starts with, before its id. */
  private static final byte[] BARE_HEAD = "{\"id\":".getBytes(StandardCharsets.US_ASCII);

  // After the heads they use: static fields are initialized in the order they are written.
  private static final Codec JSONRPC2 = new Codec(Envelope.JSONRPC2);
  private static final Codec BARE = new Codec(Envelope.BARE);

  /**
   * The request frame {@code {"jsonrpc":"2.0","id":ID,"method":…,"params":…}} (without the {@code
   * jsonrpc} member in the {@link Envelope#BARE} envelope) for a body from {@link #requestBody}.
   */
  byte[] request(long id, byte[] body) {
    if (body.length < 2 || body[0] != '{') {
      throw new IllegalArgumentException("not a request body");
    }
    if (id < 0) {
      throw new IllegalArgumentException("request ids are not negative, was " + id);
    }
    byte[] head = requestHead;
    int digits = decimalDigits(id);
    byte[] frame = new byte[head.length + digits + body.length];
    System.arraycopy(head, 0, frame, 0, head.length);
    int at = head.length + digits;
    // The id's digits straight into the frame: Long.toString and getBytes made a String and two
    // arrays per request (B2, issue 19).
    long rest = id;
    for (int i = at - 1; i >= head.length; i--) {
      frame[i] = (byte) ('0' + (int) (rest % 10));
      rest /= 10;
    }
    frame[at] = ',';
    System.arraycopy(body, 1, frame, at + 1, body.length - 1); // the body without its '{'
    return frame;
  }

  /** How many decimal digits {@code n} (not negative) has. */
  static int decimalDigits(long n) {
    int digits = 1;
    for (long bound = 10; digits < 19 && n >= bound; bound *= 10) {
      digits++;
    }
    return digits;
  }

  /**
   * The notification frame {@code {"jsonrpc":"2.0","method":…,"params":…}} (without the {@code
   * jsonrpc} member in the {@link Envelope#BARE} envelope) for a body from {@link #requestBody}.
   */
  byte[] notification(byte[] body) {
    if (requestHead == BARE_HEAD) {
      return body;
    }
    int head = JSONRPC2_HEAD.length - "\"id\":".length(); // {"jsonrpc":"2.0",
    byte[] frame = new byte[head + body.length - 1];
    System.arraycopy(JSONRPC2_HEAD, 0, frame, 0, head);
    System.arraycopy(body, 1, frame, head, body.length - 1); // the body without its '{'
    return frame;
  }

  /** Parses and classifies a frame. Never throws. */
  Inbound decode(byte[] frame) {
    JsonNode n;
    try {
      n = mapper.readTree(frame);
    } catch (IOException | RuntimeException e) {
      return new Invalid(Problem.MALFORMED, "not JSON: " + abbreviate(e.getMessage()));
    }
    if (!(n instanceof ObjectNode o)) {
      return new Invalid(Problem.MALFORMED, "not a JSON object");
    }
    JsonNode version = o.get("jsonrpc");
    if (version != null && !"2.0".equals(version.textValue())) {
      return new Invalid(Problem.MALFORMED, "jsonrpc must be \"2.0\", was " + abbreviate(version));
    }
    JsonNode id = o.get("id");
    boolean hasId = id != null && !id.isNull();
    if (o.has("result") || o.has("error")) {
      return response(o, id);
    }
    JsonNode m = o.get("method");
    if (m != null && m.isTextual()) {
      return hasId ? serverRequest(frame, o, id, m.textValue()) : new Notification(o);
    }
    if (!hasId && o.path("notification").isTextual()) {
      return new Notification(o);
    }
    return new Invalid(Problem.MALFORMED, "neither response nor notification");
  }

  private static Inbound serverRequest(byte[] frame, ObjectNode o, JsonNode id, String method) {
    if (id.isFloatingPointNumber()) {
      // The default tree holds a double, which would echo 0.1000000000000000055 as 0.1; rare enough
      // to parse twice.
      try {
        id = Exact.MAPPER.readTree(frame).get("id");
      } catch (IOException e) {
        throw new UncheckedIOException("a frame parsed once failed the second time", e);
      }
    }
    return new ServerRequest(id, method, o.get("params"));
  }

  /** A mapper that reads fractional numbers as exact decimals; loaded only when one is needed. */
  private static final class Exact {
    static final ObjectMapper MAPPER =
        newMapper()
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .configure(JsonNodeFeature.STRIP_TRAILING_BIGDECIMAL_ZEROES, false);
  }

  /**
   * The response {@code {"jsonrpc":"2.0","id":ID,"result":…}} to a request from the server (without
   * {@code jsonrpc} in the {@link Envelope#BARE} envelope).
   *
   * @throws JsonProcessingException if {@code result} cannot be written
   */
  byte[] resultResponse(JsonNode id, JsonNode result) throws JsonProcessingException {
    ObjectNode n = responseHead(id);
    n.set("result", result == null ? n.nullNode() : result);
    return mapper.writeValueAsBytes(n);
  }

  /**
   * The error response {@code {"jsonrpc":"2.0","id":ID,"error":{"code":…,"message":…,"data":…}}} to
   * a request from the server ({@code data} left out when null).
   *
   * @throws JsonProcessingException if {@code data} cannot be written
   */
  byte[] errorResponse(JsonNode id, int code, String message, JsonNode data)
      throws JsonProcessingException {
    ObjectNode n = responseHead(id);
    ObjectNode error = n.putObject("error");
    error.put("code", code);
    error.put("message", message);
    if (data != null) {
      error.set("data", data);
    }
    return mapper.writeValueAsBytes(n);
  }

  private ObjectNode responseHead(JsonNode id) {
    ObjectNode n = mapper.createObjectNode();
    if (requestHead == JSONRPC2_HEAD) { // the envelope, without a field of its own per connection
      n.put("jsonrpc", "2.0");
    }
    n.set("id", id);
    return n;
  }

  private static Inbound response(ObjectNode o, JsonNode id) {
    JsonNode error = o.get("error");
    boolean failed = error != null && !error.isNull();
    if (failed && (id == null || id.isNull())) {
      return new IdlessError(remoteError(error));
    }
    if (id == null || !id.isIntegralNumber() || !id.canConvertToLong()) {
      // We only ever issue integer ids; anything else (null, string, float, huge) matches nothing.
      return new Invalid(Problem.UNMATCHED_RESPONSE, "response id " + abbreviate(id));
    }
    if (failed) {
      return new Failure(id.longValue(), remoteError(error));
    }
    return new Result(id.longValue(), o.get("result"));
  }

  private static RpcException.RemoteError remoteError(JsonNode error) {
    JsonNode code = error.get("code");
    JsonNode message = error.get("message");
    if (code == null || !code.canConvertToInt() || !code.isIntegralNumber()) {
      return new RpcException.RemoteError(
          MALFORMED_ERROR_CODE, "malformed error object: " + abbreviate(error), error);
    }
    return new RpcException.RemoteError(
        code.intValue(),
        message != null && message.isTextual() ? message.textValue() : "",
        error.get("data"));
  }

  /** Bounds what a hostile frame can put into a log line or an exception message. */
  static String abbreviate(Object o) {
    String s = String.valueOf(o);
    return s.length() <= MAX_DETAIL_CHARS ? s : s.substring(0, MAX_DETAIL_CHARS) + "…";
  }

  /** Longest excerpt of remote input we copy into messages. */
  static final int MAX_DETAIL_CHARS = 120;
}
