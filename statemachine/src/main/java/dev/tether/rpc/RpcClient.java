package dev.tether.rpc;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tether.machine.Cause;
import dev.tether.machine.ConnectionState;
import dev.tether.machine.LifecycleEvent;
import dev.tether.rpc.Counters.C;
import dev.tether.rpc.Ledger.Pending;
import dev.tether.runtime.Connection;
import dev.tether.runtime.LifecycleListener;
import dev.tether.runtime.Subscription;
import dev.tether.runtime.spi.Channel;
import dev.tether.runtime.spi.Scheduler;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicReferenceFieldUpdater;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@link RpcConnection} implementation: request ledger, stream registry, handshake, heartbeat.
 * All state is confined to the connection's context; public methods hop onto it.
 *
 * <p>How I6 holds: the {@link Ledger} holds every unsettled request, and the lifecycle listener
 * fails (or queues for replay) everything in flight at the moment the machine reports the channel
 * lost (every loss emits Connecting, Reconnecting or a terminal event at once). How I7 holds: the
 * handshake completes only when every subscription request sent on the new channel has settled, and
 * the driver reports Connected/Reconnected only after the handshake.
 */
final class RpcClient implements RpcConnection {
  private static final Logger log = LoggerFactory.getLogger(RpcClient.class);

  private static final AtomicReferenceFieldUpdater<RpcClient, Pending> ARRIVED =
      AtomicReferenceFieldUpdater.newUpdater(RpcClient.class, Pending.class, "arrived");

  /** JSON-RPC's generic "server error" code, for a refusal a dialect read from a result. */
  static final int REFUSED_CODE = -32000;

  /** Immutable wiring, copied from the builder. */
  record Config(
      String name,
      Dialect dialect,
      Scheduler scheduler,
      Duration requestTimeout,
      boolean waitForReady,
      int waitCapacity,
      Heartbeat heartbeat,
      Dialect.RpcCall probe,
      int maxFrameBytes,
      int maxBacklogFrames,
      HandshakeHook hook,
      Envelope envelope,
      IdlessErrors idlessErrors) {}

  private final Config config;
  private final Scheduler scheduler;
  private final Codec codec;
  private final Counters counters = new Counters();
  private final Deadlines deadlines;
  private final Ledger ledger;
  private volatile Pending arrived; // requests issued off the context, newest first (see arrive)
  private Connection connection;

  // Confined to the context.
  private final Map<String, Stream> streams = new LinkedHashMap<>();
  private final Set<String> onServer = new HashSet<>();
  private final InboundGate inbound; // notifications held back while a PAUSE lane is full
  private Channel channel;
  private long channelGen;
  private long upEpoch;
  private Setup setup;
  private int subscriptionOps;
  private boolean terminal;
  private Scheduler.Cancellable heartbeatTimer;
  private int misses;
  private ServerTokens tokens; // server-named subscriptions: allocated at the first token

  RpcClient(Config config) {
    this.config = config;
    this.scheduler = config.scheduler();
    this.codec = new Codec(config.envelope());
    this.deadlines = new Deadlines(scheduler, this::expire);
    this.ledger = new Ledger(counters, deadlines, config.waitCapacity());
    this.inbound =
        new InboundGate(
            config.maxBacklogFrames(),
            () -> connection.pauseReading(),
            () -> connection.resumeReading());
  }

  void attach(Connection connection) {
    this.connection = connection;
    connection.subscribe(this::onLifecycle);
  }

  // ---------------------------------------------------------------- public API

  @Override
  public void start() {
    connection.start();
  }

  @Override
  public ConnectionState state() {
    return connection.state();
  }

  @Override
  public CompletionStage<JsonNode> request(String method, JsonNode params, RequestOptions options) {
    checkCall(method, params);
    Objects.requireNonNull(options, "options");
    Pending p =
        new Pending(
            method,
            false,
            options.idempotent(),
            options.waitForReady().orElse(config.waitForReady()),
            options.timeout().orElse(config.requestTimeout()),
            options.executor().orElse(null));
    encode(p, params, options.members()); // here, off the connection's context
    if (scheduler.inContext()) {
      issue(p);
    } else {
      arrive(p);
    }
    return p.future;
  }

