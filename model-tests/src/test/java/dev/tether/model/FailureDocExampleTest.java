package dev.tether.model;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tether.machine.Cause;
import dev.tether.machine.ConnectionState;
import dev.tether.machine.LifecycleEvent;
import dev.tether.machine.Verdict;
import dev.tether.runtime.Connection;
import dev.tether.runtime.FailureClassifier;
import dev.tether.runtime.spi.ChannelOpenException;
import dev.tether.runtime.spi.Transport;
import java.net.URI;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Keeps docs/connections.md's example of final failures and {@code reconnectNow} honest. */
class FailureDocExampleTest {

  // example:final-failures:begin
  /** The defaults, plus a close code of our own protocol (4001: "session revoked") as final. */
  static final FailureClassifier CLASSIFIER =
      cause ->
          cause.detail().orElse(null) instanceof Cause.Detail.CloseCode c && c.code() == 4001
              ? Verdict.FATAL
              : FailureClassifier.defaults().classify(cause);

  static Connection connect(Transport transport) {
    Connection connection =
        Connection.builder()
            .transport(transport)
            .endpoint(URI.create("ws://127.0.0.1:8181/ws"))
            .failureClassifier(CLASSIFIER)
            .build();
    connection.subscribe(
        event -> {
          if (event instanceof LifecycleEvent.PermanentlyDisconnected end
              && end.cause().kind() == Cause.Kind.FATAL) {
            System.err.println("giving up: " + end.cause().message()); // HTTP 401, ...
          }
        });
    connection.start();
    return connection;
  }

  /** A "retry now" button, or the operating system saying the network changed. */
  static void onNetworkChanged(Connection connection) {
    connection.reconnectNow(); // does nothing unless the connection is waiting out a delay
  }

  // example:final-failures:end

  @Test
  void classifierAddsItsOwnCloseCodeToTheDefaults() {
    assertThat(CLASSIFIER.classify(closed(4001))).isEqualTo(Verdict.FATAL);
    assertThat(CLASSIFIER.classify(closed(1012))).isEqualTo(Verdict.RETRY_PROMPTLY);
    assertThat(CLASSIFIER.classify(closed(1000))).isEqualTo(Verdict.RETRY);
  }

  @Test
  void upgradeRefusedWith401EndsTheExampleConnectionAfterOneAttempt() throws Exception {
    Transport refusing =
        (uri, listener) ->
            CompletableFuture.failedFuture(
                new ChannelOpenException(
                    "upgrade rejected with HTTP 401", new Cause.Detail.UpgradeRejected(401), null));
    Connection c = connect(refusing);
    onNetworkChanged(c); // harmless whatever the state
    ConnectionState end = c.terminated().toCompletableFuture().get(5, TimeUnit.SECONDS);
    assertThat(end)
        .isEqualTo(
            new ConnectionState.PermanentlyDisconnected(
                Cause.of(
                    Cause.Kind.FATAL,
                    "upgrade rejected with HTTP 401",
                    new Cause.Detail.UpgradeRejected(401)),
                1));
  }

  private static Cause closed(int code) {
    return Cause.of(Cause.Kind.CHANNEL_CLOSED, "closed", new Cause.Detail.CloseCode(code));
  }
}
