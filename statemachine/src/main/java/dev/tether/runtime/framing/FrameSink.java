package dev.tether.runtime.framing;

/** Receives what a {@link FrameDecoder} cuts out of the bytes it is fed. */
public interface FrameSink {

  /** One complete frame (its body only, without line terminator or headers). */
  void frame(byte[] frame);

  /**
   * Bytes the framing skipped as not being a frame, such as a banner line a child printed on stdout
   * in newline-JSON mode. Never fatal; the default ignores it.
   *
   * @param excerpt the start of what was skipped, at most {@link Framing#MAX_EXCERPT_CHARS}
   *     characters, for a log line
   */
  default void skipped(String excerpt) {}
}