  /**
   * Hands a request issued off the context to it. Requests that arrive while a hop is pending join
   * it: one task issues them all, in arrival order, instead of one task per request. They wait on a
   * lock-free stack linked through the requests themselves (nothing allocated per request); the
   * caller that finds it empty schedules the hop.
   */
  private void arrive(Pending p) {
    Pending top;
    do {
      top = arrived;
      p.nextArrived = top;
    } while (!ARRIVED.compareAndSet(this, top, p));
    if (top == null) { // otherwise the hop already scheduled takes this one too
      onContext(this::issueArrived, this::endArrived);
    }
  }

  private void issueArrived() {
    for (Pending q = takeArrived(); q != null; q = unlinkArrived(q)) {
      issue(q);
    }
  }

  private void endArrived() {
    for (Pending q = takeArrived(); q != null; q = unlinkArrived(q)) {
      endedBeforeIssue(q);
    }
  }

  /** Empties the stack; returns its requests oldest first, linked through nextArrived. */
  private Pending takeArrived() {
    Pending newestFirst = ARRIVED.getAndSet(this, null);
    Pending oldestFirst = null;
    while (newestFirst != null) {
      Pending next = newestFirst.nextArrived;
      newestFirst.nextArrived = oldestFirst;
      oldestFirst = newestFirst;
      newestFirst = next;
    }
    return oldestFirst;
  }

  /** Detaches {@code q} from the taken list; returns the next one. */
  private static Pending unlinkArrived(Pending q) {
    Pending next = q.nextArrived;
    q.nextArrived = null;
    return next;
  }

  @Override
  public StreamSubscription listen(String stream, StreamHandler handler, Delivery delivery) {
    Objects.requireNonNull(stream, "stream");
    Objects.requireNonNull(handler, "handler");
    Objects.requireNonNull(delivery, "delivery");
    if (stream.isEmpty()) {
      throw new IllegalArgumentException("stream must not be empty");
    }
    Sub sub = new Sub(stream, handler, delivery);
    onContext(() -> register(sub), () -> {});
    return sub;
  }

  @Override
  public Subscription subscribe(LifecycleListener listener) {
    return connection.subscribe(listener);
  }

  @Override
  public ConnectionStats stats() {
    return counters.snapshot();
  }

  @Override
  public Connection connection() {
    return connection;
  }

  @Override
  public void close(String reason) {
    connection.close(reason);
  }

  @Override
  public CompletionStage<ConnectionState> terminated() {
    return connection.terminated();
  }

  @Override
  public String toString() {
    return "RpcConnection[" + config.name() + ", " + config.dialect().name() + "]";
  }

  static void checkCall(String method, JsonNode params) {
    Objects.requireNonNull(method, "method");
    if (method.isEmpty()) {
      throw new IllegalArgumentException("method must not be empty");
    }
    if (params != null && !params.isObject() && !params.isArray()) {
      throw new IllegalArgumentException(
          "params must be an object, an array or null, was " + params.getNodeType());
    }
  }

  private void onContext(Runnable task, Runnable ifEnded) {
    if (scheduler.inContext()) {
      task.run();
      return;
    }
    try {
      scheduler.execute(task);
    } catch (RejectedExecutionException e) {
      // The connection's own thread stopped after termination: nothing can be sent any more.
      ifEnded.run();
    }
  }

  /** Encodes {@code p}'s method and params; a failure fails {@code p} when it is sent. */
  private Pending encode(Pending p, JsonNode params, Map<String, JsonNode> members) {
    try {
      p.body = codec.requestBody(p.method, params, members);
    } catch (JsonProcessingException | RuntimeException e) {
      p.unencodable = e;
    }
    return p;
  }

  private void endedBeforeIssue(Pending p) {
    counters.inc(C.CONNECTION_LOST);
    p.future.fail(
        new RpcException.ConnectionLost(
            "connection has ended; " + p.method + " was not sent", null));
  }

  // ---------------------------------------------------------------- requests

  private void issue(Pending p) {
    if (terminal) {
      settle(p, null, new RpcException.ConnectionLost("connection has ended", null));
      return;
    }
    if (upEpoch == 0 && !p.mayWait) {
      settle(
          p,
          null,
          new RpcException.NotConnected(
              "not connected (" + connection.state().label() + "); " + p.method + " was not sent"));
      return;
    }
    deadlines.arm(p);
    if (upEpoch != 0) {
      send(p);
    } else {
      enqueue(p);
    }
  }

