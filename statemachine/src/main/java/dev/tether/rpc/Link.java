package dev.tether.rpc;

import dev.tether.machine.Cause;
import dev.tether.runtime.Connection;
import dev.tether.runtime.spi.Channel;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.RejectedExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the parts of an {@link RpcClient} share: the configuration, the counters, the underlying
 * {@link Connection}, and where the channel of the moment stands. A channel's handshake runs while
 * {@link #setup} is set; the channel is up while {@link #upEpoch} is not 0; {@link #gen} counts
 * channels (and attempts), so that a callback can tell whether its channel is still current. Holds
 * no references to the other parts: {@link RpcClient} wires them.
 *
 * <p>The channel fields are confined to the connection's context; {@link #onContext} is how other
 * threads get there. The final fields may be read anywhere.
 */
final class Link implements InboundGate.Reading {
  private static final Logger log = LoggerFactory.getLogger(Link.class);

  final RpcClient.Config config;
  final Counters counters = new Counters();
  // Created at the first RequestListener: most connections have none (B5, per connected session).
  private volatile CopyOnWriteArrayList<RequestListener> requestListeners;
  private Connection connection;

  // Confined to the context.
  Channel channel;
  // An int, not a long: Link then fits in 48 B instead of 56 (B5, per connected session). It is
  // only compared for equality, and wraps after 2^32 channels.
  int gen;
  long upEpoch;
  ChannelSetup setup;
  boolean terminal;
  ServedRequests served; // I11: created at the first request from the server (InboundFrames)
  ServerTokens tokens; // server-named subscriptions: created at the first token

  Link(RpcClient.Config config) {
    this.config = config;
  }

  /** Set once, by the wiring in {@link RpcClient}, before the connection starts. */
  void attach(Connection connection) {
    this.connection = connection;
  }

  Connection connection() {
    return connection;
  }

  String name() {
    return config.name();
  }

  /** A new channel ({@code next}, or none): not up, no handshake yet, a new generation. */
  void reset(Channel next) {
    if (served != null) {
      served.channelLost(); // I11: answers in progress belong to the old channel; dropped, counted
    }
    channel = next;
    gen++;
    upEpoch = 0;
    setup = null;
  }

  /**
   * Runs {@code task} on the context: at once if already there. If the context no longer takes
   * tasks (its own thread stopped after termination), runs {@code ifEnded} instead, here.
   */
  void onContext(Runnable task, Runnable ifEnded) {
    if (config.scheduler().inContext()) {
      task.run();
      return;
    }
    try {
      config.scheduler().execute(task);
    } catch (RejectedExecutionException e) {
      // The connection's own thread stopped after termination: nothing can be sent any more.
      ifEnded.run();
    }
  }

  /** Makes the current channel count as lost; during the handshake, fails the handshake. */
  void loseChannel(Cause cause) {
    if (upEpoch != 0) {
      connection.declareLost(upEpoch, cause);
    } else if (setup != null) {
      setup.fail(cause.toString());
    }
  }

  /** Adds a request listener; any thread. Returns the handle that removes it. */
  synchronized dev.tether.runtime.Subscription observeRequests(RequestListener listener) {
    if (requestListeners == null) {
      requestListeners = new CopyOnWriteArrayList<>();
    }
    CopyOnWriteArrayList<RequestListener> listeners = requestListeners;
    listeners.add(listener);
    return () -> listeners.remove(listener);
  }

  /** Tells the request listeners that {@code p} settled; on the context. */
  void settled(Ledger.Pending p, RpcException failure) {
    CopyOnWriteArrayList<RequestListener> listeners = requestListeners;
    if (listeners == null || listeners.isEmpty()) {
      return;
    }
    RequestListener.Settled settled =
        new RequestListener.Settled(
            p.method,
            p.internal,
            Duration.ofNanos(Math.max(0, config.scheduler().nanoTime() - p.startNanos)),
            Optional.ofNullable(failure).map(RpcException::kind));
    for (RequestListener listener : listeners) {
      try {
        listener.onSettled(settled);
      } catch (RuntimeException e) {
        long n = counters.inc(Counters.C.HANDLER_ERRORS);
        if (Counters.rarely(n)) {
          log.warn("{}: request listener threw ({} so far)", name(), n, e);
        }
      }
    }
  }

  @Override
  public void pauseReading() {
    connection.pauseReading();
  }

  @Override
  public void resumeReading() {
    connection.resumeReading();
  }
}
