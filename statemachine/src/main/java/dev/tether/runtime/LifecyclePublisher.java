package dev.tether.runtime;

import dev.tether.machine.LifecycleEvent;
import java.util.Objects;
import java.util.concurrent.Executor;
import java.util.concurrent.Flow;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A connection's lifecycle events as a {@link Flow.Publisher}, for Reactor, RxJava, Mutiny or
 * Kotlin's {@code asFlow()}.
 *
 * <p>Each subscriber gets, as it requests them, the event that led to the current state (unless the
 * connection was never started), then every later event, and after the terminal event {@code
 * onComplete}: the terminal event is always delivered, and last (I1). Events wait for demand in a
 * {@link LifecycleQueue} of {@link LifecycleQueue#DEFAULT_CAPACITY}, with its rules: a subscriber
 * that does not request sees consecutive attempts coalesced, never a lost {@code Connected}, {@code
 * Reconnected} or terminal event. Lifecycle events are few, so they never hold back reading (that
 * is the data lane's {@link dev.tether.rpc.StreamPublisher}). A request of zero or less ends the
 * subscription with an {@link IllegalArgumentException} (rule 3.9); a subscriber whose {@code
 * onNext} throws is cancelled (rule 2.13) and the failure logged.
 *
 * <p>Signals run on the executor (default {@link ForkJoinPool#commonPool()}), never two at once.
 * Verified with the Reactive Streams TCK. Immutable and thread-safe.
 */
public final class LifecyclePublisher implements Flow.Publisher<LifecycleEvent> {
  private static final Logger log = LoggerFactory.getLogger(LifecyclePublisher.class);

  private final Connection connection;
  private final Executor executor;

  private LifecyclePublisher(Connection connection, Executor executor) {
    this.connection = Objects.requireNonNull(connection, "connection");
    this.executor = Objects.requireNonNull(executor, "executor");
  }

  /** A publisher of {@code connection}'s events, signalled on {@link ForkJoinPool#commonPool()}. */
  public static LifecyclePublisher of(Connection connection) {
    return new LifecyclePublisher(connection, ForkJoinPool.commonPool());
  }

  /** A publisher of {@code connection}'s events, signalled on {@code executor}. */
  public static LifecyclePublisher of(Connection connection, Executor executor) {
    return new LifecyclePublisher(connection, executor);
  }

  /**
   * Subscribes: {@code onSubscribe} first, on this thread; then the events as requested.
   *
   * @throws NullPointerException if {@code subscriber} is null (rule 1.9)
   */
  @Override
  public void subscribe(Flow.Subscriber<? super LifecycleEvent> subscriber) {
    Objects.requireNonNull(subscriber, "subscriber");
    Feed feed = new Feed(subscriber);
    try {
      subscriber.onSubscribe(feed);
    } catch (RuntimeException e) {
      log.warn("{}: onSubscribe threw; subscription cancelled (rule 2.13)", connection, e);
      feed.cancel();
      return;
    }
    Subscription s = connection.subscribe(feed);
    feed.lifecycle = s;
    if (feed.cancelled) {
      s.cancel();
    }
  }

  @Override
  public String toString() {
    return "LifecyclePublisher[" + connection + "]";
  }

  /** One subscriber's subscription: a lifecycle queue drained against its demand. */
  private final class Feed implements Flow.Subscription, LifecycleListener {
    final Flow.Subscriber<? super LifecycleEvent> subscriber;
    final LifecycleQueue events = LifecycleQueue.bounded();
    final AtomicLong requested = new AtomicLong();
    final AtomicInteger work = new AtomicInteger(); // drains wanted; one runs at a time
    volatile boolean cancelled;
    volatile IllegalArgumentException badRequest;
    volatile Subscription lifecycle;

    Feed(Flow.Subscriber<? super LifecycleEvent> subscriber) {
      this.subscriber = subscriber;
    }

    @Override
    public void onEvent(LifecycleEvent event) {
      events.onEvent(event);
      signal();
    }

    @Override
    public void request(long n) {
      if (n <= 0) {
        badRequest =
            new IllegalArgumentException("non-positive subscription request: " + n + " (rule 3.9)");
      } else {
        requested.accumulateAndGet(n, (a, b) -> a + b < 0 ? Long.MAX_VALUE : a + b);
      }
      signal();
    }

    @Override
    public void cancel() {
      cancelled = true;
      Subscription s = lifecycle;
      if (s != null) {
        s.cancel();
      }
    }

    /** Runs a drain on the executor unless one runs; the one running then goes round again. */
    private void signal() {
      if (work.getAndIncrement() != 0) {
        return;
      }
      try {
        executor.execute(this::drain);
      } catch (RejectedExecutionException e) {
        log.warn("{}: executor rejected lifecycle delivery; subscription cancelled", connection, e);
        cancel();
      }
    }

    private void drain() {
      int missed = 1;
      while (true) {
        if (cancelled) {
          return; // work stays non-zero: nothing is signalled again
        }
        IllegalArgumentException bad = badRequest;
        if (bad != null) {
          cancel();
          subscriber.onError(bad);
          return;
        }
        if (emit()) {
          return;
        }
        missed = work.addAndGet(-missed);
        if (missed == 0) {
          return;
        }
      }
    }

    /** Hands out events while there is demand; true once the subscription is over. */
    private boolean emit() {
      while (!cancelled && requested.get() > 0) {
        LifecycleEvent e = events.poll();
        if (e == null) {
          return false;
        }
        if (requested.get() != Long.MAX_VALUE) {
          requested.decrementAndGet();
        }
        try {
          subscriber.onNext(e);
        } catch (RuntimeException ex) {
          log.warn("{}: lifecycle subscriber threw; cancelled (rule 2.13)", connection, ex);
          cancel();
          return true;
        }
        if (e.isTerminal()) {
          cancel();
          subscriber.onComplete();
          return true;
        }
      }
      return cancelled;
    }
  }
}
