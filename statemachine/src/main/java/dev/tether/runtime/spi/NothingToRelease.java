package dev.tether.runtime.spi;

import java.util.concurrent.CompletableFuture;

/**
 * {@link Channel#released()}'s default: one stage, complete, shared by every channel that holds
 * nothing outside the heap. The default built a minimal stage per call, and the connection copied
 * it to poll it: two objects per open in TransitionBenchmark.tetherDriver (B1's driver row, the
 * 2026-11-30 profile).
 *
 * <p>Sharing is safe because no caller can change it: {@code complete}, {@code
 * completeExceptionally}, {@code cancel} and the timeouts do nothing to a future already complete,
 * and the {@code obtrude} methods, the only ones that would, throw (the read-only form {@link
 * CompletableFuture}'s own documentation shows). Unlike a minimal stage ({@link
 * CompletableFuture#completedStage}), its state can be read ({@code isDone()}), and {@code
 * toCompletableFuture()} is itself, so a connection polls it without a copy. Stages a caller
 * derives from it are ordinary futures of the caller's own.
 */
final class NothingToRelease extends CompletableFuture<Void> {
  static final NothingToRelease INSTANCE = new NothingToRelease();

  private NothingToRelease() {
    super.complete(null);
  }

  /**
   * Refused: the stage is shared.
   *
   * @throws UnsupportedOperationException always
   */
  @Override
  public void obtrudeValue(Void value) {
    throw new UnsupportedOperationException("Channel.released()'s default stage is shared");
  }

  /**
   * Refused: the stage is shared.
   *
   * @throws UnsupportedOperationException always
   */
  @Override
  public void obtrudeException(Throwable ex) {
    throw new UnsupportedOperationException("Channel.released()'s default stage is shared");
  }
}
