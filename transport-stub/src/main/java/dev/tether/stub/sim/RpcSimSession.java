package dev.tether.stub.sim;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.tether.machine.BackoffPolicy;
import dev.tether.machine.LifecycleEvent;
import dev.tether.rpc.Delivery;
import dev.tether.rpc.Heartbeat;
import dev.tether.rpc.RequestOptions;
import dev.tether.rpc.RpcConnection;
import dev.tether.rpc.RpcException;
import dev.tether.rpc.ServedMethod;
import dev.tether.rpc.StreamHandler;
import dev.tether.rpc.StreamSubscription;
import dev.tether.runtime.spi.ChannelListener;
import dev.tether.runtime.spi.Scheduler;
import dev.tether.runtime.spi.Transport;
import dev.tether.stub.StubConnection;
import dev.tether.stub.rpc.PeerError;
import dev.tether.stub.rpc.ScriptedRpcPeer;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;

/**
 * The RPC half of a simulated session ({@link RpcTraffic}): an {@code RpcConnection} against a
 * {@link ScriptedRpcPeer} on the session's endpoint, the simulated application that drives it, and
 * the books the {@link RpcOracles} read. Every traffic step ends with the session's checks.
 *
 * <p>Not thread-safe; used from the simulation's thread.
 */
final class RpcSimSession implements RpcSessionView {
  private static final JsonNodeFactory JSON = JsonNodeFactory.instance;

  /** Deadline of the application's requests; the slow method answers after it. */
  static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(5);

  /** How late the server answers the slow method: past {@link #REQUEST_TIMEOUT}. */
  static final Duration SLOW_ANSWER = Duration.ofSeconds(8);

  /** How long subscription and handshake answers take, so faults land mid-handshake. */
  static final Duration SETUP_DELAY = Duration.ofMillis(40);

  /** Deadline of the client's slow served method; some of its answers come after it. */
  static final Duration SERVE_TIMEOUT = Duration.ofSeconds(3);

  /** Write timeout of the RPC sessions: a stalled write ends the channel this soon (R5). */
  static final Duration WRITE_TIMEOUT = Duration.ofSeconds(10);

  /** Deadline of the requests a write stall bursts: they outlive {@link #WRITE_TIMEOUT}. */
  static final Duration STALLED_REQUEST_TIMEOUT = Duration.ofSeconds(30);

  /** Slack on top of the write timeout before R5 calls a stalled channel still open a violation. */
  static final Duration WRITE_TIMEOUT_SLACK = Duration.ofSeconds(2);

  /** Each queued listener's capacity: small, so a slow consumer fills it within a second. */
  static final int QUEUE_CAPACITY = 8;

  /** The client's last-resort backlog bound; it stops reading at half of it (the look-ahead). */
  static final int MAX_BACKLOG_FRAMES = 64;

  /** Requests from the server in progress at once; a flood passes it and is answered overloaded. */
  static final int MAX_SERVED_IN_PROGRESS = 16;

  /** Events the server pushes per stream per second while a slow-consumer window is open. */
  static final int PUSH_BURST = 8;

  /** What marks a stream event's payload, so reads are counted without parsing (R4's books). */
  private static final byte[] EVENT_MARK = {'"', 'e', 'v', '"', ':'};

  private static final Map<RpcException.Kind, String> OUTCOMES = outcomes();

  private final SimSession session;
  private final Run run;
  private final RpcTraffic traffic;
  private final SplittableRandom random;
  final ScriptedRpcPeer peer;
  final ScriptedRpcPeer.PeerDialect peerDialect;
  final RpcConnection client;
  private final List<String> streams = new ArrayList<>();
  private final Map<String, StreamSubscription> listening = new TreeMap<>();
  private final Executor consumer = this::consumerTask;
  private final List<Long> slowConsumers = new ArrayList<>();
  private final Map<String, StubConnection> asked = new HashMap<>();
  // The application's tick timers: requests, events, server requests, toggles (null: part off).
  private final Scheduler.Cancellable[] timers = new Scheduler.Cancellable[4];
  private final Map<String, String> problems = new HashMap<>();
  private Scheduler.Cancellable flooder;
  private Scheduler.Cancellable pusher;
  private long floodPerSecond;
  private long made;
  private long unsettled;
  private long settledTwice;
  // Settlements by outcome (the trace's names), for the report's request counts.
  private final Map<String, Long> outcomeCounts = new TreeMap<>();
  private long serial;
  private long eventsRead;
  private long eventsHandled;
  private long refusals;
  private long serverAsked;
  private long serverAnswered;
  private boolean ended;
  private final Heartbeat heartbeat; // null: the traffic runs none
  private long slowConsumerEndedNanos; // when the last slow-consumer window ended

