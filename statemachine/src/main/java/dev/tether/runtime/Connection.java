package dev.tether.runtime;

import dev.tether.machine.Cause;
import dev.tether.machine.ConnectionState;
import dev.tether.runtime.spi.Channel;
import java.net.URI;
import java.util.Optional;
import java.util.concurrent.CompletionStage;

/**
 * One long-lived connection to a remote endpoint, kept alive by an explicit state machine:
 * Connecting → Connected → Reconnecting(n) → … → PermanentlyDisconnected, or Closed on request.
 *
 * <p>All methods are thread-safe. State is confined to one context (the connection's {@link
 * dev.tether.runtime.spi.Scheduler}); calls from other threads hop onto it.
 *
 * <p>Create one with {@link #builder()}:
 *
 * <pre>{@code
 * Connection c = Connection.builder()
 *     .transport(transport)
 *     .endpoint(URI.create("ws://127.0.0.1:8181/ws"))
 *     .build();
 * c.subscribe(event -> System.out.println(event));
 * c.start();
 * }</pre>
 */
public interface Connection extends AutoCloseable {

  /** A new builder. */
  static ConnectionBuilder builder() {
    return new ConnectionBuilder();
  }

  /**
   * The endpoint this connection connects to: the fixed one, or with an {@link
   * ConnectionBuilder#endpointResolver endpoint resolver} the one its latest attempt resolved (null
   * until the resolver first answers). As resolved, not redacted: do not log it if it may carry a
   * token.
   */
  URI endpoint();

  /** Starts connecting. Idempotent; ignored after close. */
  void start();

  /** The current state. A snapshot: it may change right after the call returns. */
  ConnectionState state();

  /**
   * Subscribes to lifecycle events. The listener first receives the event that led to the current
   * state (unless the connection was never started), atomically with registration, so nothing is
   * missed between reading the state and subscribing; then every later event. A listener added
   * after termination receives exactly the terminal event (I1); if the connection ran on its own
   * thread, which stops at termination, that event is delivered on the subscribing thread.
   *
   * @return a handle that cancels the subscription
   */
  Subscription subscribe(LifecycleListener listener);

  /**
   * Closes the connection: the state becomes {@code Closed(reason)} unless it is already terminal.
   * Returns at once; see {@link #terminated()}.
   */
  void close(String reason);

  /** Closes with the reason {@code "closed by user"}. */
  @Override
  default void close() {
    close("closed by user");
  }

  /**
   * Retry now: while the connection waits out a backoff delay ({@code Connecting} or {@code
   * Reconnecting} before its attempt opens), the pending attempt opens at once. It is the next
   * attempt of the same outage, with the number already announced (no new event; attempts stay 1,
   * 2, 3, …, I2), so it never makes more than {@code maxAttempts}. For a "retry now" button or an
   * operating system's network-change signal.
   *
   * <p>A no-op in every other state: {@code Idle} (use {@link #start()}), while an attempt is
   * opening or running its handshake (it is already trying), {@code Connected} (there is nothing to
   * retry; it cannot be used to get round the flap guard), and after the end. Returns at once;
   * thread-safe.
   */
  void reconnectNow();

  /**
   * Completes with the terminal state once the connection has terminated and released all: at the
   * terminal event, which waits for every channel's {@link Channel#released()} (a child process and
   * its descendants gone, P5). {@link #state()} is terminal from the moment the machine is, which
   * can be earlier.
   */
  CompletionStage<ConnectionState> terminated();

  /**
   * The channel of the current epoch, if connected. For protocol layers that run on the
   * connection's context; call only from there.
   *
   * @throws IllegalStateException if called from another thread
   */
  Optional<Channel> currentChannel();

  /**
   * Declares the current channel dead (for example after missed heartbeats); the connection
   * reconnects as if the channel had closed. Ignored if {@code epoch} is not the current epoch.
   */
  void declareLost(long epoch, Cause cause);

  /**
   * How many calls into the transport or the scheduler threw while this connection performed its
   * state machine's effects: a {@link Channel#close()}, or a {@link
   * dev.tether.runtime.spi.Scheduler} {@code schedule} or {@code cancel}. Each is logged at {@code
   * warn} and skipped; the effects after it, above all the terminal event, still happen (I1). Zero
   * on a healthy connection. Readable from any thread.
   */
  long effectFailures();

  /**
   * Holds reading (read backpressure, R4), for a protocol layer that keeps frames after its {@link
   * FrameListener} returned: the current channel, and every later one until {@link
   * #resumeReading()}, stops reading from the network, so the server is pushed back by TCP instead
   * of the client queueing without bound. Reading also stops on its own, whatever this hold says,
   * while the frames waiting for the connection's context reach their bound. Idempotent; calls do
   * not nest (the last one wins). Thread-safe.
   */
  void pauseReading();

  /** Releases the hold of {@link #pauseReading()}. Idempotent; thread-safe. */
  void resumeReading();
}
