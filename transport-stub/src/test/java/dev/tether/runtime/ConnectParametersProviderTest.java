package dev.tether.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tether.machine.BackoffPolicy;
import dev.tether.machine.Cause;
import dev.tether.machine.ConnectionState;
import dev.tether.machine.LifecycleEvent;
import dev.tether.machine.Verdict;
import dev.tether.runtime.spi.Channel;
import dev.tether.runtime.spi.ChannelListener;
import dev.tether.runtime.spi.ConnectParameters;
import dev.tether.runtime.spi.ConnectParametersProvider;
import dev.tether.runtime.spi.Transport;
import dev.tether.stub.StubEndpoint;
import dev.tether.stub.StubNetwork;
import dev.tether.stub.VirtualScheduler;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.junit.jupiter.api.Test;

/**
 * The driver asks the connect-parameters provider before every attempt, on virtual time: once per
 * attempt with its number and resolved endpoint, failures and timeouts are {@code
 * PARAMETERS_FAILED} attempts judged by the classifier, and it is not asked once the connection
 * closed. That no secret leaks is {@code dev.tether.rpc.ConnectParametersSecretsTest}'s.
 */
class ConnectParametersProviderTest {
  static final URI A = EndpointResolutionTest.A;
  static final BackoffPolicy POLICY = EndpointResolutionTest.POLICY; // 1 s retries, 5 s to connect

  final VirtualScheduler clock = new VirtualScheduler();
  final StubNetwork network = new StubNetwork(clock);
  final List<LifecycleEvent> events = new ArrayList<>();
  final List<ConnectParametersProvider.AttemptContext> asked = new ArrayList<>();
  final List<ConnectParameters> opened = new ArrayList<>();

  /** The stub network's transport, recording the parameters of every open. */
  final Transport recording =
      new Transport() {
        @Override
        public CompletionStage<Channel> open(URI endpoint, ChannelListener listener) {
          return network.transport().open(endpoint, listener);
        }

        @Override
        public CompletionStage<Channel> open(
            URI endpoint, ConnectParameters parameters, ChannelListener listener) {
          opened.add(parameters);
          return open(endpoint, listener);
        }
      };

  Connection connect(ConnectParametersProvider provider) {
    return connect(Connection.builder().transport(recording).endpoint(A), provider);
  }

  Connection connect(ConnectionBuilder builder, ConnectParametersProvider provider) {
    Connection c =
        builder
            .connectParameters(
                ctx -> {
                  asked.add(ctx);
                  return provider.parameters(ctx);
                })
            .scheduler(clock)
            .policy(POLICY)
            .build();
    c.subscribe(events::add);
    c.start();
    clock.runUntilIdle();
    return c;
  }

  static ConnectParameters bearer(String token) {
    return ConnectParameters.none().withHeader("Authorization", "Bearer " + token);
  }

  @Test
  void theProviderIsAskedOncePerAttemptAndTheTransportGetsEachFreshAnswer() {
    StubEndpoint a = network.endpoint(A);
    Connection c = connect(ctx -> CompletableFuture.completedFuture(bearer("t" + asked.size())));
    assertThat(c.state()).isEqualTo(new ConnectionState.Connected(1));

    a.down(); // the server restarts: refused once, then up
    clock.advance(Duration.ofSeconds(1));
    a.up();
    clock.advance(Duration.ofSeconds(1));

    assertThat(asked)
        .extracting(ConnectParametersProvider.AttemptContext::attempt)
        .containsExactly(1, 1, 2);
    assertThat(asked)
        .extracting(ConnectParametersProvider.AttemptContext::reconnect)
        .containsExactly(false, true, true);
    assertThat(asked)
        .extracting(ConnectParametersProvider.AttemptContext::endpoint)
        .containsOnly(A);
    assertThat(opened).containsExactly(bearer("t1"), bearer("t2"), bearer("t3"));
    assertThat(events).last().isInstanceOf(LifecycleEvent.Reconnected.class);
  }

  @Test
  void aFailingProviderFailsTheAttemptWithItsMessageAndOpensNothing() {
    StubEndpoint a = network.endpoint(A);
    Connection c =
        connect(
            ctx ->
                ctx.attempt() == 1
                    ? CompletableFuture.failedFuture(
                        new IllegalStateException("token service unavailable"))
                    : CompletableFuture.completedFuture(bearer("fresh")));
    assertThat(c.state())
        .isEqualTo(
            new ConnectionState.Connecting(
                2,
                10,
                Duration.ofSeconds(1),
                Optional.of(Cause.of(Cause.Kind.PARAMETERS_FAILED, "token service unavailable"))));
    assertThat(a.accepted() + a.refused()).isZero();
    clock.advance(Duration.ofSeconds(1));
    assertThat(c.state()).isEqualTo(new ConnectionState.Connected(1));
    assertThat(opened).containsExactly(bearer("fresh"));
  }