  RpcSimSession(
      SimSession session,
      RpcTraffic traffic,
      BackoffPolicy policy,
      SplittableRandom random,
      Scheduler scheduler,
      Transport transport) {
    this.session = session;
    this.run = session.run;
    this.traffic = traffic;
    this.random = random;
    int index = session.index;
    this.peerDialect = traffic.peerDialect(index);
    this.peer = ScriptedRpcPeer.attach(session.endpoint, run.clock, peerDialect);
    scriptPeer();
    for (int i = 0; i < traffic.streams(); i++) {
      streams.add("s" + i);
    }
    var b =
        RpcConnection.builder()
            .transport(traffic.transport(counting(transport)))
            .endpoint(session.endpoint.uri())
            .scheduler(scheduler)
            .policy(policy)
            .random(random.split())
            .name("s" + index)
            .dialect(traffic.dialect(index))
            .envelope(traffic.envelope(index))
            .requestTimeout(REQUEST_TIMEOUT)
            .writeTimeout(WRITE_TIMEOUT)
            .maxBacklogFrames(MAX_BACKLOG_FRAMES)
            .maxServedInProgress(MAX_SERVED_IN_PROGRESS)
            .serve("ok", ServedMethod.sync(p -> JSON.textNode("ok")))
            .serve(
                "throws",
                ServedMethod.sync(
                    p -> {
                      throw new IllegalStateException("served handler bug (simulated)");
                    }))
            .serve("slow", SERVE_TIMEOUT, p -> slowAnswer());
    this.heartbeat = traffic.heartbeat() ? Heartbeat.defaults().withProbe("ping") : null;
    if (heartbeat != null) {
      b.heartbeat(heartbeat);
    }
    if (traffic.handshake()) {
      b.handshakeHook((caller, epoch) -> caller.request("hello", null).thenApply(v -> null));
    }
    this.client = b.build();
    client.subscribe(this::lifecycle);
  }

  private void scriptPeer() {
    peer.keepAnswers(false).onAnswer(this::answered).refuse(RpcTraffic.REFUSED_STREAM);
    peer.handle("echo", p -> p)
        .handle("slow", p -> p)
        .delay("slow", SLOW_ANSWER)
        .handle("ping", p -> JSON.booleanNode(true))
        .handle("hello", p -> JSON.objectNode().put("major", 3))
        .handle(
            "boom",
            p -> {
              throw new PeerError(7, "boom (simulated)", null);
            });
    for (String m :
        List.of(
            "hello",
            "streamListen",
            "streamCancel",
            "rpc.on",
            "rpc.off",
            "eth_subscribe",
            "eth_unsubscribe")) {
      peer.delay(m, SETUP_DELAY);
    }
  }

  /** Starts the connection and the application's traffic (the parts that are on). */
  void start() {
    if (traffic.has(RpcTraffic.Part.SUBSCRIPTIONS)) {
      for (String s : streams) {
        listen(s);
      }
      listen(RpcTraffic.REFUSED_STREAM);
    }
    client.start();
    if (traffic.has(RpcTraffic.Part.REQUESTS)) {
      timers[0] = run.clock.schedule(gap(traffic.requestPeriod()), this::requestTick);
    }
    if (traffic.has(RpcTraffic.Part.EVENTS)) {
      timers[1] = run.clock.schedule(traffic.eventPeriod(), this::eventTick);
    }
    if (traffic.has(RpcTraffic.Part.SERVER_REQUESTS)) {
      timers[2] = run.clock.schedule(gap(traffic.serverRequestPeriod()), this::askTick);
    }
    if (traffic.has(RpcTraffic.Part.SUBSCRIPTIONS) && traffic.has(RpcTraffic.Part.TOGGLE)) {
      timers[3] = run.clock.schedule(traffic.togglePeriod(), this::toggleTick);
    }
  }