  private void expire(Pending p) {
    settle(
        p,
        null,
        new RpcException.Timeout(
            p.method + " got no answer within " + p.timeout.toMillis() + " ms"));
  }

  private void enqueue(Pending p) {
    if (!ledger.enqueue(p)) {
      settle(
          p,
          null,
          new RpcException.Rejected(
              "wait-for-ready queue full (capacity " + config.waitCapacity() + ")"));
    }
  }

  /** Registers the slot, then writes. Every failure settles the slot (I6). */
  private void send(Pending p) {
    Channel ch = channel;
    if (ch == null) {
      settle(p, null, new RpcException.NotConnected("no channel; " + p.method + " was not sent"));
      return;
    }
    if (p.unencodable != null) {
      settle(
          p,
          null,
          new RpcException.SendFailed(
              "could not encode " + p.method + ": " + p.unencodable, p.unencodable));
      return;
    }
    long id = ledger.register(p);
    byte[] frame = codec.request(id, p.body);
    CompletionStage<Void> sent;
    try {
      sent = ch.send(frame);
    } catch (RuntimeException e) { // a throwing channel
      settle(p, null, new RpcException.SendFailed("could not send " + p.method + ": " + e, e));
      return;
    }
    counters.inc(C.FRAMES_OUT);
    counters.add(C.BYTES_OUT, frame.length);
    sent.whenComplete(
        (ok, err) -> {
          if (err != null) {
            onContext(() -> sendFailed(p, id, err), () -> {});
          }
        });
  }

  private void sendFailed(Pending p, long id, Throwable err) {
    if (p.id == id) { // not already replayed under a new id
      Throwable root =
          err instanceof CompletionException && err.getCause() != null ? err.getCause() : err;
      settle(
          p, null, new RpcException.SendFailed("could not send " + p.method + ": " + root, root));
    }
  }

  private void settle(Pending p, JsonNode result, RpcException failure) {
    ledger.settle(p, result, failure);
  }

  /** A request of the connection's own, sent on the current channel even during the handshake. */
  private Pending internal(Dialect.RpcCall call, Duration timeout) {
    Pending p =
        encode(new Pending(call.method(), true, false, false, timeout), call.params(), Map.of());
    deadlines.arm(p);
    return p;
  }

  /**
   * A request of the hook run for the channel of generation {@code gen}: it belongs to that attempt
   * (and, if it succeeds, to the epoch on the same channel). Once that channel is gone (timeout,
   * loss, close, a failed handshake: each resets the channel) the request fails with {@code
   * ConnectionLost} and is never written on a later channel, even if the hook makes it late from
   * another thread.
   */
  private CompletionStage<JsonNode> hookRequest(long gen, String method, JsonNode params) {
    checkCall(method, params);
    Pending p =
        encode(new Pending(method, true, false, false, config.requestTimeout()), params, Map.of());
    onContext(() -> issueForAttempt(gen, p), () -> endedBeforeIssue(p));
    return p.future;
  }

  private void issueForAttempt(long gen, Pending p) {
    if (gen != channelGen) { // every end of an attempt or of its channel resets the channel
      // Settled before arming: after termination the scheduler may refuse a timer.
      settle(
          p,
          null,
          new RpcException.ConnectionLost(
              "the handshake attempt that made " + p.method + " is over; it was not sent", null));
      return;
    }
    deadlines.arm(p);
    send(p);
  }

  // ---------------------------------------------------------------- lifecycle

  private void onLifecycle(LifecycleEvent e) {
    if (e instanceof LifecycleEvent.Connected c) {
      up(c.epoch());
    } else if (e instanceof LifecycleEvent.Reconnected r) {
      counters.inc(C.RECONNECTS);
      up(r.epoch());
    } else {
      channelGone(e);
    }
  }

  private void up(long epoch) {
    upEpoch = epoch;
    setup = null;
    misses = 0;
    startHeartbeat(epoch);
    Pending p;
    while (upEpoch == epoch && (p = ledger.pollWaiting()) != null) {
      if (p.replay) {
        counters.inc(C.REPLAYED);
      }
      send(p);
    }
  }

