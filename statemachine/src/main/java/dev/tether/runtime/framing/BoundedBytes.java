package dev.tether.runtime.framing;

import dev.tether.machine.Cause;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/** A growable byte array with a hard bound, for the part of a line or body not yet complete. */
final class BoundedBytes {
  private static final int INITIAL_CAPACITY = 256;

  private final int maxBytes;
  private final Cause.Kind overflowKind;
  private final String overflowMessage;
  private byte[] bytes = new byte[0];
  private int size;

  BoundedBytes(int maxBytes, Cause.Kind overflowKind, String overflowMessage) {
    this.maxBytes = maxBytes;
    this.overflowKind = overflowKind;
    this.overflowMessage = overflowMessage;
  }

  /** Appends, or throws once the content would pass the bound. */
  void append(byte[] src, int offset, int length) throws FramingException {
    if (length > maxBytes - size) {
      throw new FramingException(overflowKind, overflowMessage);
    }
    if (size + length > bytes.length) {
      int grown = Math.max(INITIAL_CAPACITY, Math.max(size + length, bytes.length * 2));
      bytes = Arrays.copyOf(bytes, Math.min(grown, maxBytes));
    }
    System.arraycopy(src, offset, bytes, size, length);
    size += length;
  }

  int size() {
    return size;
  }

  byte byteAt(int index) {
    return bytes[index];
  }

  /** The first {@code length} bytes, copied; then empties the buffer (keeping its capacity). */
  byte[] take(int length) {
    byte[] out = Arrays.copyOf(bytes, length);
    size = 0;
    return out;
  }

  /** The first {@code length} bytes as ISO-8859-1 text; then empties the buffer. */
  String takeText(int length) {
    String text = new String(bytes, 0, length, StandardCharsets.ISO_8859_1);
    size = 0;
    return text;
  }

  /** Quotes the start of {@code text} for a message, bounded. */
  static String excerpt(String text) {
    String cut =
        text.length() > Framing.MAX_EXCERPT_CHARS
            ? text.substring(0, Framing.MAX_EXCERPT_CHARS) + "…"
            : text;
    StringBuilder quoted = new StringBuilder(cut.length() + 2).append('\'');
    for (int i = 0; i < cut.length(); i++) {
      char c = cut.charAt(i);
      quoted.append(c < 0x20 || c == 0x7f ? '?' : c);
    }
    return quoted.append('\'').toString();
  }
}
