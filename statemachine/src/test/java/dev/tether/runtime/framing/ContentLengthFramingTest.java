package dev.tether.runtime.framing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tether.machine.Cause;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class ContentLengthFramingTest {
  private static final Framing CL = Framing.contentLength();
  private static final String BODY_1 = "{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":\"é\"}";
  private static final String BODY_2 = "{\"a\":\"\\r\\n\\r\\n\"}";
  private static final String STREAM =
      message(BODY_1)
          + "\r\n" // a stray empty line between messages
          + "content-length:  "
          + BODY_2.length()
          + "\r\nContent-Type: application/vscode-jsonrpc; charset=utf-8\r\n\r\n"
          + BODY_2
          + "Content-Length: 2\n\n{}";

  static String message(String body) {
    return "Content-Length: " + body.getBytes(StandardCharsets.UTF_8).length + "\r\n\r\n" + body;
  }

  @Test
  void everySplitIntoThreeChunksYieldsTheSameFrames() throws FramingException {
    byte[] bytes = STREAM.getBytes(StandardCharsets.UTF_8);
    for (int i = 0; i <= bytes.length; i++) {
      for (int j = i; j <= bytes.length; j++) {
        Recorder r = Recorder.decode(CL, 1024, bytes, i, j);
        assertThat(r.frames).as("split at %d, %d", i, j).isEqualTo(List.of(BODY_1, BODY_2, "{}"));
      }
    }
  }

  @Test
  void encodeIsDecodedBack() throws FramingException {
    byte[] encoded = CL.encode(BODY_1.getBytes(StandardCharsets.UTF_8));
    assertThat(new String(encoded, StandardCharsets.UTF_8)).isEqualTo(message(BODY_1));
    assertThat(Recorder.decode(CL, 1024, encoded).frames).containsExactly(BODY_1);
  }

  @Test
  void contentLengthAtTheBoundPassesOneMoreIsTooLarge() throws FramingException {
    assertThat(Recorder.decode(CL, 2, "Content-Length: 2\r\n\r\n{}").frames).containsExactly("{}");
    assertFails(
        "Content-Length: 3\r\n\r\n",
        2,
        Cause.Kind.FRAME_TOO_LARGE,
        "Content-Length 3 exceeds maxFrameBytes 2");
  }

  @Test
  void hugeContentLengthIsTooLargeNotAnOverflow() {
    assertFails(
        "Content-Length: 99999999999999999999999\r\n",
        1024,
        Cause.Kind.FRAME_TOO_LARGE,
        "Content-Length 99999999999999999999999 exceeds maxFrameBytes 1024");
  }

  @Test
  void negativeContentLengthIsItsOwnCause() {
    assertFails(
        "Content-Length: -5\r\n\r\n",
        1024,
        Cause.Kind.PROTOCOL_ERROR,
        "negative Content-Length: -5");
  }

  @Test
  void nonNumericContentLengthIsItsOwnCause() {
    assertFails(
        "Content-Length: 12a\r\n\r\n",
        1024,
        Cause.Kind.PROTOCOL_ERROR,
        "Content-Length is not a number: '12a'");
  }

  @Test
  void missingContentLengthIsItsOwnCause() {
    assertFails(
        "Content-Type: application/json\r\n\r\n{}",
        1024,
        Cause.Kind.PROTOCOL_ERROR,
        "header block without a Content-Length header");
  }

  @Test
  void headerLineWithoutAColonIsItsOwnCause() {
    assertFails(
        "Server started\r\n",
        1024,
        Cause.Kind.PROTOCOL_ERROR,
        "header line without a colon: 'Server started'");
  }

  @Test
  void conflictingContentLengthsAreItsOwnCause() {
    assertFails(
        "Content-Length: 2\r\nContent-Length: 3\r\n\r\n",
        1024,
        Cause.Kind.PROTOCOL_ERROR,
        "conflicting Content-Length headers: 2 and 3");
  }

  @Test
  void oversizedHeaderLineIsDetectedBeforeItEnds() {
    assertFails(
        "X-Junk: " + "x".repeat(Framing.MAX_HEADER_LINE_BYTES),
        1 << 20,
        Cause.Kind.PROTOCOL_ERROR,
        "header line longer than " + Framing.MAX_HEADER_LINE_BYTES + " bytes");
  }

  @Test
  void headerLineAtTheBoundIsAccepted() throws FramingException {
    String line = "X-Pad: " + "x".repeat(Framing.MAX_HEADER_LINE_BYTES - 7);
    assertThat(line).hasSize(Framing.MAX_HEADER_LINE_BYTES);
    assertThat(Recorder.decode(CL, 1024, line + "\r\nContent-Length: 2\r\n\r\n{}").frames)
        .containsExactly("{}");
  }

  @Test
  void tooManyHeaderLinesIsItsOwnCause() throws FramingException {
    String atBound =
        "X: y\r\n".repeat(Framing.MAX_HEADER_LINES - 1) + "Content-Length: 2\r\n\r\n{}";
    assertThat(Recorder.decode(CL, 1024, atBound).frames).containsExactly("{}");
    assertFails(
        "X: y\r\n".repeat(Framing.MAX_HEADER_LINES + 1),
        1024,
        Cause.Kind.PROTOCOL_ERROR,
        "more than " + Framing.MAX_HEADER_LINES + " header lines in one message");
  }

  @Test
  void emptyBodyIsSkippedNotDelivered() throws FramingException {
    Recorder r = Recorder.decode(CL, 1024, "Content-Length: 0\r\n\r\n" + message("{}"));
    assertThat(r.frames).containsExactly("{}");
    assertThat(r.skipped).hasSize(1);
  }

  private static void assertFails(String stream, int max, Cause.Kind kind, String message) {
    assertThatThrownBy(() -> Recorder.decode(CL, max, stream))
        .isInstanceOfSatisfying(
            FramingException.class,
            e -> {
              assertThat(e.toCause()).isEqualTo(Cause.of(kind, message));
            });
  }
}