  /** The channel is gone (or there never was one): fail what was in flight, at once (I6). */
  private void channelGone(LifecycleEvent e) {
    Cause cause = causeOf(e);
    boolean end = e.isTerminal();
    String why =
        e instanceof LifecycleEvent.Closed closed
            ? "connection closed: " + closed.reason()
            : "channel lost: " + cause;
    resetChannel(null);
    terminal |= end;
    for (Pending p : ledger.inFlight()) {
      if (p.idempotent && !end && ledger.enqueue(p)) {
        p.replay = true; // sent again, under a new id, once connected
      } else {
        settle(p, null, new RpcException.ConnectionLost(why, cause));
      }
    }
    if (end) {
      dropUndelivered();
      for (Pending p : ledger.waiting()) {
        settle(p, null, new RpcException.ConnectionLost(why, cause));
      }
    }
  }

  /**
   * I4 at the end: no stream handler runs after the terminal event. Events still held back (parked)
   * or queued in lanes (whose executors may still hold a drain task) are dropped, counted and
   * logged once.
   */
  private void dropUndelivered() {
    int parked = inbound.clear();
    int[] queued = {0};
    streams.forEach(
        (name, stream) -> {
          for (Sub sub : stream.subs) {
            if (sub.lane != null) {
              queued[0] += sub.lane.close();
            }
          }
        });
    int dropped = parked + queued[0];
    if (dropped > 0) {
      counters.add(C.EVENTS_DROPPED, dropped);
      counters.add(C.EVENTS_DROPPED_AT_END, dropped);
      log.warn(
          "{}: connection ended with {} stream events undelivered ({} held back, {} queued);"
              + " dropped",
          config.name(),
          dropped,
          parked,
          queued[0]);
    }
  }

  private static Cause causeOf(LifecycleEvent e) {
    if (e instanceof LifecycleEvent.Reconnecting r) {
      return r.cause();
    }
    if (e instanceof LifecycleEvent.Connecting c) {
      return c.lastFailure().orElse(null);
    }
    if (e instanceof LifecycleEvent.PermanentlyDisconnected p) {
      return p.cause();
    }
    return null;
  }

  private void resetChannel(Channel next) {
    channel = next;
    channelGen++;
    upEpoch = 0;
    setup = null;
    onServer.clear();
    if (tokens != null) { // server-named subscriptions: tokens die with their channel
      tokens.reset(inbound.parked());
    }
    subscriptionOps = 0;
    // The backlog and paused lanes outlive the channel: those events were received; they wait for
    // their consumer like the next channel's events will.
    if (heartbeatTimer != null) {
      heartbeatTimer.cancel();
      heartbeatTimer = null;
    }
  }

  /** Makes the current channel count as lost; during the handshake, fails the handshake. */
  private void loseChannel(Cause cause) {
    if (upEpoch != 0) {
      connection.declareLost(upEpoch, cause);
    } else if (setup != null) {
      setup.fail(cause.toString());
    }
  }

  // ---------------------------------------------------------------- handshake (I7)

  /** The {@link dev.tether.runtime.Handshake} of the underlying connection. */
  CompletionStage<Void> handshake(Channel ch, long epoch) {
    resetChannel(ch);
    Setup s = new Setup(channelGen);
    setup = s;
    CompletionStage<Void> hook;
    try {
      hook =
          config.hook() == null
              ? CompletableFuture.completedFuture(null)
              : config.hook().run((method, params) -> hookRequest(s.gen, method, params), epoch);
    } catch (RuntimeException e) {
      s.fail("handshake hook threw: " + e);
      return s.done;
    }
    hook.whenComplete((ok, err) -> onContext(() -> hookFinished(s, err), () -> {}));
    return s.done;
  }

  private void hookFinished(Setup s, Throwable err) {
    if (s != setup) {
      return;
    }
    if (err != null) {
      s.fail("handshake hook failed: " + err);
      return;
    }
    s.hookDone = true;
    List<String> desired = new ArrayList<>(streams.size());
    streams.forEach((name, stream) -> desired.add(name)); // not keySet(): that view stays cached
    for (String stream : desired) {
      if (!onServer.contains(stream) && s == setup) {
        subscribeOnChannel(stream);
      }
    }
    maybeFinishSetup();
  }

