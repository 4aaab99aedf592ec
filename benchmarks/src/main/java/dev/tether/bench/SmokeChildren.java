package dev.tether.bench;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The smoke pass's children, all started at its beginning, each on a thread of its own, while the
 * steps that need none run: B8's two MCP servers (Tether's client restarting by {@link
 * McpRestart#IMMEDIATE}, so that the restart-to-ready runs on the same two), the stdio round trips'
 * two echo JVMs, B9's two language servers and B5's server JVM. Started by each step in turn, as
 * the quick and full profiles do, their cold starts were most of the pass.
 *
 * <p>A step takes its state with {@link #take} and owns it from then on. {@link #close} waits for
 * every start not taken and stops what it started, so no child outlives the pass on any path.
 * Thread-safe.
 */
final class SmokeChildren implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(SmokeChildren.class);

  /**
   * Bound on waiting for one start: B8's set-up starts and initializes two servers one after the
   * other, each within {@link Rigs#SETUP_TIMEOUT_SECONDS}.
   */
  static final long START_WAIT_SECONDS = 2 * Rigs.SETUP_TIMEOUT_SECONDS;

  /** One start: its outcome, and how to stop what it started. */
  private record Start<T>(Class<T> type, CompletableFuture<T> started, Consumer<T> stop) {
    /** Stops the state once started (at once if it is); nothing if the start failed. */
    CompletableFuture<Void> stopWhenStarted() {
      return started.thenAccept(stop);
    }
  }

  private final Map<Class<?>, Start<?>> starts = new LinkedHashMap<>(); // guarded by this

  /** None started yet: {@link #begin} each. */
  SmokeChildren() {}

  /** Starts every child the smoke pass needs, each on a new thread; returns at once. */
  static SmokeChildren start() {
    return new SmokeChildren()
        .begin(McpBenchmark.class, SmokeChildren::mcp, McpBenchmark::tearDown)
        .begin(
            StdioBenchmark.class, () -> SmokePass.setUp(StdioBenchmark.class), SmokePass::tearDown)
        .begin(LspBenchmark.class, () -> SmokePass.setUp(LspBenchmark.class), SmokePass::tearDown)
        .begin(BenchServerProcess.class, BenchServerProcess::start, BenchServerProcess::close);
  }

  /** B8's state, Tether's client restarting by {@link McpRestart#IMMEDIATE}. */
  private static McpBenchmark mcp() {
    McpBenchmark b = new McpBenchmark();
    b.startClients(McpRestart.IMMEDIATE); // stops the first server if the second cannot start
    return b;
  }

  /**
   * Runs {@code start} on a new thread; {@link #take take(type)} gets what it returns, and what is
   * not taken is given to {@code stop} at {@link #close}. Returns at once.
   *
   * @throws IllegalStateException if something was started for {@code type} already
   */
  synchronized <T> SmokeChildren begin(Class<T> type, Supplier<T> start, Consumer<T> stop) {
    Start<T> s = new Start<>(type, new CompletableFuture<>(), stop);
    if (starts.putIfAbsent(type, s) != null) {
      throw new IllegalStateException("started already: " + type.getSimpleName());
    }
    Thread t =
        new Thread(
            () -> {
              try {
                s.started().complete(start.get());
              } catch (RuntimeException | Error e) {
                s.started().completeExceptionally(e);
              }
            },
            "smoke-start-" + type.getSimpleName());
    t.setDaemon(true);
    t.start();
    return this;
  }

  /**
   * Waits for the state started for {@code type} (set up: its servers started and initialized); the
   * caller owns it from then on and stops it. If the wait times out, the state is stopped whenever
   * its start ends.
   *
   * @throws IllegalStateException if the start failed or did not end within {@link
   *     #START_WAIT_SECONDS}, or nothing was started for {@code type} (or it was taken already)
   */
  <T> T take(Class<T> type) {
    Start<?> s;
    synchronized (this) {
      s = starts.remove(type);
    }
    if (s == null) {
      throw new IllegalStateException("no child started for " + type.getSimpleName());
    }
    try {
      return type.cast(s.started().get(START_WAIT_SECONDS, TimeUnit.SECONDS));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      CompletableFuture<Void> unused = s.stopWhenStarted();
      throw new IllegalStateException("interrupted while " + type.getSimpleName() + " started", e);
    } catch (TimeoutException e) {
      CompletableFuture<Void> unused = s.stopWhenStarted();
      throw new IllegalStateException(
          type.getSimpleName() + " did not start within " + START_WAIT_SECONDS + " s", e);
    } catch (ExecutionException e) {
      throw new IllegalStateException(type.getSimpleName() + " could not start", e.getCause());
    }
  }

  /**
   * Stops every state not taken, once its start ends (bounded by {@link #START_WAIT_SECONDS} each).
   * A start that failed is logged: the pass failed before it needed that child.
   *
   * @throws IllegalStateException if a state could not be stopped
   */
  @Override
  public void close() {
    List<Start<?>> left;
    synchronized (this) {
      left = new ArrayList<>(starts.values());
      starts.clear();
    }
    IllegalStateException failure = null;
    for (Start<?> s : left) {
      try {
        s.stopWhenStarted().get(START_WAIT_SECONDS, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        failure = add(failure, s, e);
      } catch (TimeoutException e) {
        failure = add(failure, s, e);
      } catch (ExecutionException e) {
        if (s.started().isCompletedExceptionally()) {
          LOG.warn("{}'s start failed, and nothing needed it", s.type().getSimpleName(), e);
        } else {
          failure = add(failure, s, e.getCause());
        }
      }
    }
    if (failure != null) {
      throw failure;
    }
  }

  private static IllegalStateException add(
      IllegalStateException failure, Start<?> s, Throwable cause) {
    IllegalStateException e =
        new IllegalStateException("could not stop " + s.type().getSimpleName(), cause);
    if (failure == null) {
      return e;
    }
    failure.addSuppressed(e);
    return failure;
  }
}
