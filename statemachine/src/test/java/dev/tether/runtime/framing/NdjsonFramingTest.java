package dev.tether.runtime.framing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tether.machine.Cause;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class NdjsonFramingTest {
  private static final Framing NDJSON = Framing.ndjson();
  private static final String STREAM =
      "{\"id\":1}\n\r\nServer listening on stdio\r\n[1,2]\r\n  {\"m\":\"é\"}\n";
  private static final List<String> FRAMES = List.of("{\"id\":1}", "[1,2]", "  {\"m\":\"é\"}");

  @Test
  void everySplitIntoThreeChunksYieldsTheSameFrames() throws FramingException {
    byte[] bytes = STREAM.getBytes(StandardCharsets.UTF_8);
    for (int i = 0; i <= bytes.length; i++) {
      for (int j = i; j <= bytes.length; j++) {
        Recorder r = Recorder.decode(NDJSON, 1024, bytes, i, j);
        assertThat(r.frames).as("split at %d, %d", i, j).isEqualTo(FRAMES);
        assertThat(r.skipped)
            .as("split at %d, %d", i, j)
            .containsExactly("'Server listening on stdio'");
      }
    }
  }

  @Test
  void nonJsonLinesAreSkippedNotFatal() throws FramingException {
    Recorder r = Recorder.decode(NDJSON, 1024, "Debugger listening\n{}\nwarn: x\n");
    assertThat(r.frames).containsExactly("{}");
    assertThat(r.skipped).containsExactly("'Debugger listening'", "'warn: x'");
  }

  @Test
  void skippedExcerptIsBoundedAndHasNoControlCharacters() throws FramingException {
    Recorder r = Recorder.decode(NDJSON, 4096, "\u001b[31m" + "x".repeat(500) + "\n");
    assertThat(r.skipped.get(0)).hasSizeLessThanOrEqualTo(Framing.MAX_EXCERPT_CHARS + 3);
    assertThat(r.skipped.get(0)).startsWith("'?[31mx").doesNotContain("\u001b");
  }

  @Test
  void lineAtTheBoundPassesOneByteMoreEndsTheStream() throws FramingException {
    String atBound = "[" + "1".repeat(8) + "]"; // 10 bytes
    assertThat(Recorder.decode(NDJSON, 10, atBound + "\r\n").frames).containsExactly(atBound);
    assertThatThrownBy(() -> Recorder.decode(NDJSON, 10, "[" + "1".repeat(9) + "]\n"))
        .isInstanceOfSatisfying(
            FramingException.class,
            e -> {
              assertThat(e.kind()).isEqualTo(Cause.Kind.FRAME_TOO_LARGE);
              assertThat(e).hasMessage("line longer than maxFrameBytes 10");
            });
  }

  @Test
  void oversizedLineIsDetectedBeforeItsNewlineArrives() {
    FrameDecoder decoder = NDJSON.newDecoder(16);
    byte[] chunk = "{\"aaaaaaaaaaaaaaaaaaaa".getBytes(StandardCharsets.US_ASCII);
    assertThatThrownBy(() -> decoder.feed(chunk, 0, chunk.length, new Recorder()))
        .isInstanceOf(FramingException.class);
  }

  @Test
  void encodeAppendsANewlineAndRefusesOneInside() {
    assertThat(
            new String(
                NDJSON.encode("{}".getBytes(StandardCharsets.UTF_8)), StandardCharsets.UTF_8))
        .isEqualTo("{}\n");
    assertThatThrownBy(() -> NDJSON.encode("{\n}".getBytes(StandardCharsets.UTF_8)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("newline");
  }

  @Test
  void namedFindsBothFramingsAndRejectsOthers() {
    assertThat(Framing.named("NDJSON")).isSameAs(Framing.ndjson());
    assertThat(Framing.named("content-length")).isSameAs(Framing.contentLength());
    assertThatThrownBy(() -> Framing.named("lines"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'lines'");
  }
}