  private void maybeFinishSetup() {
    Setup s = setup;
    if (s != null && s.hookDone && subscriptionOps == 0 && s.gen == channelGen) {
      s.done.complete(null);
    }
  }

  private void subscribeOnChannel(String stream) {
    onServer.add(stream);
    Optional<Dialect.RpcCall> call = config.dialect().subscribe(stream);
    if (call.isEmpty()) {
      return;
    }
    long gen = channelGen;
    subscriptionOps++;
    Pending p = internal(call.get(), config.requestTimeout());
    p.then = (result, err) -> subscribeSettled(gen, stream, result, err);
    send(p);
  }

  private void unsubscribeOnChannel(String stream) {
    onServer.remove(stream);
    // Server-named subscriptions: cancel by the current token; with none yet (the subscribe is in
    // flight) its result is cancelled when it comes (tokenGiven).
    String token = tokens == null ? null : tokens.remove(stream);
    cancelOnChannel(
        stream,
        token == null
            ? config.dialect().unsubscribe(stream)
            : config.dialect().unsubscribe(stream, token));
  }

  private void cancelOnChannel(String stream, Optional<Dialect.RpcCall> call) {
    if (call.isEmpty()) {
      return;
    }
    long gen = channelGen;
    subscriptionOps++;
    Pending p = internal(call.get(), config.requestTimeout());
    p.then =
        (result, err) -> {
          if (gen == channelGen) {
            subscriptionOps--;
            if (err != null) {
              log.warn(
                  "{}: cancelling stream {} failed: {}",
                  config.name(),
                  stream,
                  Codec.abbreviate(err));
            }
            maybeFinishSetup();
          }
        };
    send(p);
  }

  private void subscribeSettled(long gen, String stream, JsonNode result, Throwable err) {
    if (gen != channelGen) {
      return; // that channel is gone; the next one resubscribes from the desired set
    }
    subscriptionOps--;
    RpcException refusal = null;
    if (err == null) {
      refusal =
          config
              .dialect()
              .subscribeRefusal(stream, result)
              .map(why -> new RpcException.RemoteError(REFUSED_CODE, why, result))
              .orElse(null);
    } else if (err instanceof RpcException.RemoteError re) {
      refusal = config.dialect().alreadySubscribed(re) ? null : re;
    } else if (setup != null) {
      // Timeout or send failure on a fresh channel: the handshake cannot vouch for I7.
      setup.fail("subscribing " + stream + " failed: " + err.getMessage());
      return;
    } else {
      refusal =
          err instanceof RpcException re ? re : new RpcException.SendFailed(err.toString(), err);
    }
    if (refusal == null && err == null) {
      refusal = tokenGiven(stream, result); // server-named subscriptions: map the token
    }
    if (refusal != null) {
      subscriptionRefused(stream, refusal);
    }
    maybeFinishSetup();
  }

  /**
   * Server-named subscriptions ({@link Dialect#subscriptionToken}): maps the token an accepted
   * subscribe of {@code stream} got on the current channel. A token nobody wants any more (the
   * stream was cancelled while it was in flight, or a second subscribe of it answered too) is
   * cancelled at once; during a handshake that cancel is waited for like the subscriptions (I7).
   *
   * @return a refusal if the server handed out a token that is already live
   */
  private RpcException tokenGiven(String stream, JsonNode result) {
    Optional<String> token = config.dialect().subscriptionToken(stream, result);
    if (token.isEmpty()) {
      return null; // the dialect names streams itself
    }
    if (tokens == null) {
      tokens = new ServerTokens();
    }
    String t = token.get();
    String holder = tokens.streamOf(t);
    if (stream.equals(holder) || (holder != null && tokens.tokenOf(stream) != null)) {
      return null; // the same token again, or a reused one for a stream that has its own: ignore
    } else if (holder != null) {
      return new RpcException.RemoteError(
          REFUSED_CODE,
          "server answered token " + Codec.abbreviate(t) + ", already live for another stream",
          result);
    }
    if (!streams.containsKey(stream) || !onServer.contains(stream) || !tokens.map(stream, t)) {
      cancelOnChannel(stream, config.dialect().unsubscribe(stream, t));
    }
    return null;
  }