  // ------------------------------------------------------------------ the application

  private void requestTick() {
    reschedule(0, gap(traffic.requestPeriod()), this::requestTick);
    int kind = random.nextInt(10);
    RequestOptions o = RequestOptions.defaults();
    String method = "echo";
    if (kind == 6 && traffic.has(RpcTraffic.Part.SLOW_REQUESTS)) {
      method = "slow";
    } else if (kind == 7 && traffic.has(RpcTraffic.Part.REMOTE_ERRORS)) {
      method = "boom";
    } else if (kind == 8 && traffic.has(RpcTraffic.Part.IDEMPOTENT)) {
      o = o.idempotent(true);
    } else if (kind == 9 && traffic.has(RpcTraffic.Part.WAIT_FOR_READY)) {
      o = o.waitForReady(true);
    }
    request(method, o);
    session.check();
  }

  /** Makes one request and books its settlement (I6). */
  private void request(String method, RequestOptions options) {
    long n = ++made;
    unsettled++;
    boolean[] done = {false};
    var unused =
        client
            .request(method, JSON.arrayNode().add(n), traffic.options(options))
            .whenComplete(
                (v, e) -> {
                  if (done[0]) {
                    settledTwice++;
                  } else {
                    done[0] = true;
                    unsettled--;
                  }
                  String outcome = outcome(e);
                  run.trace.record(run.clock.nanoTime(), session.index, outcome, n, 0);
                  if (session.timeline != null) { // counted only where a report shows them
                    outcomeCounts.merge(outcome.substring("rpc-".length()), 1L, Long::sum);
                  }
                  session.check();
                });
  }

  private void eventTick() {
    reschedule(1, traffic.eventPeriod(), this::eventTick);
    for (String s : streams) {
      emit(s);
    }
    emitToggled();
    session.check();
  }

  private void emit(String stream) {
    peer.emit(stream, JSON.objectNode().put("ev", ++serial).put("s", stream));
  }

  /** The server sends the toggled stream only while the application listens to it. */
  private void emitToggled() {
    if (listening.containsKey(RpcTraffic.TOGGLED_STREAM)) {
      emit(RpcTraffic.TOGGLED_STREAM);
    }
  }

  private void toggleTick() {
    reschedule(3, traffic.togglePeriod(), this::toggleTick);
    StreamSubscription sub = listening.remove(RpcTraffic.TOGGLED_STREAM);
    if (sub == null) {
      listen(RpcTraffic.TOGGLED_STREAM);
    } else {
      sub.cancel();
    }
    session.check();
  }

  /**
   * Listens to {@code stream}: the served streams but the first through a queue that pauses reading
   * when full (R4), the others directly. The toggled stream is direct because a cancelled queued
   * listener discards what its queue holds without counting it, which R4's books could not tell
   * from events held.
   */
  private void listen(String stream) {
    boolean direct = !queued(stream);
    Delivery d =
        direct
            ? Delivery.direct()
            : Delivery.queued(consumer, QUEUE_CAPACITY, Delivery.Overflow.PAUSE);
    listening.put(stream, client.listen(stream, handler(stream), d));
  }

  private StreamHandler handler(String stream) {
    long[] last = {0};
    return new StreamHandler() {
      @Override
      public void onEvent(JsonNode event) {
        eventsHandled++;
        long n = event.path("ev").asLong();
        if (!stream.equals(event.path("s").asText())) {
          problem("I7", "event " + event + " reached a handler of " + stream);
        } else if (n <= last[0]) {
          problem("I7", "a handler of " + stream + " got event " + n + " after " + last[0]);
        }
        last[0] = n;
        session.check();
      }

      @Override
      public void onSubscriptionFailed(RpcException failure) {
        refusals++;
        run.trace.record(run.clock.nanoTime(), session.index, "rpc-refused", refusals, 0);
      }
    };
  }

