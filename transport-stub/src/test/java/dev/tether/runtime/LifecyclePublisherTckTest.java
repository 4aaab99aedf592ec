package dev.tether.runtime;

import dev.tether.machine.BackoffPolicy;
import dev.tether.machine.LifecycleEvent;
import dev.tether.runtime.spi.Transport;
import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import org.reactivestreams.tck.TestEnvironment;
import org.reactivestreams.tck.flow.FlowPublisherVerification;
import org.testng.annotations.AfterMethod;

/**
 * The Reactive Streams TCK for {@link LifecyclePublisher}, on connections with their own thread
 * whose every attempt fails at once. A stream of {@code n} events is {@code Connecting} 1 … n-1
 * then {@code PermanentlyDisconnected} (a closed, never started connection for {@code n = 1}); past
 * the lifecycle queue's capacity, retries are unlimited (an endless stream). Each publisher starts
 * its connection when subscribed to, so the subscriber sees the stream from its first event. Run by
 * the JUnit Platform's TestNG engine.
 */
public class LifecyclePublisherTckTest extends FlowPublisherVerification<LifecycleEvent> {
  /** The TCK's wait for a signal; generous, so a loaded machine does not fail it. */
  private static final long SIGNAL_TIMEOUT_MILLIS = 5_000;

  /** How long the TCK watches for a signal that must not come. */
  private static final long NO_SIGNAL_MILLIS = 100;

  private static final Transport REFUSING =
      (uri, listener) -> CompletableFuture.failedFuture(new IOException("refused (test)"));

  private final List<Connection> made = new CopyOnWriteArrayList<>();

  public LifecyclePublisherTckTest() {
    super(new TestEnvironment(SIGNAL_TIMEOUT_MILLIS, NO_SIGNAL_MILLIS), SIGNAL_TIMEOUT_MILLIS);
  }

  @Override
  public Flow.Publisher<LifecycleEvent> createFlowPublisher(long elements) {
    BackoffPolicy.Builder policy =
        BackoffPolicy.builder()
            .exponential(Duration.ofMillis(1), 1.0, Duration.ofMillis(1))
            .jitter(0);
    if (elements > LifecycleQueue.DEFAULT_CAPACITY) {
      policy.unlimitedAttempts();
    } else if (elements > 1) {
      policy.maxAttempts((int) elements - 1);
    }
    Connection c =
        Connection.builder()
            .transport(REFUSING)
            .endpoint(URI.create("mem://tck"))
            .policy(policy.build())
            .build();
    made.add(c);
    if (elements == 1) {
      c.close("the one-event stream");
    }
    LifecyclePublisher publisher = LifecyclePublisher.of(c);
    if (elements == 0) {
      return publisher; // never started: no event at all (the TCK only subscribes to it)
    }
    return subscriber -> {
      publisher.subscribe(subscriber);
      c.start();
    };
  }

  /** Lifecycle streams do not fail: every one ends with its terminal event and onComplete. */
  @Override
  public Flow.Publisher<LifecycleEvent> createFailedFlowPublisher() {
    return null;
  }

  @AfterMethod
  public void closeConnections() throws Exception {
    for (Connection c : made) {
      c.close();
      if (!(c.state() instanceof dev.tether.machine.ConnectionState.Idle)) {
        c.terminated().toCompletableFuture().get(SIGNAL_TIMEOUT_MILLIS, TimeUnit.MILLISECONDS);
      }
    }
    made.clear();
  }
}