  private void subscriptionRefused(String stream, RpcException refusal) {
    onServer.remove(stream);
    counters.inc(C.RESUBSCRIBE_FAILURES);
    log.warn(
        "{}: subscribing stream {} failed: {}",
        config.name(),
        stream,
        Codec.abbreviate(refusal.getMessage())); // the message comes from the remote side
    Stream s = streams.get(stream);
    if (s == null) {
      return;
    }
    for (Sub sub : new ArrayList<>(s.subs)) {
      try {
        sub.handler.onSubscriptionFailed(refusal);
      } catch (RuntimeException e) {
        counters.inc(C.HANDLER_ERRORS);
        log.warn("{}: onSubscriptionFailed of stream {} threw", config.name(), stream, e);
      }
    }
  }

  // ---------------------------------------------------------------- streams

  private void register(Sub sub) {
    if (sub.cancelled || terminal) {
      return;
    }
    Stream s = streams.computeIfAbsent(sub.stream, Stream::new);
    s.subs.add(sub);
    if (s.subs.size() == 1 && channel != null && !onServer.contains(sub.stream)) {
      if (setup == null || setup.hookDone) {
        subscribeOnChannel(sub.stream);
      } // else: the handshake's round, after the hook, subscribes it
    }
  }

  private void unregister(Sub sub) {
    if (sub.lane != null) {
      sub.lane.close();
    }
    releasePause(sub);
    Stream s = streams.get(sub.stream);
    if (s == null || !s.subs.remove(sub) || !s.subs.isEmpty()) {
      return;
    }
    streams.remove(sub.stream);
    if (channel != null && onServer.contains(sub.stream)) {
      unsubscribeOnChannel(sub.stream);
    }
  }

  // ---------------------------------------------------------------- inbound frames

  /** The {@link dev.tether.runtime.FrameListener} of the underlying connection. */
  void onFrame(long epoch, byte[] frame) {
    if (epoch != upEpoch) {
      return; // defensive: the driver only delivers frames of the current channel
    }
    counters.inc(C.FRAMES_IN);
    counters.add(C.BYTES_IN, frame.length);
    if (frame.length > config.maxFrameBytes()) {
      counters.inc(C.OVERSIZED);
      log.warn(
          "{}: inbound frame of {} bytes exceeds maxFrameBytes {}",
          config.name(),
          frame.length,
          config.maxFrameBytes());
      loseChannel(
          Cause.of(
              Cause.Kind.FRAME_TOO_LARGE,
              "inbound frame of "
                  + frame.length
                  + " bytes exceeds maxFrameBytes "
                  + config.maxFrameBytes()));
      return;
    }
    handle(frame);
  }

  /**
   * Parks a notification while a PAUSE lane is full (reading stops at the gate's look-ahead). Past
   * the last-resort bound, reached only when the transport cannot pause, the notification is
   * dropped and the channel ends.
   */
  private void park(ObjectNode notification) {
    if (inbound.park(notification)) {
      return;
    }
    counters.inc(C.EVENTS_DROPPED);
    long n = counters.inc(C.BACKLOG_OVERFLOWS);
    log.warn(
        "{}: inbound backlog of {} frames full although reading was paused (the transport did not"
            + " pause?); dropping a notification and the channel ({} so far)",
        config.name(),
        inbound.maxParked(),
        n);
    loseChannel(
        Cause.of(
            Cause.Kind.PROTOCOL_ERROR,
            "inbound backlog exceeded "
                + inbound.maxParked()
                + " frames while a PAUSE subscription's queue stayed full"));
  }

  private void handle(byte[] frame) {
    Codec.Inbound in = codec.decode(frame);
    if (in instanceof Codec.Result r) {
      respond(r.id(), r.result(), null);
    } else if (in instanceof Codec.Failure e) {
      respond(e.id(), null, e.error());
    } else if (in instanceof Codec.Notification n) {
      if (inbound.holdsBack()) {
        park(n.frame()); // a PAUSE queue is full: events wait, in order; answers still flow
      } else {
        notification(n.frame());
      }
    } else if (in instanceof Codec.IdlessError e) {
      config.idlessErrors().report(e.error(), counters);
    } else if (in instanceof Codec.Invalid bad) {
      invalid(bad);
    }
  }

