package dev.tether.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tether.machine.BackoffPolicy;
import dev.tether.machine.Cause;
import dev.tether.machine.ConnectionState;
import dev.tether.machine.LifecycleEvent;
import dev.tether.runtime.spi.EndpointResolver;
import dev.tether.stub.StubEndpoint;
import dev.tether.stub.StubNetwork;
import dev.tether.stub.VirtualScheduler;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/**
 * The driver resolves the endpoint before every attempt, on virtual time: resolver failures and
 * timeouts are {@code RESOLVE_FAILED} attempts, lists rotate with I2 numbering per outage, and the
 * up events name the endpoint without secrets (R3).
 */
class EndpointResolutionTest {
  static final URI A = URI.create("stub://a");
  static final URI B = URI.create("stub://b");
  static final URI C = URI.create("stub://c");

  static final BackoffPolicy POLICY =
      BackoffPolicy.builder()
          .delays(List.of(Duration.ofSeconds(1)))
          .jitter(0)
          .maxAttempts(10)
          .connectTimeout(Duration.ofSeconds(5))
          .build();

  final VirtualScheduler clock = new VirtualScheduler();
  final StubNetwork network = new StubNetwork(clock);
  final List<LifecycleEvent> events = new ArrayList<>();
  final List<EndpointResolver.ResolveContext> asked = new ArrayList<>();

  Connection connect(EndpointResolver resolver) {
    Connection c =
        Connection.builder()
            .transport(network.transport())
            .endpointResolver(
                ctx -> {
                  asked.add(ctx);
                  return resolver.resolve(ctx);
                })
            .scheduler(clock)
            .policy(POLICY)
            .build();
    c.subscribe(events::add);
    c.start();
    clock.runUntilIdle();
    return c;
  }

  @Test
  void theResolverIsAskedBeforeEveryAttemptAndTheEventNamesTheEndpoint() {
    StubEndpoint a = network.endpoint(A);
    StubEndpoint b = network.endpoint(B).down();
    URI[] current = {A};
    Connection c = connect(ctx -> CompletableFuture.completedFuture(current[0]));
    assertThat(events).last().isEqualTo(new LifecycleEvent.Connected(1, Optional.of(A.toString())));
    assertThat(c.endpoint()).isEqualTo(A);

    current[0] = B; // the server restarts elsewhere
    a.down();
    clock.advance(Duration.ofSeconds(1)); // attempt 1 at B: refused
    b.up();
    clock.advance(Duration.ofSeconds(1)); // attempt 2 at B: up

    assertThat(asked).extracting(EndpointResolver.ResolveContext::attempt).containsExactly(1, 1, 2);
    assertThat(asked)
        .extracting(EndpointResolver.ResolveContext::reconnect)
        .containsExactly(false, true, true);
    assertThat(events)
        .last()
        .isEqualTo(
            new LifecycleEvent.Reconnected(2, 2, Duration.ofSeconds(2), Optional.of(B.toString())));
    assertThat(c.endpoint()).isEqualTo(B);
  }

  @Test
  void aFailingResolverIsAFailedAttemptWithItsMessageThenARetry() {
    network.endpoint(A);
    int[] calls = {0};
    Connection c =
        connect(
            ctx ->
                ++calls[0] == 1
                    ? CompletableFuture.failedFuture(new IllegalStateException("no port file yet"))
                    : CompletableFuture.completedFuture(A));
    assertThat(events.get(1))
        .isEqualTo(
            new LifecycleEvent.Connecting(
                2,
                10,
                Duration.ofSeconds(1),
                Optional.of(Cause.of(Cause.Kind.RESOLVE_FAILED, "no port file yet"))));
    clock.advance(Duration.ofSeconds(1));
    assertThat(c.state()).isEqualTo(new ConnectionState.Connected(1));
  }

  @Test
  void aThrowingResolverIsAFailedAttemptToo() {
    Connection c =
        connect(
            ctx -> {
              throw new IllegalArgumentException("bad discovery response");
            });
    assertThat(c.state())
        .isEqualTo(
            new ConnectionState.Connecting(
                2,
                10,
                Duration.ofSeconds(1),
                Optional.of(Cause.of(Cause.Kind.RESOLVE_FAILED, "bad discovery response"))));
  }

