package dev.tether.stub.sim;

import dev.tether.machine.BackoffPolicy;
import dev.tether.machine.LifecycleEvent;
import dev.tether.runtime.Connection;
import dev.tether.runtime.FailureClassifier;
import dev.tether.stub.StubEndpoint;
import java.time.Duration;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * What an {@link Oracle} may look at of one simulated session. A view, valid only during the
 * callback it is passed to, on the simulation's thread.
 */
public interface SessionView {

  /** The session's index, 0-based. */
  int index();

  /** The connection under test. */
  Connection connection();

  /** The backoff policy the connection was built with. */
  BackoffPolicy policy();

  /**
   * The simulated server the connection talks to: its current address, if it has moved ({@link
   * Fault.Kind#MOVE}).
   */
  StubEndpoint endpoint();

  /** The current simulated time in nanoseconds. */
  long nowNanos();

  /** The last event the session's subscriber received, or null if none yet. */
  LifecycleEvent lastEvent();

  /** How many terminal events the session's subscriber has received. */
  int terminalEvents();

  /**
   * Timers the connection has started and neither run nor cancelled. The connection starts one per
   * {@code StartTimer} effect of its machine and cancels it per {@code CancelTimer}, so during
   * {@link Oracle#onEmit} of a terminal event this counts the timers the machine leaked.
   */
  int liveTimers();

  /** Frames the simulated client's consumer holds, received and not yet handled. */
  int framesHeld();

  /** The bound on {@link #framesHeld()}: at it, the client stops reading (R4). */
  int maxFramesHeld();

  /** Times the simulated client stopped reading because its consumer fell behind. */
  long readPauses();

  /**
   * Channels open at the session's server, over every address it has had ({@link Fault.Kind#MOVE}
   * leaves channels accepted at the old address to drop a moment later). Defaults to {@code
   * endpoint().openCount()}.
   */
  default int openChannels() {
    return endpoint().openCount();
  }

  /**
   * When the session's open channel went half-open (silent in both directions, nobody told), or
   * empty if no open channel is half-open. Defaults to empty: not tracked.
   */
  default OptionalLong halfOpenSinceNanos() {
    return OptionalLong.empty();
  }

  /**
   * How long a half-open channel may stay unnoticed while the connection reports {@code Connected}:
   * what the session's liveness probe (a heartbeat) guarantees. Empty (the default) when nothing
   * probes the channel: a plain connection cannot notice a half-open channel, and the
   * state-against-link oracle then does not hold it to one.
   */
  default Optional<Duration> halfOpenDetectionBound() {
    return Optional.empty();
  }

  /** The failure classifier the connection was built with (its verdicts are checked by I3). */
  default FailureClassifier classifier() {
    return FailureClassifier.defaults();
  }

  /**
   * The most recent attempt that actually started (the connection asked its endpoint resolver for
   * the attempt's endpoint), or empty if none has or the view does not track it. I3 compares its
   * time with the delay announced for it.
   */
  default Optional<AttemptStart> lastAttemptStart() {
    return Optional.empty();
  }

  /**
   * When the simulation last called {@code reconnectNow()} on the connection ({@link
   * Fault.Kind#RETRY_NOW}), or empty if never. A retry may start before its announced delay only at
   * such a moment.
   */
  default OptionalLong lastReconnectNowNanos() {
    return OptionalLong.empty();
  }

  /**
   * An attempt that started.
   *
   * @param sequence counts the session's attempt starts from 1, so a checker sees each start once
   * @param attempt the attempt's number within its outage (or the initial connect), as the
   *     connection told its resolver
   * @param reconnect whether it is a reconnect attempt
   * @param atNanos when it started, in simulated time
   */
  record AttemptStart(long sequence, int attempt, boolean reconnect, long atNanos) {}

  /**
   * What an open the client abandoned (its attempt given up by timeout, close or a newer attempt,
   * or the connection ended) left behind when the server accepted it later: null if the client
   * closed every such channel at once, else what is wrong. Defaults to null: not tracked.
   */
  default String lateAcceptLeak() {
    return null;
  }

  /**
   * What the first late callback did for the user: a lifecycle event the connection emitted, or a
   * frame it handed to its frame listener, while it handled a callback of an open whose attempt it
   * had given up (timed out, failed, closed, superseded, or the channel it brought up already lost)
   * — the open's late completion, its handshake's success, a frame, the channel's end. Null if no
   * late callback did anything; else what it did and which callback it was (I5). Frames are
   * followed for connection sessions, whose frame listener is the simulation's. Defaults to null:
   * not tracked.
   */
  default String lateCallbackEffect() {
    return null;
  }

  /** The session's RPC side, if it is an RPC session ({@link Simulation.Builder#rpc}). */
  default Optional<RpcSessionView> rpc() {
    return Optional.empty();
  }
}
