package dev.tether.model.rpc;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.tether.machine.BackoffPolicy;
import dev.tether.machine.Cause;
import dev.tether.machine.ConnectionState;
import dev.tether.machine.LifecycleEvent;
import dev.tether.model.prop.Property;
import dev.tether.rpc.Dialect;
import dev.tether.rpc.FailFast;
import dev.tether.rpc.Heartbeat;
import dev.tether.rpc.RequestOptions;
import dev.tether.rpc.RpcConnection;
import dev.tether.rpc.RpcException;
import dev.tether.rpc.ServedMethod;
import dev.tether.rpc.StreamHandler;
import dev.tether.rpc.StreamSubscription;
import dev.tether.runtime.spi.Channel;
import dev.tether.runtime.spi.Transport;
import dev.tether.stub.ForwardingChannel;
import dev.tether.stub.StubConnection;
import dev.tether.stub.StubEndpoint;
import dev.tether.stub.StubNetwork;
import dev.tether.stub.VirtualScheduler;
import dev.tether.stub.rpc.PeerError;
import dev.tether.stub.rpc.ScriptedRpcPeer;
import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * Stateful property test of the JSON-RPC layer on the simulator (I6, I7, R2): random interleavings
 * of requests (answered, slow past their deadline, failing remotely, idempotent, waiting for
 * ready), listens and unlistens (including handlers that throw and a stream the server refuses),
 * stream events, and faults (drops, remote restarts, refusal, a half-open silent peer caught by the
 * heartbeat). After every step: the ledger's own counters account for every request made, the
 * client's and its internal ones (settled, counted once, or in flight or waiting), and the ledger
 * holds exactly the unsettled ones; a peer silent for longer than the heartbeat's detection bound
 * has lost the connection (the heartbeat detects it, {@code HEARTBEAT_MISSED}); the moment a
 * channel is lost, nothing is left in flight on it (pending requests failed or, if idempotent, wait
 * for a replay); at every {@code Connected}/{@code Reconnected}: the peer's subscriptions equal the
 * desired set (minus the refused stream, whose refusal is reported). Every event carries its stream
 * and a serial: a handler gets only its stream's events, none twice, and each event sent on a quiet
 * channel (Connected, nothing internal in flight) to a stream the server holds. At the end, after
 * close, every request has settled exactly once and nothing is in flight. The pubsub run adds
 * server-named subscriptions (see {@link #pubsubRoutesByTheCurrentTokenAndRestoresSubscriptions}).
 * Interleaved with all this, the server asks the client (served, unserved, throwing and slow
 * methods, some released past their deadline); after every step each answer belongs to a request
 * asked, came on the channel that asked, and came once (I11); at the end a request on the live
 * channel was answered, and the client's count of dropped requests equals those never answered.
 *
 * <p>Fail fast and "was it sent?": every frame handed to a channel is recorded, so the model knows
 * which requests were written. A request that fails with {@code ConnectionLost} reports {@code
 * written()} exactly when the model saw it written, and one that fails with {@code NotConnected}
 * was never written. A request that may not wait for ready fails with {@code NotConnected} at once
 * when made in a failure state, and otherwise only once an attempt has failed (the state at its
 * settlement is a failure state); a wait-for-ready request never does. The vm-service and pubsub
 * runs use the default {@link FailFast#AFTER_FAILED_ATTEMPT} (gRPC's: waits while no attempt of the
 * outage has failed), the rpc-websockets run {@link FailFast#WHEN_NOT_CONNECTED}.
 *
 * <p>Replay one seed with {@code -Dtether.seed=N}; the failure message prints it.
 */
class RpcPropertyTest {
  static final URI SERVER = URI.create("stub://rpc-model");
  static final JsonNodeFactory JSON = JsonNodeFactory.instance;
  static final String[] STREAMS = {"A", "B", "C", "X"};
  static final String REFUSED = "X";
  static final int STEPS = 80;
  static final int SEEDS = 150;
  static final Duration SUBSCRIBE_DELAY = Duration.ofMillis(40);

  /** The client's heartbeat: a probe a second, 300 ms to answer, two misses lose the channel. */
  static final Heartbeat HEARTBEAT =
      new Heartbeat(Duration.ofSeconds(1), Duration.ofMillis(300), 2, Optional.empty())
          .withProbe("getVersion");

  /**
   * How long a peer may stay silent while the connection reports Connected: a probe in flight when
   * the silence began, then {@code misses} probes an interval apart, the last one timing out.
   */
  static final Duration DETECTION_BOUND =
      HEARTBEAT.interval().multipliedBy(HEARTBEAT.misses() + 1L).plus(HEARTBEAT.timeout());

  /** Channels lost because the heartbeat found the peer silent, over every run of a test. */
  static final AtomicLong silentPeersDetected = new AtomicLong();

  sealed interface Cmd {}

  /** kind: 0 answered, 1 slow past the deadline, 2 remote error, 3 handler throws on the peer. */
  record Request(int kind, boolean idempotent, boolean waitForReady) implements Cmd {}

  record Listen(String stream, boolean throwing) implements Cmd {}

  record Unlisten(String stream) implements Cmd {}

  record Emit(String stream) implements Cmd {}

  record Advance(long millis) implements Cmd {}

  record Drop() implements Cmd {}

  record Restart() implements Cmd {}

  record Down() implements Cmd {}

  record Up() implements Cmd {}

  record Silent(boolean on) implements Cmd {}

  /** The server asks the client (I11); kind: 0 served, 1 unserved, 2 handler throws, 3 slow. */
  record ServerAsk(int kind) implements Cmd {}

  /** A slow served handler (the {@code index}-th still held, modulo) finishes. */
  record Release(int index) implements Cmd {}

  /** Deadline of the client's slow served method: some releases come after it. */
  static final Duration SERVE_TIMEOUT = Duration.ofMillis(1500);

  static List<Cmd> generate(SplittableRandom r) {
    List<Cmd> cmds = new ArrayList<>();
    for (int i = 0; i < STEPS; i++) {
      if (r.nextInt(100) < 15) { // requests from the server, mixed into everything below
        cmds.add(r.nextInt(3) == 0 ? new Release(r.nextInt(8)) : new ServerAsk(r.nextInt(4)));
        continue;
      }
      String s = STREAMS[r.nextInt(STREAMS.length)];
      int p = r.nextInt(100);
      if (p < 30) {
        cmds.add(new Request(r.nextInt(4), r.nextInt(4) == 0, r.nextInt(3) == 0));
      } else if (p < 42) {
        cmds.add(new Listen(s, r.nextInt(5) == 0));
      } else if (p < 50) {
        cmds.add(new Unlisten(s));
      } else if (p < 58) {
        cmds.add(new Emit(s));
      } else if (p < 80) {
        cmds.add(new Advance(1 + (r.nextBoolean() ? r.nextInt(60) : r.nextInt(3000))));
      } else if (p < 85) {
        cmds.add(new Drop());
      } else if (p < 90) {
        cmds.add(new Restart());
      } else if (p < 93) {
        cmds.add(new Down());
      } else if (p < 96) {
        cmds.add(new Up());
      } else {
        cmds.add(new Silent(r.nextInt(2) == 0));
      }
    }
    return cmds;
  }

  @Test
  void vmServiceRequestsSettleOnceAndSubscriptionsAreRestored() {
    long detectedBefore = silentPeersDetected.get();
    Property.forAll(
        "rpc ledger and subscriptions (vm-service)",
        RpcPropertyTest.class,
        SEEDS,
        RpcPropertyTest::generate,
        cmds ->
            new World(
                    ScriptedRpcPeer.PeerDialect.VM_SERVICE,
                    Dialect.vmService(),
                    FailFast.AFTER_FAILED_ATTEMPT)
                .run(cmds));
    if (!Property.replaying()) {
      assertThat(silentPeersDetected.get() - detectedBefore)
          .as("channels the heartbeat declared lost because the peer fell silent")
          .isPositive();
    }
  }

  @Test
  void rpcWebsocketsRequestsSettleOnceAndSubscriptionsAreRestored() {
    Property.forAll(
        "rpc ledger and subscriptions (rpc-websockets)",
        RpcPropertyTest.class,
        SEEDS,
        RpcPropertyTest::generate,
        cmds ->
            new World(
                    ScriptedRpcPeer.PeerDialect.RPC_WEBSOCKETS,
                    Dialect.rpcWebsockets(),
                    FailFast.WHEN_NOT_CONNECTED)
                .run(cmds));
  }

  /** One run: the simulator, the peer, the client, and the test's own model of what it did. */
  static final class World {
    final VirtualScheduler clock = new VirtualScheduler();
    final StubNetwork network = new StubNetwork(clock);
    final StubEndpoint server = network.endpoint(SERVER);
    final ScriptedRpcPeer peer;
    final ScriptedRpcPeer.PeerDialect peerDialect;
    final RpcConnection client;
    final List<Tracked> requests = new ArrayList<>();
    final List<StreamSubscription> subscriptions = new ArrayList<>();
    final List<String> violations = new ArrayList<>();
    long refusalsReported;
    long refusalsAtLastUp;
    int ups;
    final List<Asked> asked = new ArrayList<>();
    final List<CompletableFuture<JsonNode>> held = new ArrayList<>();

    final FailFast failFast;
    final Map<String, Tracked> byLabel = new HashMap<>();
    long internalIssued; // the client's own requests, seen as frames with a method and an id
    long silentSinceNanos = -1; // when the peer fell silent; -1 while it answers
    long upSinceNanos;
    final ObjectMapper mapper = new ObjectMapper();

    World(ScriptedRpcPeer.PeerDialect peerDialect, Dialect dialect, FailFast failFast) {
      this.peerDialect = peerDialect;
      this.failFast = failFast;
      peer = ScriptedRpcPeer.attach(server, clock, peerDialect);
      peer.refuse(REFUSED);
      // Subscription answers take time, so faults and commands land in the middle of handshakes.
      for (String m :
          List.of(
              "streamListen",
              "streamCancel",
              "rpc.on",
              "rpc.off",
              "getVersion",
              "eth_subscribe",
              "eth_unsubscribe")) {
        peer.delay(m, SUBSCRIBE_DELAY);
      }
      peer.handle("getVersion", p -> JSON.objectNode().put("major", 3));
      peer.handle("echo", p -> p);
      peer.handle("slow", p -> p).delay("slow", Duration.ofSeconds(3));
      peer.handle(
          "boom",
          p -> {
            throw new PeerError(7, "boom", null);
          });
      peer.handle(
          "crash",
          p -> {
            throw new IllegalStateException("peer handler bug");
          });
      client =
          RpcConnection.builder()
              .transport(recording(network.transport()))
              .endpoint(SERVER)
              .scheduler(clock)
              .random(new SplittableRandom(7))
              .failFast(failFast)
              .policy(
                  BackoffPolicy.builder()
                      .exponential(Duration.ofMillis(100), 2, Duration.ofSeconds(2))
                      .unlimitedAttempts()
                      .connectTimeout(Duration.ofSeconds(4))
                      .build())
              .dialect(dialect)
              .handshakeHook(
                  (caller, epoch) -> caller.request("getVersion", null).thenApply(v -> null))
              .serve("ok", ServedMethod.sync(p -> JSON.textNode("ok")))
              .serve(
                  "throws",
                  ServedMethod.sync(
                      p -> {
                        throw new IllegalStateException("served handler bug");
                      }))
              .serve("slow", SERVE_TIMEOUT, p -> hold())
              .requestTimeout(Duration.ofSeconds(2))
              .waitForReady(false, 4)
              .heartbeat(HEARTBEAT)
              .build();
      client.subscribe(this::onLifecycle);
    }

    void run(List<Cmd> cmds) {
      client.start();
      clock.runUntilIdle();
      for (Cmd cmd : cmds) {
        if (cmd instanceof Advance a) {
          clock.advance(Duration.ofMillis(a.millis()));
        } else {
          clock.execute(() -> apply(cmd)); // on the context, so the model and the client agree
          clock.runUntilIdle();
        }
        check(cmd);
      }
      server.up();
      peer.silent(false);
      clock.advance(SERVE_TIMEOUT); // every slow handler on the live channel is now answered
      check(new Advance(SERVE_TIMEOUT.toMillis()));
      checkServedAtTheEnd();
      client.close("end of run");
      clock.runUntilIdle();
      check(new Advance(0));
      for (Tracked t : requests) {
        assertThat(t.completions).as("request %s settled", t.label).isPositive();
      }
      assertThat(client.stats().inFlight()).isZero();
      assertThat(client.stats().waiting()).isZero();
    }

    void apply(Cmd cmd) {
      if (cmd instanceof Request r) {
        String method = new String[] {"echo", "slow", "boom", "crash"}[r.kind()];
        RequestOptions o =
            RequestOptions.defaults().idempotent(r.idempotent()).waitForReady(r.waitForReady());
        Tracked t = new Tracked(method + "#" + requests.size());
        requests.add(t);
        byLabel.put(t.label, t);
        ConnectionState madeIn = client.state();
        CompletableFuture<JsonNode> f =
            client.request(method, JSON.arrayNode().add(t.label), o).toCompletableFuture();
        var unused =
            f.whenComplete(
                (v, e) -> {
                  t.completions++;
                  settled(t, r.waitForReady(), e);
                });
        boolean failsAtOnce = !r.waitForReady() && failing(madeIn);
        boolean failedAtOnce = t.completions == 1 && t.failure instanceof RpcException.NotConnected;
        if (failsAtOnce != failedAtOnce) {
          violations.add(
              "fail fast ("
                  + failFast
                  + "): "
                  + t.label
                  + " made in "
                  + madeIn.label()
                  + (failsAtOnce ? " did not fail at once" : " failed at once: " + t.failure));
        }
      } else if (cmd instanceof Listen l) {
        Set<Long> got = new HashSet<>();
        StreamSubscription sub = client.listen(l.stream(), handler(l.stream(), got, l.throwing()));
        serialsOf.put(sub, got);
        subscriptions.add(sub);
      } else if (cmd instanceof Unlisten u) {
        for (StreamSubscription s : subscriptions) {
          if (s.stream().equals(u.stream())) {
            s.cancel();
            subscriptions.remove(s);
            break;
          }
        }
      } else if (cmd instanceof Emit e) {
        emitChecked(e.stream());
      } else if (cmd instanceof Drop) {
        server.dropAll(Cause.of(Cause.Kind.CHANNEL_ERROR, "network fault"));
      } else if (cmd instanceof Restart) {
        peer.restart();
      } else if (cmd instanceof Down) {
        server.down();
      } else if (cmd instanceof Up) {
        server.up();
      } else if (cmd instanceof Silent s) {
        peer.silent(s.on());
        if (!s.on()) {
          silentSinceNanos = -1;
        } else if (silentSinceNanos < 0) {
          silentSinceNanos = clock.nanoTime();
        }
      } else if (cmd instanceof StaleEmit st) {
        staleEmit(st);
      } else if (cmd instanceof ServerAsk a) {
        ask(a.kind());
      } else if (cmd instanceof Release rel) {
        release(rel.index());
      }
    }

    /**
     * The model's failure states: where a request that may not wait for ready fails at once. gRPC's
     * sticky {@code TRANSIENT_FAILURE} (an attempt of this outage failed) for the default; any
     * state without a channel up for {@code WHEN_NOT_CONNECTED}.
     */
    boolean failing(ConnectionState s) {
      if (s instanceof ConnectionState.Connected || s.isTerminal()) {
        return false;
      }
      if (failFast == FailFast.WHEN_NOT_CONNECTED) {
        return true;
      }
      return (s instanceof ConnectionState.Connecting c && c.attempt() > 1)
          || (s instanceof ConnectionState.Reconnecting r && r.attempt() > 1);
    }

    /** A request settled (on the context): its outcome against the model's view. */
    void settled(Tracked t, boolean waitForReady, Throwable e) {
      t.failure = e;
      if (e instanceof RpcException.ConnectionLost lost && lost.written() != t.written) {
        violations.add(
            t.label
                + ": ConnectionLost says written="
                + lost.written()
                + ", model saw "
                + t.written);
      }
      if (e instanceof RpcException.NotConnected) {
        if (t.written) {
          violations.add(t.label + ": NotConnected, yet the model saw it written");
        }
        if (waitForReady || !failing(client.state())) {
          violations.add(
              t.label
                  + ": NotConnected in "
                  + client.state().label()
                  + " (wfr "
                  + waitForReady
                  + ")");
        }
      }
    }

    /** The network's transport, recording which tracked requests were handed to a channel. */
    Transport recording(Transport inner) {
      return ForwardingChannel.wrapping(inner, RecordingChannel::new);
    }

    final class RecordingChannel extends ForwardingChannel {
      RecordingChannel(Channel inner) {
        super(inner);
      }

      @Override
      public CompletionStage<Void> send(byte[] frame) {
        try {
          JsonNode n = mapper.readTree(frame);
          Tracked t = byLabel.get(n.path("params").path(0).asText(""));
          if (t != null) {
            t.written = true;
          } else if (n.hasNonNull("method") && n.hasNonNull("id")) {
            internalIssued++; // a subscription call, a probe, the hook's request: never resent
          }
        } catch (IOException e) {
          violations.add("the client wrote a frame that is not JSON: " + e);
        }
        return super.send(frame);
      }
    }

    CompletableFuture<JsonNode> hold() {
      CompletableFuture<JsonNode> f = new CompletableFuture<>();
      held.add(f);
      return f;
    }

    void ask(int kind) {
      String method = new String[] {"ok", "unserved", "throws", "slow"}[kind];
      int n = asked.size();
      JsonNode id = n % 2 == 0 ? JSON.numberNode(n) : JSON.textNode("q" + n); // both kinds, unique
      List<StubConnection> to = peer.sendRequest(method, JSON.arrayNode(), id);
      if (to.size() > 1) {
        violations.add("I5: a request from the server went to " + to.size() + " connections");
      }
      if (!to.isEmpty()) {
        asked.add(new Asked(id, method, to.get(0)));
      }
    }

    void release(int index) {
      List<CompletableFuture<JsonNode>> open = held.stream().filter(f -> !f.isDone()).toList();
      if (!open.isEmpty()) {
        open.get(index % open.size()).complete(JSON.textNode("late"));
      }
    }

    /** I11 after every step: each answer belongs to a request asked, on its channel, once. */
    void checkServed(Cmd after) {
      Map<JsonNode, Integer> answersPerId = new HashMap<>();
      for (ScriptedRpcPeer.ClientAnswer a : peer.answers()) {
        Asked q = asked.stream().filter(k -> k.id().equals(a.id())).findFirst().orElse(null);
        assertThat(q)
            .as("I11 after %s: answer %s to a request that was asked", after, a)
            .isNotNull();
        assertThat(a.connection())
            .as("I11 after %s: %s answered on the channel that asked", after, q)
            .isSameAs(q.connection());
        assertThat(answersPerId.merge(a.id(), 1, Integer::sum))
            .as("I11 after %s: %s answered at most once", after, q)
            .isEqualTo(1);
      }
    }

    /**
     * I11 at the end, after the last slow handler's deadline: a request whose channel is still open
     * was answered exactly once; the others were answered once or dropped and counted.
     */
    void checkServedAtTheEnd() {
      Set<JsonNode> answered = new HashSet<>();
      peer.answers().forEach(a -> answered.add(a.id()));
      long unanswered = 0;
      for (Asked q : asked) {
        if (q.connection().isOpen()) {
          assertThat(answered).as("I11: %s on the live channel answered", q).contains(q.id());
        }
        unanswered += answered.contains(q.id()) ? 0 : 1;
      }
      var s = client.stats();
      assertThat(s.servedDropped())
          .as("I11: requests never answered = dropped and counted (%s asked)", asked.size())
          .isEqualTo(unanswered);
      assertThat(s.servedAnswers())
          .as("I11: answers written = received")
          .isEqualTo(answered.size());
    }

    StreamHandler handler(String stream, Set<Long> got, boolean throwing) {
      return new StreamHandler() {
        @Override
        public void onEvent(JsonNode event) {
          delivered(stream, got, event);
          if (throwing) {
            throw new IllegalStateException("handler bug");
          }
        }

        @Override
        public void onSubscriptionFailed(RpcException failure) {
          refusalsReported++;
        }
      };
    }

    Set<String> desired() {
      Set<String> d = new TreeSet<>();
      for (StreamSubscription s : subscriptions) {
        d.add(s.stream());
      }
      return d;
    }

    /** Runs on the context at the moment the event is delivered; records, never throws (R2). */
    void onLifecycle(LifecycleEvent e) {
      if (e instanceof LifecycleEvent.Reconnecting r
          && r.attempt() == 1
          && r.cause().kind() == Cause.Kind.HEARTBEAT_MISSED) {
        silentPeersDetected.incrementAndGet();
      }
      if (!(e instanceof LifecycleEvent.Connected || e instanceof LifecycleEvent.Reconnected)) {
        long left = client.stats().inFlight();
        if (left != 0) {
          violations.add(
              "I6 at " + e + ": " + left + " requests still in flight on a lost channel");
        }
        return;
      }
      ups++;
      upSinceNanos = clock.nanoTime();
      Set<String> expected = desired();
      boolean wantsRefused = expected.remove(REFUSED);
      Set<String> actual;
      try {
        actual = peer.subscriptions();
      } catch (IllegalStateException tooMany) {
        violations.add("I5 at " + e + ": " + tooMany.getMessage());
        return;
      }
      if (!actual.equals(expected)) {
        violations.add("I7 at " + e + ": peer has " + actual + ", desired " + expected);
      }
      checkTokensAtUp(e, expected);
      if (wantsRefused && refusalsReported == refusalsAtLastUp) {
        violations.add("I7 at " + e + ": refused resubscription of " + REFUSED + " not reported");
      }
      refusalsAtLastUp = refusalsReported;
    }

    void check(Cmd after) {
      checkDeliveries();
      assertThat(violations).as("after %s", after).isEmpty();
      checkServed(after);
      checkSilentPeerDetected(after);
      long unsettled = 0;
      for (Tracked t : requests) {
        unsettled += t.completions == 0 ? 1 : 0;
      }
      var s = client.stats();
      // Settled at most once, by the ledger's own count (a future completes once whatever the
      // ledger does): a request settled twice would be counted twice and break the sum.
      assertThat(s.settled() + s.inFlight() + s.waiting())
          .as(
              "I6 after %s: settled + in flight + waiting = requests made (%s by the test, %s"
                  + " internal)",
              after, requests.size(), internalIssued)
          .isEqualTo(requests.size() + internalIssued);
      assertThat(s.inFlight() - s.internalInFlight() + s.waiting())
          .as("I6: ledger + wait queue hold exactly the unsettled requests after %s", after)
          .isEqualTo(unsettled);
    }

    /** The heartbeat's promise: a silent peer does not leave the connection Connected for long. */
    void checkSilentPeerDetected(Cmd after) {
      if (silentSinceNanos < 0 || !(client.state() instanceof ConnectionState.Connected)) {
        return;
      }
      long silentWhileUp = clock.nanoTime() - Math.max(silentSinceNanos, upSinceNanos);
      assertThat(Duration.ofNanos(silentWhileUp))
          .as("after %s: the peer is silent and the connection still Connected", after)
          .isLessThanOrEqualTo(DETECTION_BOUND);
    }

    // -------------------------------------------------------------- events (every dialect)

    long serial;
    final List<Expected> expected = new ArrayList<>();
    final Map<StreamSubscription, Set<Long>> serialsOf = new HashMap<>();

    /** An event a handler must have received by the end of the step. */
    record Expected(StreamSubscription subscription, String stream, long serial) {}

    /**
     * Emits an event of {@code stream} carrying its stream and a serial. When the channel is quiet
     * (Connected, no subscription change or probe in flight) and the server holds {@code stream}
     * for it once, every handler of the stream must get it in this step.
     */
    void emitChecked(String stream) {
      long n = ++serial;
      boolean quiet =
          client.state() instanceof ConnectionState.Connected
              && client.stats().internalInFlight() == 0
              && heldOnceByServer(stream);
      peer.emit(stream, JSON.objectNode().put("s", stream).put("n", n));
      if (quiet) {
        for (StreamSubscription sub : subscriptions) {
          if (sub.stream().equals(stream)) {
            expected.add(new Expected(sub, stream, n));
          }
        }
      }
    }

    private boolean heldOnceByServer(String stream) {
      try {
        if (peerDialect != ScriptedRpcPeer.PeerDialect.PUBSUB) {
          return peer.subscriptions().contains(stream);
        }
        return Collections.frequency(peer.tokens().values(), stream) == 1;
      } catch (IllegalStateException moreThanOneConnection) {
        return false;
      }
    }

    /** A handler of {@code stream} got {@code event}: its stream's, and new to it. */
    void delivered(String stream, Set<Long> got, JsonNode event) {
      String of = event.path("s").asText();
      long n = event.path("n").asLong();
      if (!of.equals(stream)) {
        violations.add("event " + event + " of " + of + " reached a handler of " + stream);
      }
      if (!got.add(n)) {
        violations.add("event " + event + " delivered twice to a handler of " + stream);
      }
    }

    private void checkDeliveries() {
      for (Expected x : expected) {
        if (subscriptions.contains(x.subscription()) && !gotSerial(x)) {
          violations.add(
              "event " + x.serial() + " of " + x.stream() + " sent on a quiet channel never came");
        }
      }
      expected.clear();
    }

    private boolean gotSerial(Expected x) {
      return serialsOf.getOrDefault(x.subscription(), Set.of()).contains(x.serial());
    }

    // -------------------------------------------------------------- server-named subscriptions

    /** At Connected/Reconnected: the server holds one token per desired stream, no more. */
    void checkTokensAtUp(LifecycleEvent e, Set<String> expectedStreams) {
      if (peerDialect != ScriptedRpcPeer.PeerDialect.PUBSUB) {
        return;
      }
      List<String> byToken = new ArrayList<>(peer.tokens().values());
      Collections.sort(byToken);
      if (!byToken.equals(new ArrayList<>(expectedStreams))) {
        violations.add(
            "I7 at " + e + ": server tokens name " + byToken + ", desired " + expectedStreams);
      }
    }

    /** The server tags an event with a token not live on the open connection. */
    void staleEmit(StaleEmit st) {
      Set<String> live;
      try {
        live = peer.tokens().keySet();
      } catch (IllegalStateException moreThanOneConnection) {
        return;
      }
      List<String> stale = new ArrayList<>(peer.issuedTokenHistory());
      stale.removeAll(live);
      stale.add("0xdead");
      String token = stale.get(st.pick() % stale.size());
      peer.emitToken(token, JSON.objectNode().put("s", "stale " + token).put("n", ++serial));
    }
  }

  // ---------------------------------------------------------------- server-named subscriptions

  /** The server sends an event tagged with a token it does not hold (any more) on this channel. */
  record StaleEmit(int pick) implements Cmd {}

  /** {@link #generate}, with events tagged with stale or unknown tokens mixed in. */
  static List<Cmd> generatePubsub(SplittableRandom r) {
    List<Cmd> cmds = new ArrayList<>();
    for (Cmd c : generate(r)) {
      cmds.add(c);
      if (r.nextInt(100) < 8) {
        cmds.add(new StaleEmit(r.nextInt(1 << 16)));
      }
    }
    return cmds;
  }

  /**
   * Server-named subscriptions (pubsub): after every step, each delivered event belongs to the
   * stream whose current token tagged it, none is delivered twice, an event sent on a quiet channel
   * to a subscribed stream reaches each of its handlers, and events with stale or unknown tokens
   * reach nobody; at Connected/Reconnected the server holds exactly one token per desired stream.
   */
  @Test
  void pubsubRoutesByTheCurrentTokenAndRestoresSubscriptions() {
    Property.forAll(
        "rpc ledger and server-named subscriptions (pubsub)",
        RpcPropertyTest.class,
        SEEDS,
        RpcPropertyTest::generatePubsub,
        cmds ->
            new World(
                    ScriptedRpcPeer.PeerDialect.PUBSUB,
                    Dialect.pubsub(),
                    FailFast.AFTER_FAILED_ATTEMPT)
                .run(cmds));
  }

  /** A request the server sent, and the connection it went on. */
  record Asked(JsonNode id, String method, StubConnection connection) {}

  static final class Tracked {
    final String label;
    int completions;
    Throwable failure;
    boolean written; // the model saw a frame of it handed to a channel

    Tracked(String label) {
      this.label = label;
    }
  }
}
