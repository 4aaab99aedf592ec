package dev.tether.runtime.framing;

import dev.tether.machine.Cause;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/** The language server protocol's header framing. See {@link Framing}. */
final class ContentLengthFraming implements Framing {
  static final String NAME = "content-length";
  static final ContentLengthFraming INSTANCE = new ContentLengthFraming();

  private static final String CONTENT_LENGTH = "content-length";
  private static final byte NEWLINE = '\n';
  private static final byte RETURN = '\r';

  private ContentLengthFraming() {}

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public FrameDecoder newDecoder(int maxFrameBytes) {
    if (maxFrameBytes <= 0) {
      throw new IllegalArgumentException("maxFrameBytes must be positive, was " + maxFrameBytes);
    }
    return new Decoder(maxFrameBytes);
  }

  @Override
  public byte[] encode(byte[] frame) {
    byte[] header =
        ("Content-Length: " + frame.length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
    byte[] out = new byte[header.length + frame.length];
    System.arraycopy(header, 0, out, 0, header.length);
    System.arraycopy(frame, 0, out, header.length, frame.length);
    return out;
  }

  @Override
  public String toString() {
    return NAME;
  }

  /** Alternates between a header block (lines up to an empty one) and a body of known length. */
  private static final class Decoder implements FrameDecoder {
    private final int maxFrameBytes;
    private final BoundedBytes header =
        new BoundedBytes(
            MAX_HEADER_LINE_BYTES + 1, // + a trailing \r
            Cause.Kind.PROTOCOL_ERROR,
            "header line longer than " + MAX_HEADER_LINE_BYTES + " bytes");
    private int headerLines;
    private long contentLength = -1;
    private byte[] body; // non-null while reading a body
    private int bodyFilled;

    Decoder(int maxFrameBytes) {
      this.maxFrameBytes = maxFrameBytes;
    }

    @Override
    public void feed(byte[] bytes, int offset, int length, FrameSink sink) throws FramingException {
      int at = offset;
      int end = offset + length;
      while (at < end) {
        at = body != null ? fillBody(bytes, at, end, sink) : readHeader(bytes, at, end, sink);
      }
    }

    private int fillBody(byte[] bytes, int at, int end, FrameSink sink) {
      int n = Math.min(end - at, body.length - bodyFilled);
      System.arraycopy(bytes, at, body, bodyFilled, n);
      bodyFilled += n;
      if (bodyFilled == body.length) {
        byte[] frame = body;
        body = null;
        sink.frame(frame);
      }
      return at + n;
    }

    private int readHeader(byte[] bytes, int at, int end, FrameSink sink) throws FramingException {
      for (int i = at; i < end; i++) {
        if (bytes[i] == NEWLINE) {
          header.append(bytes, at, i - at);
          endHeaderLine(sink);
          return i + 1;
        }
      }
      header.append(bytes, at, end - at);
      return end;
    }

    private void endHeaderLine(FrameSink sink) throws FramingException {
      int length = header.size();
      if (length > 0 && header.byteAt(length - 1) == RETURN) {
        length--;
      }
      String line = header.takeText(length);
      if (!line.isEmpty()) {
        headerField(line);
      } else if (headerLines > 0) {
        endHeaders(sink);
      } // else: a stray empty line between messages, tolerated
    }

    private void headerField(String line) throws FramingException {
      if (++headerLines > MAX_HEADER_LINES) {
        throw protocolError("more than " + MAX_HEADER_LINES + " header lines in one message");
      }
      int colon = line.indexOf(':');
      if (colon < 0) {
        throw protocolError("header line without a colon: " + BoundedBytes.excerpt(line));
      }
      String name = line.substring(0, colon).trim().toLowerCase(Locale.ROOT);
      if (!name.equals(CONTENT_LENGTH)) {
        return; // Content-Type and any other header: tolerated, not needed
      }
      long value = parseLength(line.substring(colon + 1).trim());
      if (contentLength >= 0 && contentLength != value) {
        throw protocolError(
            "conflicting Content-Length headers: " + contentLength + " and " + value);
      }
      contentLength = value;
    }

    private long parseLength(String text) throws FramingException {
      if (text.startsWith("-") && text.length() > 1 && allDigits(text.substring(1))) {
        throw protocolError("negative Content-Length: " + text);
      }
      if (text.isEmpty() || !allDigits(text)) {
        throw protocolError("Content-Length is not a number: " + BoundedBytes.excerpt(text));
      }
      // Digits beyond what a long holds are too large as well; say so rather than overflow.
      long value = text.length() > 18 ? Long.MAX_VALUE : Long.parseLong(text);
      if (value > maxFrameBytes) {
        throw new FramingException(
            Cause.Kind.FRAME_TOO_LARGE,
            "Content-Length " + text + " exceeds maxFrameBytes " + maxFrameBytes);
      }
      return value;
    }

    private void endHeaders(FrameSink sink) throws FramingException {
      if (contentLength < 0) {
        throw protocolError("header block without a Content-Length header");
      }
      int length = (int) contentLength;
      headerLines = 0;
      contentLength = -1;
      if (length == 0) {
        sink.skipped("''");
        return;
      }
      body = new byte[length];
      bodyFilled = 0;
    }

    private static boolean allDigits(String text) {
      for (int i = 0; i < text.length(); i++) {
        char c = text.charAt(i);
        if (c < '0' || c > '9') {
          return false;
        }
      }
      return !text.isEmpty();
    }

    private static FramingException protocolError(String message) {
      return new FramingException(Cause.Kind.PROTOCOL_ERROR, message);
    }
  }
}