  /** The slow consumer's executor: a drain runs at once, or a while later when it is slow. */
  private void consumerTask(Runnable task) {
    long slowest = 0;
    for (long l : slowConsumers) {
      slowest = Math.max(slowest, l);
    }
    if (slowest == 0) {
      run.clock.execute(task);
    } else {
      run.clock.schedule(Duration.ofMillis(slowest), task);
    }
  }

  private CompletionStage<JsonNode> slowAnswer() {
    CompletableFuture<JsonNode> f = new CompletableFuture<>();
    run.clock.schedule(
        Duration.ofMillis(random.nextLong(500, 6_000)), () -> f.complete(JSON.textNode("late")));
    return f;
  }

  // ------------------------------------------------------------------ the server asks

  private static final String[] ASKED = {"ok", "unserved", "throws", "slow"};

  private void askTick() {
    reschedule(2, gap(traffic.serverRequestPeriod()), this::askTick);
    ask(ASKED[random.nextInt(ASKED.length)]);
    session.check();
  }

  private void ask(String method) {
    long n = ++serverAsked;
    JsonNode id = n % 2 == 0 ? JSON.numberNode(n) : JSON.textNode("q" + n);
    List<StubConnection> to = peer.sendRequest(method, JSON.arrayNode(), id);
    if (to.size() > 1) {
      problem("I11", "a request from the server went to " + to.size() + " connections");
    } else if (!to.isEmpty()) {
      asked.put(id.toString(), to.get(0));
    }
    if (asked.size() > 4 * MAX_SERVED_IN_PROGRESS + 1_000) {
      asked.values().removeIf(c -> !c.isOpen()); // lost with their channel: never answered
    }
  }

  /** I11, as each answer arrives: to a request asked, on the channel that asked, once. */
  private void answered(ScriptedRpcPeer.ClientAnswer a) {
    serverAnswered++;
    StubConnection on = asked.remove(a.id().toString());
    if (on == null) {
      problem("I11", "answer " + a.frame() + " to a request never asked, or answered twice");
    } else if (on != a.connection()) {
      problem("I11", "answer " + a.frame() + " came on another channel than its request");
    }
    run.trace.record(run.clock.nanoTime(), session.index, "rpc-answer", a.errorCode(), 0);
    session.check();
  }

  // ------------------------------------------------------------------ faults

  void floodOn(long perSecond) {
    floodPerSecond = Math.max(floodPerSecond, perSecond);
    if (flooder == null) {
      flooder = run.clock.schedule(Duration.ZERO, this::floodTick);
    }
  }

  void floodOff() {
    floodPerSecond = 0;
    if (flooder != null) {
      flooder.cancel();
      flooder = null;
    }
  }

  private void floodTick() {
    flooder = ended ? null : run.clock.schedule(Duration.ofSeconds(1), this::floodTick);
    for (long i = 0; i < floodPerSecond; i++) {
      ask(i % 8 == 7 ? "slow" : "ok");
    }
    session.check();
  }

  /** The server stops reading the open channel and the application bursts requests (R5, I6). */
  void writeStallOn(long requests) {
    List<StubConnection> stalled = new ArrayList<>();
    for (StubConnection c : session.endpoint.connections()) {
      c.stopServerReading();
      stalled.add(c);
    }
    for (long i = 0; i < requests; i++) {
      // Deadlines past the write timeout, every fourth idempotent: replayed on the next channel
      // once the write timeout ends this one.
      request(
          "echo",
          RequestOptions.defaults().timeout(STALLED_REQUEST_TIMEOUT).idempotent(i % 4 == 0));
    }
    run.clock.schedule(WRITE_TIMEOUT.plus(WRITE_TIMEOUT_SLACK), () -> stallEnded(stalled));
    session.check();
  }

  /** R5: a stalled channel with writes that never drained is gone by the write timeout. */
  private void stallEnded(List<StubConnection> stalled) {
    for (StubConnection c : stalled) {
      if (c.isOpen() && c.unread(StubConnection.Side.SERVER) > StubConnection.WRITE_BUFFER_FRAMES) {
        problem(
            "R5",
            "a channel with "
                + c.unread(StubConnection.Side.SERVER)
                + " undrained frames is still open past the write timeout "
                + WRITE_TIMEOUT);
      }
    }
    session.check();
  }