  private void respond(long id, JsonNode result, RpcException.RemoteError error) {
    Pending p = ledger.get(id);
    if (p == null) {
      // Unknown, late (after its timeout) or duplicate: nothing is waiting for it.
      long n = counters.inc(C.UNMATCHED);
      if (Counters.rarely(n)) {
        log.warn("{}: response for unknown request id {} ({} so far)", config.name(), id, n);
      }
      return;
    }
    settle(p, result, error);
  }

  private void invalid(Codec.Invalid bad) {
    C counter =
        switch (bad.problem()) {
          case UNMATCHED_RESPONSE -> C.UNMATCHED;
          case SERVER_REQUEST -> C.SERVER_REQUESTS;
          case MALFORMED -> C.MALFORMED;
        };
    long n = counters.inc(counter);
    if (Counters.rarely(n)) {
      log.warn("{}: ignored inbound frame ({} so far): {}", config.name(), n, bad.detail());
    }
  }

  private void notification(ObjectNode frame) {
    // Server-named subscriptions: a frame parked before a channel reset carries stale tokens.
    boolean lostChannel = tokens != null && tokens.fromLostChannel();
    Optional<Dialect.StreamEvent> event;
    try {
      event = config.dialect().streamEvent(frame);
    } catch (RuntimeException e) {
      long n = counters.inc(C.MALFORMED);
      if (Counters.rarely(n)) {
        log.warn("{}: dialect could not read a notification", config.name(), e);
      }
      return;
    }
    // Server-named subscriptions: a tagged event goes where its token maps on this channel.
    String name = event.isEmpty() ? null : event.get().stream();
    if (event.isPresent() && event.get().isTagged()) {
      name = lostChannel ? null : tokens == null ? null : tokens.streamOf(event.get().token());
      if (name == null) {
        unknownToken(event.get().token(), lostChannel);
        return;
      }
    }
    Stream s = name == null ? null : streams.get(name);
    if (s == null) {
      counters.inc(C.UNROUTED);
      return;
    }
    counters.inc(C.EVENTS_RECEIVED);
    JsonNode payload = event.get().payload();
    for (Sub sub : s.subs.size() == 1 ? s.subs : new ArrayList<>(s.subs)) {
      sub.deliver(payload);
    }
  }

  /** An event tagged with a token no subscription of this channel holds: counted, not delivered. */
  private void unknownToken(String token, boolean lostChannel) {
    long n = counters.inc(C.UNKNOWN_TOKENS);
    if (Counters.rarely(n)) {
      log.warn(
          "{}: dropped an event tagged with {} token {} ({} so far)",
          config.name(),
          lostChannel ? "the lost channel's" : "unknown",
          Codec.abbreviate(token),
          n);
    }
  }

  /** Tests only: notifications parked now. Call on the context. */
  int parkedForTest() {
    return inbound.parked();
  }

  /** A PAUSE lane got room (called on its executor): resume reading if nothing else is full. */
  private void laneHasRoom(Sub sub) {
    onContext(
        () -> {
          if (sub.pausing && !sub.lane.full()) {
            releasePause(sub);
          }
        },
        () -> {});
  }

  private void releasePause(Sub sub) {
    if (!sub.pausing) {
      return;
    }
    sub.pausing = false;
    inbound.laneHasRoom(this::notification);
  }

  // ---------------------------------------------------------------- heartbeat

  private void startHeartbeat(long epoch) {
    if (config.heartbeat() != null) {
      heartbeatTimer = scheduler.schedule(config.heartbeat().interval(), () -> probe(epoch));
    }
  }

  private void probe(long epoch) {
    if (upEpoch != epoch) {
      return;
    }
    Heartbeat hb = config.heartbeat();
    heartbeatTimer = scheduler.schedule(hb.interval(), () -> probe(epoch));
    Pending p = internal(config.probe(), hb.timeout());
    long pausesBefore = inbound.pauses();
    boolean pausedBefore = inbound.readingPaused();
    p.then =
        (r, err) -> {
          if (err instanceof RpcException.Timeout && heldReading(pausedBefore, pausesBefore)) {
            log.debug(
                "{}: heartbeat probe timed out while reading was held; no miss", config.name());
          } else {
            probeSettled(epoch, err);
          }
        };
    send(p);
  }

