package dev.tether.stub;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tether.machine.Cause;
import dev.tether.stub.StubConnection.Side;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** The slow-reader fault: frames arrive late, in order, none lost; backpressure; healing. */
class StubSlowReaderTest extends StubPair {
  StubSlowReaderTest() {
    super("stub://slow");
  }

  static byte[] frame(int i) {
    return Integer.toString(i).getBytes(StandardCharsets.UTF_8);
  }

  static List<String> numbers(int from, int to) {
    return IntStream.range(from, to).mapToObj(Integer::toString).toList();
  }

  @Test
  void slowServerReadsOneFramePerIntervalInOrderAndTheWriterSeesBackpressure() {
    StubConnection c = connect();
    c.slowReader(Side.SERVER, Duration.ofMillis(100));
    int sent = 0;
    while (c.writable()) {
      c.send(frame(sent++));
    }
    assertThat(sent).isEqualTo(StubConnection.WRITE_BUFFER_FRAMES);
    assertThat(c.unread(Side.SERVER)).isEqualTo(StubConnection.WRITE_BUFFER_FRAMES);

    clock.advance(Duration.ofMillis(99));
    assertThat(serverGot).isEmpty();
    clock.advance(Duration.ofMillis(1));
    assertThat(serverGot).containsExactly("0");
    assertThat(c.writable()).isTrue(); // one slot freed
    c.send(frame(sent++));
    assertThat(c.writable()).isFalse();

    clock.advance(Duration.ofSeconds(1));
    assertThat(serverGot).isEqualTo(numbers(0, 11));
    assertThat(c.readLate(Side.SERVER)).isEqualTo(11);
  }

  @Test
  void healingDeliversTheBacklogAtOnceInOrderAndLaterFramesQueueBehindIt() {
    StubConnection c = connect();
    c.slowReader(Side.SERVER, Duration.ofSeconds(5));
    for (int i = 0; i < 10; i++) {
      c.send(frame(i));
    }
    clock.advance(Duration.ofSeconds(5));
    assertThat(serverGot).containsExactly("0");

    c.slowReader(Side.SERVER, Duration.ZERO); // the window ends
    clock.runUntilIdle(); // no further traffic needed: time does not move
    assertThat(serverGot).isEqualTo(numbers(0, 10));

    c.slowReader(Side.SERVER, Duration.ofSeconds(5));
    c.send(frame(10));
    c.slowReader(Side.SERVER, Duration.ZERO);
    c.send(frame(11)); // sent after the heal, before the backlog is delivered
    clock.runUntilIdle();
    assertThat(serverGot).isEqualTo(numbers(0, 12));
    assertThat(c.unread(Side.SERVER)).isZero();
    assertThat(c.writable()).isTrue();
    assertThat(clock.pendingTasks()).isZero();

    c.send(frame(12)); // full speed again
    clock.runUntilIdle();
    assertThat(serverGot).isEqualTo(numbers(0, 13));
  }

  @Test
  void slowClientReaderDelaysPushedFramesWithoutLoss() {
    StubConnection c = connect();
    server.slowReader(Side.CLIENT, Duration.ofMillis(10));
    for (int i = 0; i < 5; i++) {
      c.push(frame(i));
    }
    clock.advance(Duration.ofMillis(25));
    assertThat(client.frames).containsExactly("0", "1");
    clock.advance(Duration.ofMillis(25));
    assertThat(client.frames).isEqualTo(numbers(0, 5));
    assertThat(c.readLate(Side.CLIENT)).isEqualTo(5);
  }

  @Test
  void endpointSettingAppliesToConnectionsAcceptedLater() {
    server.slowReader(Side.SERVER, Duration.ofMillis(50));
    StubConnection c = connect();
    c.send(frame(0));
    clock.advance(Duration.ofMillis(49));
    assertThat(serverGot).isEmpty();
    clock.advance(Duration.ofMillis(1));
    assertThat(serverGot).containsExactly("0");
  }

  @Test
  void droppingTheConnectionDiscardsTheBacklogAndLeavesNoTimer() {
    StubConnection c = connect();
    c.slowReader(Side.SERVER, Duration.ofSeconds(1));
    for (int i = 0; i < 3; i++) {
      c.send(frame(i));
    }
    c.drop(Cause.of(Cause.Kind.CHANNEL_ERROR, "gone"));
    clock.runUntilIdle();
    assertThat(clock.pendingTasks()).isZero();
    clock.advance(Duration.ofSeconds(5));
    assertThat(serverGot).isEmpty();
    assertThat(c.unread(Side.SERVER)).isZero();
    assertThat(c.writable()).isFalse();
  }

  @Test
  void negativeIntervalIsRejected() {
    StubConnection c = connect();
    assertThatThrownBy(() -> c.slowReader(Side.SERVER, Duration.ofMillis(-1)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("PT-0.001S");
  }

  @Test
  void aWriterIgnoringBackpressureIsRefusedAtTheHardLimitAndNothingIsReordered() {
    StubConnection c = connect();
    c.slowReader(Side.SERVER, Duration.ofMillis(10));
    for (int i = 0; i < StubConnection.MAX_UNREAD_FRAMES; i++) {
      assertThat(c.send(frame(i)).toCompletableFuture()).isCompleted();
    }
    assertThat(c.send(frame(-1)).toCompletableFuture())
        .isCompletedExceptionally()
        .failsWithin(Duration.ZERO)
        .withThrowableOfType(java.util.concurrent.ExecutionException.class)
        .withMessageContaining("outbound buffer full: 256 frames unread");
    c.slowReader(Side.SERVER, Duration.ZERO);
    clock.runUntilIdle();
    assertThat(serverGot).isEqualTo(numbers(0, StubConnection.MAX_UNREAD_FRAMES));
  }
}
