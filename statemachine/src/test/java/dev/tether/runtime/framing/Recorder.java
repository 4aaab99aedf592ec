package dev.tether.runtime.framing;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** Feeds a decoder and records what it cut out, as text. */
final class Recorder implements FrameSink {
  final List<String> frames = new ArrayList<>();
  final List<String> skipped = new ArrayList<>();

  @Override
  public void frame(byte[] frame) {
    frames.add(new String(frame, StandardCharsets.UTF_8));
  }

  @Override
  public void skipped(String excerpt) {
    skipped.add(excerpt);
  }

  /** Feeds {@code stream} to a fresh decoder in the chunks cut at {@code splits} (ascending). */
  static Recorder decode(Framing framing, int maxFrameBytes, byte[] stream, int... splits)
      throws FramingException {
    Recorder r = new Recorder();
    FrameDecoder decoder = framing.newDecoder(maxFrameBytes);
    int from = 0;
    for (int split : splits) {
      decoder.feed(stream, from, split - from, r);
      from = split;
    }
    decoder.feed(stream, from, stream.length - from, r);
    return r;
  }

  static Recorder decode(Framing framing, int maxFrameBytes, String stream, int... splits)
      throws FramingException {
    return decode(framing, maxFrameBytes, stream.getBytes(StandardCharsets.UTF_8), splits);
  }
}