  @Test
  void aResolverThatNeverAnswersIsBoundedByTheConnectTimeout() {
    network.endpoint(A);
    StubEndpoint b = network.endpoint(B);
    List<CompletableFuture<URI>> pending = new ArrayList<>();
    Connection c =
        connect(
            ctx -> {
              if (ctx.attempt() == 1) {
                CompletableFuture<URI> never = new CompletableFuture<>();
                pending.add(never);
                return never;
              }
              return CompletableFuture.completedFuture(A);
            });
    assertThat(c.state())
        .isEqualTo(new ConnectionState.Connecting(1, 10, Duration.ZERO, Optional.empty()));
    clock.advance(Duration.ofSeconds(5));
    assertThat(c.state().label()).startsWith("Connecting (2/10)");
    var failure = ((ConnectionState.Connecting) c.state()).lastFailure().orElseThrow();
    assertThat(failure.kind()).isEqualTo(Cause.Kind.RESOLVE_FAILED);
    assertThat(failure.message()).contains("did not answer within the connect timeout of PT5S");

    pending.get(0).complete(B); // a late answer changes nothing
    clock.runUntilIdle();
    assertThat(b.accepted()).isZero();
    assertThat(c.endpoint()).isNull(); // no attempt has resolved anything yet
    clock.advance(Duration.ofSeconds(1));
    assertThat(c.state()).isEqualTo(new ConnectionState.Connected(1));
    assertThat(c.endpoint()).isEqualTo(A);
    assertThat(b.accepted()).isZero();
  }

  @Test
  void aListTakesTheNextEndpointOnEveryAttemptAndAnOutageCountsAttemptsAcrossIt() {
    StubEndpoint a = network.endpoint(A);
    StubEndpoint b = network.endpoint(B).down();
    StubEndpoint c3 = network.endpoint(C).down();
    Connection c = connect(EndpointResolver.list(List.of(A, B, C)));
    assertThat(events).last().isEqualTo(new LifecycleEvent.Connected(1, Optional.of(A.toString())));

    a.down();
    clock.advance(Duration.ofSeconds(1)); // 1: B refused
    clock.advance(Duration.ofSeconds(1)); // 2: C refused
    clock.advance(Duration.ofSeconds(1)); // 3: A refused
    b.up();
    clock.advance(Duration.ofSeconds(1)); // 4: B up

    assertThat(events)
        .filteredOn(LifecycleEvent.Reconnecting.class::isInstance)
        .extracting(e -> ((LifecycleEvent.Reconnecting) e).attempt())
        .containsExactly(1, 2, 3, 4); // I2 across the list: no restart per endpoint
    assertThat(events)
        .filteredOn(LifecycleEvent.Reconnecting.class::isInstance)
        .extracting(e -> ((LifecycleEvent.Reconnecting) e).cause().message())
        .containsExactly(
            "server went away",
            "connection refused: stub://b",
            "connection refused: stub://c",
            "connection refused: stub://a");
    assertThat(events)
        .last()
        .isEqualTo(
            new LifecycleEvent.Reconnected(2, 4, Duration.ofSeconds(4), Optional.of(B.toString())));
    assertThat(a.refused() + b.refused() + c3.refused()).isEqualTo(3);
    assertThat(c.endpoint()).isEqualTo(B);
  }

  @Test
  void aShuffledListTriesEveryEndpointOncePerRoundInASeededOrder() {
    List<URI> three = List.of(A, B, C);
    var ctx = new EndpointResolver.ResolveContext("t", 1, false);
    EndpointResolver one = EndpointResolver.shuffled(three, new SplittableRandom(7));
    EndpointResolver two = EndpointResolver.shuffled(three, new SplittableRandom(7));
    List<URI> first = new ArrayList<>();
    List<URI> again = new ArrayList<>();
    for (int i = 0; i < 30; i++) {
      first.add(one.resolve(ctx).toCompletableFuture().join());
      again.add(two.resolve(ctx).toCompletableFuture().join());
    }
    assertThat(first).isEqualTo(again);
    for (int round = 0; round < 10; round++) {
      assertThat(first.subList(3 * round, 3 * round + 3)).containsExactlyInAnyOrder(A, B, C);
    }
    assertThat(first)
        .isNotEqualTo(
            java.util.stream.IntStream.range(0, 30).mapToObj(i -> three.get(i % 3)).toList());
  }

  @Test
  void theEventAndTheNameCarryNoSecrets() {
    URI secret = URI.create("stub://user:hunter2@a/ws?token=s3cr3t#frag");
    network.endpoint(secret);
    Connection c = connect(EndpointResolver.list(List.of(secret)));
    var up = (LifecycleEvent.Connected) events.get(events.size() - 1);
    assertThat(up.endpoint()).contains("stub://a/ws");
    assertThat(up.toString()).doesNotContain("hunter2", "s3cr3t", "user", "frag");
    assertThat(c.toString()).doesNotContain("hunter2", "s3cr3t");
    assertThat(EndpointResolver.fixed(secret).describe()).isEqualTo("stub://a/ws");
  }
}