  @Test
  void aThrowingOrNullAnsweringProviderFailsTheAttemptToo() {
    network.endpoint(A);
    Connection c =
        connect(
            ctx -> {
              if (ctx.attempt() == 1) {
                throw new IllegalArgumentException("no refresh token");
              }
              return CompletableFuture.completedFuture(null);
            });
    assertThat(lastFailure(c))
        .isEqualTo(Cause.of(Cause.Kind.PARAMETERS_FAILED, "no refresh token"));
    clock.advance(Duration.ofSeconds(1));
    assertThat(lastFailure(c).kind()).isEqualTo(Cause.Kind.PARAMETERS_FAILED);
    assertThat(lastFailure(c).message()).endsWith("answered null");
    assertThat(opened).isEmpty();
  }

  @Test
  void aProviderThatNeverAnswersIsBoundedByTheConnectTimeoutTogetherWithResolution() {
    StubEndpoint a = network.endpoint(A);
    List<CompletableFuture<ConnectParameters>> pending = new ArrayList<>();
    Connection c =
        connect(
            Connection.builder()
                .transport(recording)
                .endpointResolver( // resolution takes 3 of the connect timeout's 5 seconds
                    ctx -> {
                      CompletableFuture<URI> later = new CompletableFuture<>();
                      clock.schedule(Duration.ofSeconds(3), () -> later.complete(A));
                      return later;
                    }),
            ctx -> {
              if (ctx.attempt() == 1) {
                CompletableFuture<ConnectParameters> never = new CompletableFuture<>();
                pending.add(never);
                return never;
              }
              return CompletableFuture.completedFuture(bearer("fresh"));
            });
    clock.advance(Duration.ofSeconds(3));
    assertThat(asked).hasSize(1);
    clock.advance(Duration.ofSeconds(2)); // 5 s after the attempt began, 2 s after asking
    Cause failure = lastFailure(c);
    assertThat(failure.kind()).isEqualTo(Cause.Kind.PARAMETERS_FAILED);
    assertThat(failure.message()).contains("did not answer within the connect timeout of PT5S");

    pending.get(0).complete(bearer("late")); // a late answer opens nothing
    clock.runUntilIdle();
    assertThat(opened).isEmpty();
    clock.advance(Duration.ofSeconds(1 + 3));
    assertThat(c.state()).isEqualTo(new ConnectionState.Connected(1));
    assertThat(opened).containsExactly(bearer("fresh"));
    assertThat(a.accepted()).isEqualTo(1);
  }

  @Test
  void theProviderIsNotAskedAfterClose() {
    network.endpoint(A);
    List<CompletableFuture<URI>> resolving = new ArrayList<>();
    Connection c =
        connect(
            Connection.builder()
                .transport(recording)
                .endpointResolver(
                    ctx -> {
                      CompletableFuture<URI> f = new CompletableFuture<>();
                      resolving.add(f);
                      return f;
                    }),
            ctx -> CompletableFuture.completedFuture(bearer("t")));
    c.close("user quit"); // while the endpoint is being resolved
    clock.runUntilIdle();
    resolving.get(0).complete(A);
    clock.advance(Duration.ofMinutes(1));

    assertThat(c.state()).isInstanceOf(ConnectionState.Closed.class);
    assertThat(asked).isEmpty();
    assertThat(opened).isEmpty();
  }

  @Test
  void anAnswerArrivingAfterCloseOpensNothing() {
    StubEndpoint a = network.endpoint(A);
    CompletableFuture<ConnectParameters> answer = new CompletableFuture<>();
    Connection c = connect(ctx -> answer);
    assertThat(asked).hasSize(1);
    c.close("user quit"); // while the provider is being asked
    clock.runUntilIdle();
    answer.complete(bearer("late"));
    clock.advance(Duration.ofMinutes(1));

    assertThat(c.state()).isInstanceOf(ConnectionState.Closed.class);
    assertThat(asked).hasSize(1);
    assertThat(opened).isEmpty();
    assertThat(a.accepted()).isZero();
  }

  @Test
  void theClassifierJudgesAProviderFailure() {
    network.endpoint(A);
    Connection c =
        connect(
            Connection.builder()
                .transport(recording)
                .endpoint(A)
                .failureClassifier(
                    cause ->
                        cause.kind() == Cause.Kind.PARAMETERS_FAILED
                            ? Verdict.FATAL
                            : FailureClassifier.defaults().classify(cause)),
            ctx -> CompletableFuture.failedFuture(new IllegalStateException("refresh revoked")));
    LifecycleEvent.PermanentlyDisconnected end =
        (LifecycleEvent.PermanentlyDisconnected) events.get(events.size() - 1);
    assertThat(end.attempts()).isEqualTo(1);
    assertThat(end.cause()).isEqualTo(Cause.of(Cause.Kind.FATAL, "refresh revoked"));
    assertThat(asked).hasSize(1);
    assertThat(c.state()).isInstanceOf(ConnectionState.PermanentlyDisconnected.class);
  }

  private static Cause lastFailure(Connection c) {
    return ((ConnectionState.Connecting) c.state()).lastFailure().orElseThrow();
  }
}
