package dev.tether.runtime;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/** Reading a {@link CompletionStage}'s outcome without registering a callback or copying it. */
final class Stages {
  private Stages() {}

  /**
   * The class of {@link CompletableFuture#completedStage} and {@code minimalCompletionStage()}: a
   * {@code CompletableFuture} whose {@code isDone()} and {@code join()} throw.
   */
  private static final Class<?> MINIMAL_STAGE = CompletableFuture.completedStage(null).getClass();

  /**
   * {@code stage} itself when it is a future whose outcome can be read ({@code isDone()}, {@code
   * join()}), the usual case; null for a minimal stage or a stage of another kind, whose outcome
   * only a callback or {@code toCompletableFuture()}'s copy tells.
   */
  static <T> CompletableFuture<T> readable(CompletionStage<T> stage) {
    return stage instanceof CompletableFuture<T> f && f.getClass() != MINIMAL_STAGE ? f : null;
  }
}
