package dev.tether.rpc;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tether.machine.Cause;
import dev.tether.machine.LifecycleEvent;
import dev.tether.runtime.LifecycleListener;
import dev.tether.runtime.Subscription;
import java.util.Objects;
import java.util.concurrent.Executor;
import java.util.concurrent.Flow;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A stream's events as a {@link Flow.Publisher}, for Reactor ({@code
 * JdkFlowAdapter.flowPublisherToFlux}), RxJava, Mutiny or Kotlin's {@code asFlow()}, with real
 * backpressure: a subscriber's demand is the connection's read flow control. Each subscription
 * {@link RpcConnection#listen listens} to the stream through a {@link Delivery.Overflow#PAUSE}
 * queue of {@link Builder#prefetch} events that hands out only what was requested; while the
 * subscriber requests nothing the queue fills, then notifications wait in order and the connection
 * stops reading the socket (R4), so the server is pushed back by TCP and nothing is dropped.
 *
 * <p>Signals: {@code onNext} for each event of the stream from the time of subscription, on the
 * {@link Builder#executor executor}, never two at once; {@code onComplete} when the connection is
 * closed ({@code Closed}) or after the event that {@link Builder#completeAfter} picks; {@code
 * onError} with {@link ConnectionEnded} when it ends {@code PermanentlyDisconnected}, and with an
 * {@link IllegalArgumentException} for a request of zero or less (rule 3.9; asked for inside {@code
 * onSubscribe}, it is signalled once {@code onSubscribe} has returned, rule 1.3). As for any stream
 * handler, events still queued at the connection's end are dropped and counted (I4). A subscriber
 * whose {@code onNext} throws is cancelled (rule 2.13), and the failure is logged and counted in
 * {@link ConnectionStats#handlerErrors()}. Every subscriber gets its own subscription (the events
 * that arrive after it subscribed); cancelling the last one unsubscribes the stream on the server.
 *
 * <p>Verified with the Reactive Streams TCK. Immutable and thread-safe; {@link #subscribe} may be
 * called any number of times, from any thread.
 */
public final class StreamPublisher implements Flow.Publisher<JsonNode> {
  private static final Logger log = LoggerFactory.getLogger(StreamPublisher.class);

  /** Default prefetch: {@link Flow#defaultBufferSize()}, as the JDK's own publishers use. */
  public static final int DEFAULT_PREFETCH = Flow.defaultBufferSize();

  private final RpcConnection rpc;
  private final String stream;
  private final Executor executor;
  private final int prefetch;
  private final Predicate<? super JsonNode> completeAfter; // null: only the connection's end

  private StreamPublisher(Builder b) {
    this.rpc = b.rpc;
    this.stream = b.stream;
    this.executor = b.executor;
    this.prefetch = b.prefetch;
    this.completeAfter = b.completeAfter;
  }

  /**
   * A publisher of {@code stream}'s events with the defaults: {@link ForkJoinPool#commonPool()},
   * {@link #DEFAULT_PREFETCH}, complete only at the connection's end.
   *
   * @throws IllegalArgumentException if {@code stream} is empty
   */
  public static StreamPublisher of(RpcConnection rpc, String stream) {
    return builder(rpc, stream).build();
  }

  /**
   * A builder of a publisher of {@code stream}'s events on {@code rpc}.
   *
   * @throws IllegalArgumentException if {@code stream} is empty
   */
  public static Builder builder(RpcConnection rpc, String stream) {
    return new Builder(rpc, stream);
  }

  /**
   * Subscribes: {@code onSubscribe} first, on this thread; then the stream's events as requested.
   *
   * @throws NullPointerException if {@code subscriber} is null (rule 1.9)
   */
  @Override
  public void subscribe(Flow.Subscriber<? super JsonNode> subscriber) {
    Objects.requireNonNull(subscriber, "subscriber");
    Feed feed = new Feed(subscriber);
    // The queue exists before onSubscribe, so a request made inside it is counted; the lane hands
    // out nothing until onSubscribe has returned.
    feed.events = rpc.listen(stream, feed, Delivery.demanded(executor, prefetch, feed.demand));
    try {
      subscriber.onSubscribe(feed);
    } catch (RuntimeException e) {
      log.warn("stream {}: onSubscribe threw; subscription cancelled (rule 2.13)", stream, e);
      feed.cancel();
      return;
    }
    feed.demand.open(); // only now: an onNext must not overlap onSubscribe (rule 1.3)
    Subscription lifecycle = rpc.subscribe(feed); // a terminal event may be replayed right here
    feed.lifecycle = lifecycle;
    if (feed.ended.get()) {
      lifecycle.cancel();
    }
  }

  @Override
  public String toString() {
    return "StreamPublisher[" + stream + " on " + rpc + "]";
  }

  /** The connection ended for good ({@code PermanentlyDisconnected}); the stream ends with it. */
  public static final class ConnectionEnded extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final transient Cause connectionCause;

    ConnectionEnded(String stream, Cause connectionCause) {
      super("stream " + stream + " ended: the connection ended: " + connectionCause);
      this.connectionCause = connectionCause;
    }

    /** Why the connection ended. */
    public Cause connectionCause() {
      return connectionCause;
    }
  }

  /** One subscriber's subscription: its demand, its stream handler, its lifecycle listener. */
  private final class Feed implements Flow.Subscription, StreamHandler, LifecycleListener {
    final Flow.Subscriber<? super JsonNode> subscriber;
    final Demand demand = new Demand();
    final AtomicBoolean ended = new AtomicBoolean();
    volatile StreamSubscription events;
    volatile Subscription lifecycle;

    Feed(Flow.Subscriber<? super JsonNode> subscriber) {
      this.subscriber = subscriber;
    }

    @Override
    public void request(long n) {
      if (n <= 0) {
        end(
            () ->
                subscriber.onError(
                    new IllegalArgumentException(
                        "non-positive subscription request: " + n + " (rule 3.9)")));
      } else if (!ended.get()) {
        demand.add(n);
      }
    }

    @Override
    public void cancel() {
      if (ended.compareAndSet(false, true)) {
        release();
      }
    }

    /** On the executor, one event at a time (the lane's drain). */
    @Override
    public void onEvent(JsonNode event) {
      try {
        subscriber.onNext(event);
      } catch (RuntimeException e) {
        cancel();
        throw e; // the lane logs and counts it as a handler error
      }
      if (completeAfter != null && completeAfter.test(event)) {
        end(subscriber::onComplete);
      }
    }

    /** The connection's lifecycle: its end ends the stream. */
    @Override
    public void onEvent(LifecycleEvent event) {
      if (event instanceof LifecycleEvent.Closed) {
        end(subscriber::onComplete);
      } else if (event instanceof LifecycleEvent.PermanentlyDisconnected p) {
        end(() -> subscriber.onError(new ConnectionEnded(stream, p.cause())));
      }
    }

    /** The last signal, run on the executor after any {@code onNext} in progress; once. */
    private void end(Runnable signal) {
      if (ended.compareAndSet(false, true)) {
        demand.finish(signal);
        release();
      }
    }

    private void release() {
      StreamSubscription e = events;
      if (e != null) {
        e.cancel();
      }
      Subscription l = lifecycle;
      if (l != null) {
        l.cancel();
      }
    }
  }

  /** Options of a {@link StreamPublisher}. Not thread-safe; {@link #build} copies. */
  public static final class Builder {
    private final RpcConnection rpc;
    private final String stream;
    private Executor executor = ForkJoinPool.commonPool();
    private int prefetch = DEFAULT_PREFETCH;
    private Predicate<? super JsonNode> completeAfter;

    private Builder(RpcConnection rpc, String stream) {
      this.rpc = Objects.requireNonNull(rpc, "rpc");
      this.stream = Objects.requireNonNull(stream, "stream");
      if (stream.isEmpty()) {
        throw new IllegalArgumentException("stream must not be empty");
      }
    }

    /** Where the subscriber's signals run. Default: {@link ForkJoinPool#commonPool()}. */
    public Builder executor(Executor executor) {
      this.executor = Objects.requireNonNull(executor, "executor");
      return this;
    }

    /**
     * Events received ahead of demand, per subscription, before notifications wait and reading
     * stops. Default {@link #DEFAULT_PREFETCH}.
     *
     * @throws IllegalArgumentException if not in 1..{@link Delivery#MAX_CAPACITY}
     */
    public Builder prefetch(int prefetch) {
      if (prefetch < 1 || prefetch > Delivery.MAX_CAPACITY) {
        throw new IllegalArgumentException(
            "prefetch must be in 1.." + Delivery.MAX_CAPACITY + ", was " + prefetch);
      }
      this.prefetch = prefetch;
      return this;
    }

    /**
     * Completes a subscription right after the event for which {@code last} is true (a stream with
     * an end marker, such as a progress report's {@code "end"}). Default: none; the stream
     * completes only when the connection is closed. Runs on the executor.
     */
    public Builder completeAfter(Predicate<? super JsonNode> last) {
      this.completeAfter = Objects.requireNonNull(last, "last");
      return this;
    }

    /** The publisher. */
    public StreamPublisher build() {
      return new StreamPublisher(this);
    }
  }
}
