package dev.tether.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tether.runtime.spi.Channel;
import java.net.URI;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * {@link Channel#released()}'s default: one stage shared by every channel without resources, so it
 * must be complete and stay so whatever a caller does with it.
 */
class ChannelReleasedTest {

  /** A channel of a transport without resources: it keeps {@code released()}'s default. */
  static Channel plainChannel() {
    return ConnectionThreadingTest.ACCEPTING
        .open(URI.create("stub://server"), null)
        .toCompletableFuture()
        .join();
  }

  @Test
  void defaultReleaseIsOneStageCompleteAtOnce() {
    CompletionStage<Void> first = plainChannel().released();
    assertThat(plainChannel().released()).isSameAs(first);
    CompletableFuture<Void> polled = first.toCompletableFuture();
    assertThat(polled).isSameAs(first); // read without a copy
    assertThat(polled.isDone()).isTrue();
    assertThat(polled.isCompletedExceptionally()).isFalse();
    assertThat(polled.join()).isNull();
  }

  @Test
  void sharedReleaseCannotBeCompletedOrObtrudedByACaller() {
    CompletableFuture<Void> shared = plainChannel().released().toCompletableFuture();
    assertThat(shared.complete(null)).isFalse();
    assertThat(shared.completeExceptionally(new IllegalStateException("caller"))).isFalse();
    assertThat(shared.cancel(true)).isFalse();
    var unused = shared.orTimeout(0, TimeUnit.NANOSECONDS);
    assertThatThrownBy(() -> shared.obtrudeValue(null))
        .isInstanceOf(UnsupportedOperationException.class);
    assertThatThrownBy(() -> shared.obtrudeException(new IllegalStateException("caller")))
        .isInstanceOf(UnsupportedOperationException.class);
    CompletableFuture<Void> next = plainChannel().released().toCompletableFuture();
    assertThat(next.isCompletedExceptionally()).isFalse();
    assertThat(next.isCancelled()).isFalse();
    assertThat(next.join()).isNull();
  }

  @Test
  void stageDerivedFromTheSharedReleaseIsTheCallersOwn() {
    CompletableFuture<String> derived =
        plainChannel().released().thenApply(v -> "released").toCompletableFuture();
    derived.obtrudeValue("changed");
    assertThat(derived.join()).isEqualTo("changed");
    assertThat(plainChannel().released().toCompletableFuture().join()).isNull();
  }
}
