package dev.tether.rpc;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.tether.machine.BackoffPolicy;
import dev.tether.machine.LifecycleEvent;
import dev.tether.runtime.spi.Channel;
import dev.tether.runtime.spi.Scheduler;
import dev.tether.runtime.spi.Transport;
import dev.tether.stub.StubEndpoint;
import dev.tether.stub.StubNetwork;
import dev.tether.stub.VirtualScheduler;
import dev.tether.stub.rpc.ScriptedRpcPeer;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Predicate;

/** Shared wiring for RPC tests: a virtual clock, a network, a scripted peer, a client. */
final class RpcFixture {
  static final URI SERVER = URI.create("stub://rpc");
  static final JsonNodeFactory JSON = JsonNodeFactory.instance;

  final VirtualScheduler clock = new VirtualScheduler();
  final StubNetwork network = new StubNetwork(clock);
  final StubEndpoint server = network.endpoint(SERVER);
  final ScriptedRpcPeer peer;
  final List<LifecycleEvent> events = new ArrayList<>();
  final List<String> sent = new ArrayList<>();

  /** Frames whose text matches this fail to send (the channel itself stays open). */
  Predicate<String> failSend = f -> false;

  /** False models a transport that cannot pause reading (the SPI's default). */
  boolean canPause = true;

  RpcFixture(ScriptedRpcPeer.PeerDialect dialect) {
    peer = ScriptedRpcPeer.attach(server, clock, dialect);
    peer.handle("echo", p -> p);
    peer.handle("getVersion", p -> JSON.objectNode().put("major", 3));
  }

  /** A transport over the stub network that records sent frames and can fail chosen sends. */
  Transport transport() {
    Transport inner = network.transport();
    return (uri, listener) ->
        inner.open(uri, listener).thenApply(ch -> (Channel) new Recording(ch));
  }

  RpcConnectionBuilder builder(Dialect dialect) {
    return RpcConnection.builder()
        .transport(transport())
        .endpoint(SERVER)
        .scheduler(clock)
        .random(new SplittableRandom(1))
        .policy(BackoffPolicy.defaults())
        .dialect(dialect);
  }

  RpcConnection start(RpcConnectionBuilder b) {
    RpcConnection c = b.build();
    c.subscribe(events::add);
    c.start();
    clock.runUntilIdle();
    return c;
  }

  static CompletableFuture<JsonNode> f(CompletionStage<JsonNode> s) {
    return s.toCompletableFuture();
  }

  /**
   * The result of a future that must have succeeded by now. On virtual time a test never waits: an
   * unsettled request is a failure here, not a hang in {@code join()}.
   */
  static <T> T result(CompletableFuture<T> f) {
    assertThat(f).as("settled successfully").isCompleted();
    return f.join();
  }

  /** The exception a settled future failed with, or null if it succeeded or is pending. */
  static Throwable failure(CompletableFuture<?> f) {
    if (!f.isCompletedExceptionally()) {
      return null;
    }
    try {
      f.getNow(null);
      throw new AssertionError("completed exceptionally, yet getNow returned");
    } catch (java.util.concurrent.CompletionException e) {
      return e.getCause();
    } catch (java.util.concurrent.CancellationException e) {
      return e;
    }
  }

  private final class Recording implements Channel {
    private final Channel inner;

    Recording(Channel inner) {
      this.inner = inner;
    }

    @Override
    public CompletionStage<Void> send(byte[] frame) {
      String text = new String(frame, java.nio.charset.StandardCharsets.UTF_8);
      sent.add(text);
      if (failSend.test(text)) {
        return CompletableFuture.failedFuture(new java.io.IOException("send failed (test)"));
      }
      return inner.send(frame);
    }

    @Override
    public boolean writable() {
      return inner.writable();
    }

    @Override
    public void close() {
      inner.close();
    }

    @Override
    public void pauseReading() {
      if (canPause) {
        inner.pauseReading();
      }
    }

    @Override
    public void resumeReading() {
      inner.resumeReading();
    }
  }

  /** A handler that ignores events and records subscription failures. */
  static StreamHandler failuresInto(List<RpcException> failures) {
    return new StreamHandler() {
      @Override
      public void onEvent(JsonNode event) {}

      @Override
      public void onSubscriptionFailed(RpcException failure) {
        failures.add(failure);
      }
    };
  }

  static Duration ms(long millis) {
    return Duration.ofMillis(millis);
  }

  /** Runs {@code action} and returns what it logged (slf4j-simple writes to System.err). */
  static String stderrOf(Runnable action) {
    java.io.PrintStream original = System.err;
    java.io.ByteArrayOutputStream captured = new java.io.ByteArrayOutputStream();
    System.setErr(new java.io.PrintStream(captured, true, java.nio.charset.StandardCharsets.UTF_8));
    try {
      action.run();
    } finally {
      System.setErr(original);
    }
    return captured.toString(java.nio.charset.StandardCharsets.UTF_8);
  }

  /**
   * The fixture's virtual clock as a scheduler that stops like the default one (an {@code
   * ExecutorScheduler} closed at termination): once {@link #stop()}ped it refuses new tasks and
   * timers with {@link RejectedExecutionException}, while tasks it already accepted still run.
   */
  final class StoppingScheduler implements Scheduler {
    private boolean stopped;

    void stop() {
      stopped = true;
    }

    @Override
    public long nanoTime() {
      return clock.nanoTime();
    }

    @Override
    public void execute(Runnable task) {
      refuseIfStopped();
      clock.execute(task);
    }

    @Override
    public Cancellable schedule(Duration delay, Runnable task) {
      refuseIfStopped();
      return clock.schedule(delay, task);
    }

    @Override
    public boolean inContext() {
      return clock.inContext();
    }

    private void refuseIfStopped() {
      if (stopped) {
        throw new RejectedExecutionException("scheduler stopped (test)");
      }
    }
  }
}