  void slowConsumerOn(long perFrameMillis) {
    slowConsumers.add(perFrameMillis);
    if (pusher == null) {
      pusher = run.clock.schedule(Duration.ZERO, this::pushTick);
    }
  }

  void slowConsumerOff(long perFrameMillis) {
    slowConsumers.remove(Long.valueOf(perFrameMillis));
    slowConsumerEndedNanos = run.clock.nanoTime();
    if (slowConsumers.isEmpty() && pusher != null) {
      pusher.cancel();
      pusher = null;
    }
  }

  /** The server pushes events of the queued streams while its socket buffer has room. */
  private void pushTick() {
    pusher = ended ? null : run.clock.schedule(Duration.ofSeconds(1), this::pushTick);
    for (StubConnection c : session.endpoint.connections()) {
      if (c.unread(StubConnection.Side.CLIENT) >= StubConnection.WRITE_BUFFER_FRAMES) {
        run.writesBlocked++;
        return;
      }
    }
    for (int i = 0; i < PUSH_BURST; i++) {
      for (int s = 1; s < streams.size(); s++) {
        emit(streams.get(s));
      }
    }
    session.check();
  }

  // ------------------------------------------------------------------ half-open detection

  /**
   * How long the session's heartbeat may leave a half-open channel unnoticed: a probe goes out
   * within an interval, and {@code misses} probes in a row time out, the last {@code misses}
   * intervals plus a timeout after the channel went silent at the latest. Empty without a
   * heartbeat: then nothing can notice.
   */
  Optional<Duration> halfOpenDetectionBound() {
    return heartbeat == null
        ? Optional.empty()
        : Optional.of(
            heartbeat.interval().multipliedBy(heartbeat.misses()).plus(heartbeat.timeout()));
  }

  /**
   * When the heartbeat's bound starts for a channel silenced at {@code silencedAtNanos}: then, or
   * when the slow consumer last let go of reading, if later (a probe that times out while reading
   * is held is no miss: its answer may sit unread behind the held events, R4).
   */
  long detectableSinceNanos(long silencedAtNanos) {
    return slowConsumers.isEmpty()
        ? Math.max(silencedAtNanos, slowConsumerEndedNanos)
        : run.clock.nanoTime();
  }

  // ------------------------------------------------------------------ lifecycle

  /** At the end the application stops: no timer of its outlives the connection (I4). */
  private void lifecycle(LifecycleEvent e) {
    if (!e.isTerminal()) {
      return;
    }
    ended = true;
    for (Scheduler.Cancellable t : timers) {
      if (t != null) {
        t.cancel();
      }
    }
    floodOff();
    if (pusher != null) {
      pusher.cancel();
      pusher = null;
    }
  }

  private void reschedule(int slot, Duration delay, Runnable task) {
    if (!ended) {
      timers[slot] = run.clock.schedule(delay, task);
    }
  }

  /** An exponential gap of mean {@code mean}, at least 1 ms. */
  private Duration gap(Duration mean) {
    double g = -Math.log(1.0 - random.nextDouble()) * mean.toMillis();
    return Duration.ofMillis(1 + (long) Math.min(g, 1e12));
  }

  private void problem(String invariant, String message) {
    problems.putIfAbsent(invariant, message);
  }

  // ------------------------------------------------------------------ R4's books

  private Transport counting(Transport inner) {
    return (URI uri, ChannelListener listener) -> inner.open(uri, new Counting(listener));
  }

  /** Counts the stream events the client reads, at the transport's edge. */
  private final class Counting implements ChannelListener {
    private final ChannelListener inner;

    Counting(ChannelListener inner) {
      this.inner = inner;
    }

    @Override
    public void onFrame(byte[] frame) {
      if (contains(frame, EVENT_MARK)) {
        eventsRead++;
      }
      inner.onFrame(frame);
      session.check();
    }

    @Override
    public void onWritabilityChanged(boolean writable) {
      inner.onWritabilityChanged(writable);
    }

    @Override
    public void onClosed(dev.tether.machine.Cause cause) {
      inner.onClosed(cause);
    }
  }

