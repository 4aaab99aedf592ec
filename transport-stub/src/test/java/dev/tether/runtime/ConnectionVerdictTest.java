package dev.tether.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tether.machine.BackoffPolicy;
import dev.tether.machine.Cause;
import dev.tether.machine.ConnectionState;
import dev.tether.machine.LifecycleEvent;
import dev.tether.machine.Verdict;
import dev.tether.stub.StubEndpoint;
import dev.tether.stub.StubNetwork;
import dev.tether.stub.VirtualScheduler;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * The driver's side of verdicts on virtual time: the failure classifier is asked about every
 * failure (and a throwing one does no harm), and {@link Connection#reconnectNow()} skips a pending
 * backoff delay without time moving.
 */
class ConnectionVerdictTest {
  static final URI SERVER = URI.create("stub://server");

  /** Delays of an hour: any attempt made while the clock stands still skipped one. */
  static final BackoffPolicy HOUR =
      BackoffPolicy.builder()
          .exponential(Duration.ofHours(1), 2.0, Duration.ofHours(2))
          .maxAttempts(3)
          .build();

  final VirtualScheduler clock = new VirtualScheduler();
  final StubNetwork network = new StubNetwork(clock);
  final StubEndpoint server = network.endpoint(SERVER);
  final List<LifecycleEvent> events = new ArrayList<>();

  Connection connect(FailureClassifier classifier) {
    Connection c =
        Connection.builder()
            .transport(network.transport())
            .endpoint(SERVER)
            .scheduler(clock)
            .policy(HOUR)
            .failureClassifier(classifier)
            .build();
    c.subscribe(events::add);
    c.start();
    clock.runUntilIdle();
    return c;
  }

  @Test
  void reconnectNowSkipsThePendingDelayAsTheSameAttempt() {
    Connection c = connect(FailureClassifier.defaults());
    server.down();
    clock.runUntilIdle();
    assertThat(c.state().label()).isEqualTo("Reconnecting (1/3)");
    server.up();

    c.reconnectNow();
    clock.runUntilIdle();

    assertThat(c.state()).isInstanceOf(ConnectionState.Connected.class);
    assertThat(events.get(events.size() - 1))
        .isEqualTo(
            new LifecycleEvent.Reconnected(2, 1, Duration.ZERO, Optional.of(SERVER.toString())));
    assertThat(clock.pendingTasks()).isZero(); // the hour's timer is gone, not just outrun
  }

  @Test
  void reconnectNowWhileConnectedChangesNothing() {
    Connection c = connect(FailureClassifier.defaults());
    int before = events.size();
    c.reconnectNow();
    clock.runUntilIdle();
    assertThat(events).hasSize(before);
    assertThat(server.accepted()).isEqualTo(1);
    assertThat(c.state()).isEqualTo(new ConnectionState.Connected(1));
  }

  @Test
  void classifierDecidesEveryFailureRefusedIsFatalWhenItSaysSo() {
    List<Cause> asked = new ArrayList<>();
    server.down();
    Connection c =
        connect(
            cause -> {
              asked.add(cause);
              return Verdict.FATAL;
            });

    assertThat(c.state()).isInstanceOf(ConnectionState.PermanentlyDisconnected.class);
    ConnectionState.PermanentlyDisconnected end =
        (ConnectionState.PermanentlyDisconnected) c.state();
    assertThat(end.attempts()).isEqualTo(1);
    assertThat(end.cause().kind()).isEqualTo(Cause.Kind.FATAL);
    assertThat(asked).hasSize(1);
    assertThat(asked.get(0).kind()).isEqualTo(Cause.Kind.OPEN_FAILED);
  }

  @Test
  void throwingClassifierRetriesByThePolicy() {
    server.down();
    Connection c =
        connect(
            cause -> {
              throw new IllegalStateException("classifier bug");
            });
    assertThat(c.state().label()).isEqualTo("Connecting (2/3)");
  }
}
