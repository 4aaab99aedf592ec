package dev.tether.runtime.framing;

import java.util.Locale;

/**
 * How frames travel on a byte stream: {@link #ndjson()} (one JSON value per line) or {@link
 * #contentLength()} (the language server protocol's base protocol). A framing is a stateless value;
 * each stream gets its own {@link #newDecoder decoder}.
 *
 * <table>
 *   <caption>Framings</caption>
 *   <tr><th>name</th><th>on the wire</th><th>ends the stream</th></tr>
 *   <tr><td>{@code ndjson}</td><td>one JSON value, then {@code \n} ({@code \r\n} accepted); blank
 *       lines are skipped, and lines that do not start with an object or array are skipped and
 *       reported to {@link FrameSink#skipped}</td><td>a line longer than {@code
 *       maxFrameBytes}</td></tr>
 *   <tr><td>{@code content-length}</td><td>{@code Content-Length: N\r\n} (other headers such as
 *       {@code Content-Type} tolerated), {@code \r\n}, then N bytes</td><td>a header line
 *       without a colon, longer than {@value #MAX_HEADER_LINE_BYTES} bytes or past the {@value
 *       #MAX_HEADER_LINES}th; a missing, negative, non-numeric or conflicting {@code
 *       Content-Length}; one above {@code maxFrameBytes}</td></tr>
 * </table>
 *
 * <p>Immutable and thread-safe.
 */
public sealed interface Framing permits NdjsonFraming, ContentLengthFraming {

  /**
   * Longest header line accepted by {@link #contentLength()}, in bytes. The longest legitimate one,
   * {@code Content-Type: application/vscode-jsonrpc; charset=utf-8}, has 52; a kilobyte leaves room
   * while bounding what a peer that never ends its line can make us hold.
   */
  int MAX_HEADER_LINE_BYTES = 1024;

  /**
   * Most header lines in one {@link #contentLength()} header block: the protocol defines two, so 32
   * tolerates extensions while stopping a peer that sends headers forever.
   */
  int MAX_HEADER_LINES = 32;

  /** Longest excerpt of skipped or malformed input quoted in a message. */
  int MAX_EXCERPT_CHARS = 120;

  /** Newline-delimited JSON: one JSON value per line. */
  static Framing ndjson() {
    return NdjsonFraming.INSTANCE;
  }

  /** The language server protocol's {@code Content-Length} header framing. */
  static Framing contentLength() {
    return ContentLengthFraming.INSTANCE;
  }

  /**
   * The framing of the given {@link #name()}: {@code ndjson} or {@code content-length} (case
   * ignored).
   *
   * @throws IllegalArgumentException for any other name
   */
  static Framing named(String name) {
    return switch (name.toLowerCase(Locale.ROOT)) {
      case NdjsonFraming.NAME -> ndjson();
      case ContentLengthFraming.NAME -> contentLength();
      default ->
          throw new IllegalArgumentException(
              "unknown framing '"
                  + name
                  + "', expected "
                  + NdjsonFraming.NAME
                  + " or "
                  + ContentLengthFraming.NAME);
    };
  }

  /** The framing's name: {@code ndjson} or {@code content-length}. */
  String name();

  /**
   * A decoder for one stream.
   *
   * @param maxFrameBytes the largest frame body accepted; a longer one ends the stream with {@link
   *     dev.tether.machine.Cause.Kind#FRAME_TOO_LARGE}
   * @throws IllegalArgumentException if {@code maxFrameBytes} is not positive
   */
  FrameDecoder newDecoder(int maxFrameBytes);

  /**
   * The bytes that carry {@code frame} on the stream.
   *
   * @throws IllegalArgumentException if this framing cannot carry the frame (a newline inside an
   *     ndjson frame)
   */
  byte[] encode(byte[] frame);
}