  /**
   * Whether this client held reading at some point since a probe was sent (R4: a slow {@code PAUSE}
   * consumer). The probe's answer may then sit unread behind the parked events, so its timeout says
   * nothing about the peer: it is neither a miss nor a proof of life. A slow consumer never costs
   * the connection.
   */
  private boolean heldReading(boolean pausedBefore, long pausesBefore) {
    return pausedBefore || inbound.readingPaused() || inbound.pauses() != pausesBefore;
  }

  /**
   * Only an answer, a result or a remote error, proves the peer alive (R5). A probe that timed out
   * or could not be sent ({@code SendFailed}, {@code NotConnected}) is a miss: a peer that stopped
   * reading makes writes fail, and counting that as life would keep a dead channel forever. A probe
   * lost with its channel is no miss, the next channel counts afresh, unless its write timed out.
   */
  private void probeSettled(long epoch, Throwable err) {
    if (err == null || err instanceof RpcException.RemoteError) {
      if (upEpoch == epoch) {
        misses = 0;
      }
      return;
    }
    if (err instanceof RpcException.ConnectionLost lost) {
      Cause why = lost.connectionCause();
      if (why != null && why.kind() == Cause.Kind.WRITE_TIMEOUT) {
        counters.inc(C.HEARTBEAT_MISSES); // the channel is already lost: nothing to declare
      }
      return;
    }
    if (upEpoch != epoch) {
      return;
    }
    counters.inc(C.HEARTBEAT_MISSES);
    if (++misses >= config.heartbeat().misses()) {
      connection.declareLost(
          epoch,
          Cause.of(
              Cause.Kind.HEARTBEAT_MISSED,
              misses
                  + " heartbeat probes in a row got no answer within "
                  + config.heartbeat().timeout().toMillis()
                  + " ms or could not be sent"));
    }
  }

  // ---------------------------------------------------------------- types

  /** One handshake on one channel. */
  private static final class Setup {
    final long gen;
    final CompletableFuture<Void> done = new CompletableFuture<>();
    boolean hookDone;

    Setup(long gen) {
      this.gen = gen;
    }

    void fail(String why) {
      done.completeExceptionally(new SetupFailed(why));
    }
  }

  /** Why a handshake failed; the driver turns its message into a {@code HANDSHAKE_FAILED} cause. */
  private static final class SetupFailed extends Exception {
    private static final long serialVersionUID = 1L;

    SetupFailed(String message) {
      super(message, null, false, false);
    }
  }

  /** A desired stream and its handlers. */
  private static final class Stream {
    final List<Sub> subs = new ArrayList<>(1);

    Stream(String name) {
      Objects.requireNonNull(name, "name");
    }
  }

  /** One handler's registration. */
  private final class Sub implements StreamSubscription {
    final String stream;
    final StreamHandler handler;
    final QueuedLane lane;
    volatile boolean cancelled;
    boolean pausing; // context-confined: this PAUSE lane is full and holds reading back

    Sub(String stream, StreamHandler handler, Delivery delivery) {
      this.stream = stream;
      this.handler = handler;
      this.lane =
          delivery.isQueued()
              ? new QueuedLane(
                  config.name() + " stream " + stream,
                  delivery,
                  handler,
                  counters,
                  () -> laneHasRoom(this))
              : null;
    }

    @Override
    public String stream() {
      return stream;
    }

    @Override
    public void cancel() {
      if (!cancelled) {
        cancelled = true;
        if (lane != null) {
          lane.close(); // at once: its executor must not hand out more, whatever the context does
        }
        onContext(() -> unregister(this), () -> {});
      }
    }

    void deliver(JsonNode payload) {
      if (cancelled || terminal) { // a handler may have ended the connection mid-delivery
        return;
      }
      if (lane != null) {
        lane.offer(payload);
        if (lane.full() && !pausing && lane.delivery().overflow() == Delivery.Overflow.PAUSE) {
          pausing = true;
          inbound.laneFull();
        }
        return;
      }
      try {
        handler.onEvent(payload);
      } catch (RuntimeException e) {
        long n = counters.inc(C.HANDLER_ERRORS);
        if (Counters.rarely(n)) {
          log.warn("{}: handler of stream {} threw ({} so far)", config.name(), stream, n, e);
        }
      }
    }
  }
}
