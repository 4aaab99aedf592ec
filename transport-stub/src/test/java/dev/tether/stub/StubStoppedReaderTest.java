package dev.tether.stub;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tether.machine.Cause;
import dev.tether.stub.StubConnection.Side;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/** The stopped-reader fault: the socket buffer fills, later writes never drain, none is read. */
class StubStoppedReaderTest extends StubPair {
  StubStoppedReaderTest() {
    super("stub://deaf");
  }

  CompletableFuture<Void> send(StubConnection c) {
    return c.send("x".getBytes(StandardCharsets.UTF_8)).toCompletableFuture();
  }

  @Test
  void writesFillTheSocketBufferThenStayPendingUntilTheConnectionEnds() {
    StubConnection c = connect();
    c.stopServerReading();
    assertThat(c.serverStoppedReading()).isTrue();
    for (int i = 0; i < StubConnection.WRITE_BUFFER_FRAMES; i++) {
      assertThat(send(c)).as("write %d fits the socket buffer", i).isCompleted();
    }
    assertThat(c.writable()).isFalse();
    List<CompletableFuture<Void>> stuck = new ArrayList<>();
    while (c.unread(Side.SERVER) < StubConnection.MAX_UNREAD_FRAMES) {
      stuck.add(send(c));
    }
    assertThat(stuck)
        .hasSize(StubConnection.MAX_UNREAD_FRAMES - StubConnection.WRITE_BUFFER_FRAMES)
        .noneMatch(CompletableFuture::isDone);
    assertThat(send(c)).as("past the outbound bound").isCompletedExceptionally();

    clock.advance(java.time.Duration.ofHours(1));
    assertThat(serverGot).isEmpty();
    assertThat(stuck).noneMatch(CompletableFuture::isDone);

    c.drop(Cause.of(Cause.Kind.CHANNEL_CLOSED, "gone"));
    clock.runUntilIdle();
    assertThat(stuck).allMatch(CompletableFuture::isCompletedExceptionally);
    assertThat(c.unread(Side.SERVER)).isZero();
    assertThat(client.closes).hasSize(1);
  }
}