  static boolean contains(byte[] frame, byte[] mark) {
    outer:
    for (int i = 0; i <= frame.length - mark.length; i++) {
      for (int j = 0; j < mark.length; j++) {
        if (frame[i + j] != mark[j]) {
          continue outer;
        }
      }
      return true;
    }
    return false;
  }

  private static Map<RpcException.Kind, String> outcomes() {
    Map<RpcException.Kind, String> out = new EnumMap<>(RpcException.Kind.class);
    for (RpcException.Kind k : RpcException.Kind.values()) {
      out.put(k, "rpc-" + k.name().toLowerCase(Locale.ROOT));
    }
    return out;
  }

  /** The trace's name for a settlement: {@code rpc-ok}, {@code rpc-timeout}, …. */
  private static String outcome(Throwable e) {
    Throwable c = e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
    if (c == null) {
      return "rpc-ok";
    }
    return c instanceof RpcException r ? OUTCOMES.get(r.kind()) : "rpc-other";
  }

  /**
   * The session's requests by outcome ({@code ok} first, then the failures by name), counted only
   * when the session keeps a timeline.
   */
  Map<String, Long> requestOutcomes() {
    Map<String, Long> out = new LinkedHashMap<>();
    Long ok = outcomeCounts.get("ok");
    if (ok != null) {
      out.put("ok", ok);
    }
    outcomeCounts.forEach(out::putIfAbsent);
    return out;
  }

  // ------------------------------------------------------------------ RpcSessionView

  @Override
  public RpcConnection client() {
    return client;
  }

  @Override
  public long requestsMade() {
    return made;
  }

  @Override
  public long requestsUnsettled() {
    return unsettled;
  }

  @Override
  public long requestsSettledTwice() {
    return settledTwice;
  }

  @Override
  public Set<String> desiredStreams() {
    return listening.keySet();
  }

  @Override
  public Set<String> refusedStreams() {
    return Set.of(RpcTraffic.REFUSED_STREAM);
  }

  @Override
  public Set<String> serverStreams() {
    if (peerDialect == ScriptedRpcPeer.PeerDialect.PLAIN || session.endpoint.openCount() != 1) {
      return null;
    }
    if (peerDialect == ScriptedRpcPeer.PeerDialect.PUBSUB) {
      return new TreeSet<>(peer.tokens().values());
    }
    return peer.subscriptions();
  }

  @Override
  public int serverTokensHeldTwice() {
    if (peerDialect != ScriptedRpcPeer.PeerDialect.PUBSUB || session.endpoint.openCount() != 1) {
      return 0;
    }
    Map<String, String> tokens = peer.tokens();
    return tokens.size() - new TreeSet<>(tokens.values()).size();
  }

  @Override
  public long refusalsReported() {
    return refusals;
  }

  @Override
  public long eventsHeld() {
    long unhandled = eventsRead - eventsHandled;
    if (unhandled <= 0 || unhandled <= maxEventsHeld()) {
      return unhandled; // the fast path: no need to ask the client what it dropped
    }
    var s = client.stats();
    return unhandled - s.eventsDropped() - s.unroutedNotifications() - s.unknownTokenEvents();
  }

  @Override
  public String eventBooks() {
    var st = client.stats();
    return "read "
        + eventsRead
        + ", handled "
        + eventsHandled
        + ", dropped "
        + st.eventsDropped()
        + ", unrouted "
        + st.unroutedNotifications()
        + ", unknown tokens "
        + st.unknownTokenEvents()
        + ", listening "
        + listening.keySet();
  }

  @Override
  public long maxEventsHeld() {
    int queued = Math.max(0, streams.size() - 1);
    // A lane's drain holds the event it took while the gate refills the lane: capacity + 1.
    return (long) queued * (QUEUE_CAPACITY + 1) + MAX_BACKLOG_FRAMES / 2;
  }

  private boolean queued(String stream) {
    return !stream.equals("s0") && streams.contains(stream);
  }

  @Override
  public String problem(String invariant) {
    return problems.isEmpty() ? null : problems.get(invariant);
  }

  @Override
  public long serverRequestsSent() {
    return serverAsked;
  }

  @Override
  public long serverRequestsAnswered() {
    return serverAnswered;
  }
}
