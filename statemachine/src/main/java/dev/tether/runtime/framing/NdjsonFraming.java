package dev.tether.runtime.framing;

import dev.tether.machine.Cause;

/** One JSON value per line. See {@link Framing}. */
final class NdjsonFraming implements Framing {
  static final String NAME = "ndjson";
  static final NdjsonFraming INSTANCE = new NdjsonFraming();

  private static final byte NEWLINE = '\n';
  private static final byte RETURN = '\r';

  private NdjsonFraming() {}

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
    byte[] out = new byte[frame.length + 1];
    for (int i = 0; i < frame.length; i++) {
      if (frame[i] == NEWLINE) {
        throw new IllegalArgumentException(
            "frame contains a newline, which would split it in ndjson framing");
      }
      out[i] = frame[i];
    }
    out[frame.length] = NEWLINE;
    return out;
  }

  @Override
  public String toString() {
    return NAME;
  }

  /** Cuts lines; delivers those that start like JSON, reports the others as skipped. */
  private static final class Decoder implements FrameDecoder {
    private final int maxFrameBytes;
    private final BoundedBytes line;

    Decoder(int maxFrameBytes) {
      this.maxFrameBytes = maxFrameBytes;
      // The bound covers a trailing \r, which is not part of the frame.
      this.line =
          new BoundedBytes(
              maxFrameBytes == Integer.MAX_VALUE ? maxFrameBytes : maxFrameBytes + 1,
              Cause.Kind.FRAME_TOO_LARGE,
              tooLarge(maxFrameBytes).getMessage());
    }

    private static FramingException tooLarge(int maxFrameBytes) {
      return new FramingException(
          Cause.Kind.FRAME_TOO_LARGE, "line longer than maxFrameBytes " + maxFrameBytes);
    }

    @Override
    public void feed(byte[] bytes, int offset, int length, FrameSink sink) throws FramingException {
      int end = offset + length;
      int start = offset;
      for (int i = offset; i < end; i++) {
        if (bytes[i] == NEWLINE) {
          line.append(bytes, start, i - start);
          endLine(sink);
          start = i + 1;
        }
      }
      line.append(bytes, start, end - start);
    }

    private void endLine(FrameSink sink) throws FramingException {
      int length = line.size();
      if (length > 0 && line.byteAt(length - 1) == RETURN) {
        length--;
      }
      if (length > maxFrameBytes) { // the buffer's bound let one more byte in, for a \r
        throw tooLarge(maxFrameBytes);
      }
      int first = 0;
      while (first < length && isBlank(line.byteAt(first))) {
        first++;
      }
      if (first == length) {
        line.take(0); // blank lines separate nothing; skipped silently
        return;
      }
      byte lead = line.byteAt(first);
      if (lead == '{' || lead == '[') {
        sink.frame(line.take(length));
      } else {
        sink.skipped(BoundedBytes.excerpt(line.takeText(length)));
      }
    }

    private static boolean isBlank(byte b) {
      return b == ' ' || b == '\t' || b == RETURN;
    }
  }
}
