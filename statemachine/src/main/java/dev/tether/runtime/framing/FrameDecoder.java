package dev.tether.runtime.framing;

/**
 * Cuts frames out of a byte stream that arrives in chunks of any size, split anywhere. One decoder
 * per stream; not thread-safe (one reader feeds it). After it threw, the stream is unusable and the
 * decoder must not be fed again.
 */
public interface FrameDecoder {

  /**
   * Feeds the next {@code length} bytes of the stream; every frame they complete goes to {@code
   * sink}, in order, before this method returns.
   *
   * @throws FramingException if the stream broke the framing (the frames before the fault were
   *     delivered)
   */
  void feed(byte[] bytes, int offset, int length, FrameSink sink) throws FramingException;
}
