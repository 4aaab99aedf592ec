package dev.tether.stub.sim;

import dev.tether.machine.BackoffPolicy;
import dev.tether.machine.Cause;
import dev.tether.machine.ConnectionState;
import dev.tether.machine.LifecycleEvent;
import dev.tether.runtime.Connection;
import dev.tether.runtime.ConnectionBuilder;
import dev.tether.runtime.FailureClassifier;
import dev.tether.runtime.spi.Channel;
import dev.tether.runtime.spi.ChannelListener;
import dev.tether.runtime.spi.EndpointResolver;
import dev.tether.runtime.spi.Scheduler;
import dev.tether.stub.Latency;
import dev.tether.stub.StubConnection;
import dev.tether.stub.StubEndpoint;
import java.net.URI;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/** One simulated connection, its server, its link faults and what its subscriber saw. */
final class SimSession implements SessionView {
  /** How many recent trace entries a violation report shows. */
  static final int RECENT = 16;

  /** Normal link latency bounds: a LAN to a distant region. */
  static final Duration MIN_LATENCY = Duration.ofMillis(1);

  static final Duration MAX_LATENCY = Duration.ofMillis(50);

  /** How often the simulated writer sends while a slow-reader window is open. */
  static final Duration WRITE_PERIOD = Duration.ofSeconds(1);

  /**
   * Frames the writer tries to send per period: more than the fastest slow reader drains (one per
   * 200 ms), so the buffer fills and the writer meets backpressure.
   */
  static final int WRITE_BURST = 8;

  /**
   * Frames the simulated client's consumer may hold before the client stops reading (R4): small, so
   * a slow-consumer window reaches it within seconds and the pause is exercised.
   */
  static final int MAX_FRAMES_HELD = 16;

  /**
   * Frames the simulated server pushes per period while a slow-consumer window is open, as long as
   * fewer than {@link StubConnection#WRITE_BUFFER_FRAMES} wait unread (its socket buffer).
   */
  static final int PUSH_BURST = 8;

  /**
   * How long a server that moved away still holds a connection it accepted as it left (an open
   * already under way when it moved): a moment, then the connection drops.
   */
  static final Duration MOVED_AWAY_LINGER = Duration.ofMillis(1);

  final Run run;
  final int index;
  final BackoffPolicy policy;
  StubEndpoint endpoint; // the server's current address; earlier ones in addresses
  private final List<StubEndpoint> addresses = new ArrayList<>(1);
  private URI advertised; // what the session's discovery service (its resolver) answers
  final Connection connection;
  final List<Timeline.Segment> timeline;
  final TimerLedger timers;
  final RpcSimSession rpc; // null for a bare connection session
  private final Latency baseLatency;
  private final List<Long> slowLatencies = new ArrayList<>();
  private final List<Long> slowReaders = new ArrayList<>();
  private final List<Long> crashLoops = new ArrayList<>();
  private Scheduler.Cancellable writer;
  private Channel writing;
  private long nextSeq;
  private StubConnection reading;
  private long expectedSeq;
  private long slowReaderFrames;
  private final List<Long> slowConsumers = new ArrayList<>();
  private final ArrayDeque<long[]> held = new ArrayDeque<>(); // {connection, seq} not yet handled
  private Scheduler.Cancellable pusher;
  private Scheduler.Cancellable consumer;
  private StubConnection pushing;
  private long pushConnection;
  private long pushSeq;
  private long handledConnection = -1;
  private long handledSeq;
  private boolean readingPaused;
  private long readPauses;
  private int down;
  private int hang;
  private int reject;
  private LifecycleEvent lastEvent;
  private int terminalEvents;
  private long lastAttemptNanos;
  private final Object[] recent = new Object[RECENT];
  private final long[] recentNanos = new long[RECENT];
  private int recentCount;
  private AttemptStart lastAttemptStart;
  private long attemptStarts;
  private long reconnectNowNanos = -1;
  private long emits; // events the connection emitted
  private long lateAnswered; // opens answered after the client abandoned them
  long lateAcceptsClosed; // of those, accepted and closed by the client at once
  private String lateAcceptLeak; // what the first badly handled late accept left behind
  private StubConnection silenced;
  private long silencedAtNanos;
  private LinkWatch latest; // the most recent open's: the attempt the client is making, if any
  private Late lateCallback; // the late callback the connection is handling now, or null
  private String lateCallbackEffect; // what the first late callback did for the user, or null

  SimSession(Run run, int index, BackoffPolicy policy, SplittableRandom random) {
    this.run = run;
    this.index = index;
    this.policy = policy;
    this.endpoint = run.network.endpoint("sim://s" + index);
    this.addresses.add(endpoint);
    this.advertised = endpoint.uri();
    this.baseLatency = Latency.uniform(MIN_LATENCY, MAX_LATENCY, random.split());
    endpoint.latency(baseLatency);
    endpoint.onFrame(this::serverRead);
    this.timeline = index < run.sim.timelines ? new ArrayList<>() : null;
    this.timers = new TimerLedger(run.clock);
    RpcTraffic traffic = run.traffic;
    if (traffic != null && traffic.isRpc(index)) {
      this.rpc = new RpcSimSession(this, traffic, policy, random.split(), timers, this::open);
      this.connection = rpc.client.connection();
      run.sim.onRpcConnection.accept(rpc.client, index);
    } else {
      this.rpc = null;
      ConnectionBuilder builder =
          Connection.builder()
              .transport(this::open)
              .endpointResolver(this::resolve)
              .scheduler(timers)
              .policy(policy)
              .random(random.split())
              .name("s" + index)
              .frameListener(this::clientRead);
      if (!run.sim.handshakeUpTo.isZero()) {
        // Split only here: runs without handshakes keep every draw, and so their traces.
        SplittableRandom handshakes = random.split();
        long upToNanos = run.sim.handshakeUpTo.toNanos();
        builder.handshake((channel, epoch) -> handshake(handshakes.nextLong(upToNanos + 1)));
      }
      this.connection = builder.build();
    }
    run.sim.onConnection.accept(connection, index);
    connection.subscribe(this::probe);
    connection.subscribe(run.sim.listenerDecorator.apply(this::observe));
  }

  // ------------------------------------------------------------------ SessionView

  @Override
  public int index() {
    return index;
  }

  @Override
  public Connection connection() {
    return connection;
  }

  @Override
  public BackoffPolicy policy() {
    return policy;
  }

  @Override
  public StubEndpoint endpoint() {
    return endpoint;
  }

  @Override
  public long nowNanos() {
    return run.clock.nanoTime();
  }

  @Override
  public LifecycleEvent lastEvent() {
    return lastEvent;
  }

  @Override
  public int terminalEvents() {
    return terminalEvents;
  }

  @Override
  public int liveTimers() {
    return timers.live();
  }

  @Override
  public int framesHeld() {
    return held.size();
  }

  @Override
  public int maxFramesHeld() {
    return MAX_FRAMES_HELD;
  }

  @Override
  public long readPauses() {
    return readPauses;
  }

  @Override
  public int openChannels() {
    int n = 0;
    for (StubEndpoint e : addresses) {
      n += e.openCount();
    }
    return n;
  }

  @Override
  public OptionalLong halfOpenSinceNanos() {
    if (silenced == null || !silenced.isOpen()) {
      return OptionalLong.empty();
    }
    return OptionalLong.of(
        rpc == null ? silencedAtNanos : rpc.detectableSinceNanos(silencedAtNanos));
  }

  /** An RPC session's heartbeat bounds how long a half-open channel goes unnoticed. */
  @Override
  public Optional<Duration> halfOpenDetectionBound() {
    return rpc == null ? Optional.empty() : rpc.halfOpenDetectionBound();
  }

  @Override
  public Optional<AttemptStart> lastAttemptStart() {
    return Optional.ofNullable(lastAttemptStart);
  }

  @Override
  public OptionalLong lastReconnectNowNanos() {
    return reconnectNowNanos < 0 ? OptionalLong.empty() : OptionalLong.of(reconnectNowNanos);
  }

  @Override
  public Optional<RpcSessionView> rpc() {
    return Optional.ofNullable(rpc);
  }

  /** Runs the oracles' step checks on this session. */
  void check() {
    run.check(this);
  }

  /** Starts the connection (and an RPC session's traffic). */
  void start() {
    if (rpc != null) {
      rpc.start();
    } else {
      connection.start();
    }
  }

  /** Closes the connection (through the RPC client for an RPC session). */
  void close(String reason) {
    if (rpc != null) {
      rpc.client.close(reason);
    } else {
      connection.close(reason);
    }
  }

  void floodOn(long perSecond) {
    if (rpc != null) {
      rpc.floodOn(perSecond);
    }
  }

  void floodOff() {
    if (rpc != null) {
      rpc.floodOff();
    }
  }

  void writeStallOn(long requests) {
    if (rpc != null) {
      rpc.writeStallOn(requests);
    }
  }

  // ------------------------------------------------------------------ observation

  private void probe(LifecycleEvent e) {
    emits++;
    if (lateCallback != null && lateCallbackEffect == null) {
      lateCallbackEffect = e + " emitted while the connection handled " + lateCallback;
    }
    if (latest != null
        && !(e instanceof LifecycleEvent.Connected || e instanceof LifecycleEvent.Reconnected)) {
      latest.givenUp(); // the attempt failed, or the channel it brought up was lost or closed
    }
    run.probe(this, e);
    remember(e);
    if (e instanceof LifecycleEvent.Connecting || e instanceof LifecycleEvent.Reconnecting) {
      lastAttemptNanos = run.clock.nanoTime();
    }
    if (timeline != null) {
      ConnectionState st = e.state();
      String label =
          st instanceof ConnectionState.PermanentlyDisconnected pd
                  && pd.cause().kind() == Cause.Kind.FLAPPING
              ? st.label() + " (FLAPPING)"
              : st.label();
      timeline.add(
          new Timeline.Segment(run.clock.nanoTime(), st.name(), label, attempt(st), cause(st)));
    }
  }

  /** The number a report shows with {@code st}: its attempt, attempts made, or epoch. */
  private static int attempt(ConnectionState st) {
    if (st instanceof ConnectionState.Connecting c) {
      return c.attempt();
    } else if (st instanceof ConnectionState.Reconnecting r) {
      return r.attempt();
    } else if (st instanceof ConnectionState.PermanentlyDisconnected pd) {
      return pd.attempts();
    } else if (st instanceof ConnectionState.Connected c) {
      return (int) Math.min(Integer.MAX_VALUE, c.epoch());
    }
    return 0;
  }

  /** Why the session entered {@code st}, for a report; empty if the state carries no cause. */
  private static String cause(ConnectionState st) {
    if (st instanceof ConnectionState.Connecting c) {
      return c.lastFailure().map(Cause::toString).orElse("");
    } else if (st instanceof ConnectionState.Reconnecting r) {
      return r.cause().toString();
    } else if (st instanceof ConnectionState.PermanentlyDisconnected pd) {
      return pd.cause().toString();
    } else if (st instanceof ConnectionState.Closed c) {
      return c.reason();
    }
    return "";
  }

  private void observe(LifecycleEvent e) {
    LifecycleEvent prev = lastEvent;
    lastEvent = e;
    if (e.isTerminal()) {
      terminalEvents++;
    }
    run.observe(this, prev, e);
  }

  /** I1: a subscriber added after termination receives exactly the terminal event. */
  void lateSubscriberCheck() {
    List<LifecycleEvent> got = new ArrayList<>();
    connection.subscribe(got::add);
    run.clock.runUntilIdle();
    run.lifecycleEvents += got.size();
    if (got.size() != 1 || !got.get(0).isTerminal()) {
      run.violate(
          "I1", this, "a late subscriber received " + got + " instead of one terminal event");
    }
  }

  void remember(Object entry) {
    recent[recentCount % RECENT] = entry;
    recentNanos[recentCount % RECENT] = run.clock.nanoTime();
    recentCount++;
  }

  List<String> recent() {
    List<String> out = new ArrayList<>();
    for (int i = Math.max(0, recentCount - RECENT); i < recentCount; i++) {
      out.add(SimText.clock(recentNanos[i % RECENT]) + " " + SimText.entry(recent[i % RECENT]));
    }
    return out;
  }

  // ------------------------------------------------------------------ the link

  /**
   * The session's discovery service: answers the address its server announced, which lags a move
   * ({@link Fault.Kind#MOVE}). Asked when an attempt starts, so it also tells I3 when that was.
   */
  private CompletionStage<URI> resolve(EndpointResolver.ResolveContext context) {
    lastAttemptStart =
        new AttemptStart(
            ++attemptStarts, context.attempt(), context.reconnect(), run.clock.nanoTime());
    run.check(this);
    return CompletableFuture.completedFuture(advertised);
  }

  private CompletionStage<Channel> open(URI uri, ChannelListener listener) {
    long started = run.clock.nanoTime();
    long emitsAtStart = emits;
    CompletableFuture<Channel> mine = new CompletableFuture<>();
    LinkWatch watch = new LinkWatch(listener, started);
    latest = watch;
    run.network
        .transport()
        .open(uri, watch)
        // handle, not whenComplete, as in the driver: whenComplete's own stage would fail too,
        // with a CompletionException and its stack trace (17 % of the bytes B6 allocated).
        .handle(
            (channel, error) -> {
              boolean late =
                  connection.state().isTerminal()
                      || run.clock.nanoTime() - started >= policy.connectTimeout().toNanos();
              // The attempt ended while its open was under way: the machine emits nothing while
              // it waits for an open, except when it gives the attempt up (timeout, close, a newer
              // attempt) or the connection ends.
              boolean abandoned = emits != emitsAtStart || connection.state().isTerminal();
              Late outer = watch.enter("the completion of the open");
              if (error != null) {
                mine.completeExceptionally(error);
              } else {
                mine.complete(channel);
              }
              lateCallback = outer;
              if (abandoned) {
                lateAnswers(started, channel);
              }
              if (late || (channel instanceof StubConnection sc && !sc.isOpen())) {
                run.staleCallbacks++;
              }
              run.check(this);
              return null;
            });
    return mine;
  }

  /**
   * An open the client abandoned was answered: an accepted channel must be closed by the client at
   * once, by the time the open's completion returned (I4).
   */
  private void lateAnswers(long started, Channel channel) {
    lateAnswered++;
    if (!(channel instanceof StubConnection sc) || lateAcceptLeak != null) {
      return;
    }
    String open = "the channel the server accepted at " + SimText.clock(run.clock.nanoTime());
    String abandoned = " for an open started at " + SimText.clock(started) + " and abandoned since";
    if (sc.isOpen()) {
      lateAcceptLeak = open + abandoned + " is still open: the client did not close it";
    } else {
      lateAcceptsClosed++;
    }
  }

  @Override
  public String lateAcceptLeak() {
    return lateAcceptLeak;
  }

  @Override
  public String lateCallbackEffect() {
    return lateCallbackEffect;
  }

  /** Opens this session's client abandoned: answered after it gave them up, or never answered. */
  long abandonedOpens() {
    long n = lateAnswered;
    for (StubEndpoint e : addresses) {
      n += e.unanswered(); // at the end every session has terminated: each one was abandoned
    }
    return n;
  }

  /**
   * Tells the client its channel ended, then checks state against link at once and again when the
   * loss must have been acted on: a connection still {@code Connected} then has lost its channel
   * for good.
   */
  private final class LinkWatch implements ChannelListener {
    private final ChannelListener client;
    private final long startedNanos;
    private long givenUpNanos = -1;

    LinkWatch(ChannelListener client, long startedNanos) {
      this.client = client;
      this.startedNanos = startedNanos;
    }

    /** The client gave this open's attempt up, or the channel it brought up ended (I5). */
    void givenUp() {
      if (givenUpNanos < 0) {
        givenUpNanos = run.clock.nanoTime();
      }
    }

    /** Whether callbacks from this open are late: its attempt given up, or a newer one started. */
    boolean late() {
      return givenUpNanos >= 0 || this != latest;
    }

    /**
     * Marks {@code callback} of this open as the one the connection handles now, if it is late;
     * returns the mark to restore after it.
     */
    Late enter(String callback) {
      Late outer = lateCallback;
      if (late()) {
        lateCallback = new Late(callback, this);
      }
      return outer;
    }

    @Override
    public void onFrame(byte[] frame) {
      if (!late()) {
        client.onFrame(frame);
        return;
      }
      Late outer = enter("a frame");
      client.onFrame(frame);
      lateCallback = outer;
    }

    @Override
    public void onWritabilityChanged(boolean writable) {
      Late outer = enter("a writability change");
      client.onWritabilityChanged(writable);
      lateCallback = outer;
    }

    @Override
    public void onClosed(Cause cause) {
      Late outer = enter("the end");
      client.onClosed(cause);
      lateCallback = outer;
      run.check(SimSession.this);
      run.clock.schedule(Oracles.LINK_LOSS_BOUND, () -> run.check(SimSession.this));
    }

    @Override
    public String toString() {
      return "of the channel opened at "
          + SimText.clock(startedNanos)
          + (givenUpNanos >= 0
              ? ", whose attempt was given up at " + SimText.clock(givenUpNanos)
              : ", superseded by a newer open");
    }
  }

  /**
   * A late callback the connection is handling: {@code what} of {@code watch}'s open. Described
   * only when a late callback did something (most late callbacks are channel ends after a close).
   */
  private record Late(String what, LinkWatch watch) {
    @Override
    public String toString() {
      return what + " " + watch;
    }
  }

  /**
   * The server moves to a new address: the old one drops its channels and refuses from now on; the
   * session's discovery service keeps announcing the old address until {@link #moveOff()}. An RPC
   * session's scripted peer lives at one address: there a move is the outage it causes (the server
   * unreachable until discovery catches up), and the address stays.
   */
  void moveOn() {
    if (rpc != null) {
      goDown();
      return;
    }
    StubEndpoint old = endpoint;
    old.dropAll(Cause.of(Cause.Kind.CHANNEL_CLOSED, "server moved"));
    old.mode(StubEndpoint.Mode.REFUSE);
    old.crashAfter(MOVED_AWAY_LINGER);
    endpoint = run.network.endpoint("sim://s" + index + "." + addresses.size());
    addresses.add(endpoint);
    endpoint.onFrame(this::serverRead);
    applyLink();
    applyCrashLoop();
    applyReader();
  }

  /** The discovery service announces where the server is now. */
  void moveOff() {
    if (rpc != null) {
      comeUp();
      return;
    }
    advertised = endpoint.uri();
  }

  /** The server closes the open channel with 1008 (policy violation): final by default. */
  void fatalClose() {
    endpoint.dropAll(
        Cause.of(
            Cause.Kind.CHANNEL_CLOSED,
            "closed by the server: policy violation",
            new Cause.Detail.CloseCode(FailureClassifier.POLICY_VIOLATION)));
  }

  /** The server closes the open channel with 1012 (service restart): retried promptly. */
  void serviceRestart() {
    endpoint.dropAll(
        Cause.of(
            Cause.Kind.CHANNEL_CLOSED,
            "closed by the server: service restart",
            new Cause.Detail.CloseCode(FailureClassifier.SERVICE_RESTART)));
  }

  /** The user presses "retry now". */
  void retryNow() {
    reconnectNowNanos = run.clock.nanoTime();
    connection.reconnectNow();
  }

  /** The simulated server completes the handshake after {@code nanos}. */
  private CompletionStage<Void> handshake(long nanos) {
    CompletableFuture<Void> done = new CompletableFuture<>();
    LinkWatch of = latest; // the handshake runs on the channel that just opened
    run.clock.schedule(
        Duration.ofNanos(nanos),
        () -> {
          Late outer = of == null ? lateCallback : of.enter("the handshake's success");
          done.complete(null);
          lateCallback = outer;
        });
    return done;
  }

  void goDown() {
    down++;
    endpoint.dropAll(Cause.of(Cause.Kind.CHANNEL_CLOSED, "server down"));
    applyLink();
  }

  void comeUp() {
    down--;
    applyLink();
  }

  /** The server revokes the client's credentials: channels drop, upgrades are refused with 401. */
  void rejectOn() {
    reject++;
    endpoint.dropAll(Cause.of(Cause.Kind.CHANNEL_CLOSED, "credentials revoked"));
    applyLink();
  }

  void rejectOff() {
    reject--;
    applyLink();
  }

  void hangOn() {
    hang++;
    applyLink();
  }

  void hangOff() {
    hang--;
    applyLink();
  }

  void partitionOn() {
    hang++;
    endpoint.dropAll(Cause.of(Cause.Kind.CHANNEL_ERROR, "partitioned"));
    applyLink();
  }

  void slowOn(long latencyMillis) {
    slowLatencies.add(latencyMillis);
    applyLink();
  }

  void slowOff(long latencyMillis) {
    slowLatencies.remove(Long.valueOf(latencyMillis));
    applyLink();
  }

  /** The server crashes now and then drops every new connection {@code afterMillis} after it. */
  void crashLoopOn(long afterMillis) {
    crashLoops.add(afterMillis);
    endpoint.dropAll(Cause.of(Cause.Kind.CHANNEL_CLOSED, "peer crashed"));
    applyCrashLoop();
  }

  void crashLoopOff(long afterMillis) {
    crashLoops.remove(Long.valueOf(afterMillis));
    applyCrashLoop();
  }

  /** Overlapping crash loops: the quickest crash wins. */
  private void applyCrashLoop() {
    long quickest = 0;
    for (long l : crashLoops) {
      quickest = quickest == 0 ? l : Math.min(quickest, l);
    }
    endpoint.crashAfter(Duration.ofMillis(quickest));
  }

  void slowReaderOn(long perFrameMillis) {
    slowReaders.add(perFrameMillis);
    applyReader();
    if (writer == null && rpc == null) { // an RPC session's own traffic meets the slow reader
      writer = run.clock.schedule(Duration.ZERO, this::writeTick);
    }
  }

  void slowReaderOff(long perFrameMillis) {
    slowReaders.remove(Long.valueOf(perFrameMillis));
    applyReader();
    if (slowReaders.isEmpty()) {
      if (writer != null) {
        writer.cancel();
        writer = null;
      }
      // Healed: the backlog must reach the server at once, in order, nothing lost.
      run.clock.schedule(Duration.ofMillis(1), this::backlogDelivered);
    }
  }

  long slowReaderFrames() {
    return slowReaderFrames;
  }

  private void applyReader() {
    long slowest = 0;
    for (long l : slowReaders) {
      slowest = Math.max(slowest, l);
    }
    endpoint.slowReader(StubConnection.Side.SERVER, Duration.ofMillis(slowest));
  }

  /** The simulated client application: sends numbered frames, respecting backpressure. */
  private void writeTick() {
    writer = run.clock.schedule(WRITE_PERIOD, this::writeTick);
    Channel ch = connection.currentChannel().orElse(null);
    if (ch == null) {
      return;
    }
    if (ch != writing) {
      writing = ch;
      nextSeq = 0;
    }
    for (int i = 0; i < WRITE_BURST; i++) {
      if (!ch.writable()) {
        run.writesBlocked++;
        return;
      }
      ch.send(ByteBuffer.allocate(Long.BYTES).putLong(0, nextSeq++).array());
    }
  }

  /** The simulated server: every connection's frames must arrive numbered 0, 1, 2, … */
  private void serverRead(StubConnection c, byte[] frame) {
    long seq = ByteBuffer.wrap(frame).getLong(0);
    if (c != reading) {
      reading = c;
      expectedSeq = 0;
    }
    slowReaderFrames++;
    if (seq != expectedSeq) {
      run.violate(
          "frames",
          this,
          "server read frame " + seq + ", expected " + expectedSeq + ": lost or reordered");
    }
    expectedSeq = seq + 1;
  }

  private void backlogDelivered() {
    for (StubConnection c : endpoint.connections()) {
      int unread = c.unread(StubConnection.Side.SERVER);
      // A silenced link or a server stalled on purpose (write stall) never reads: not a loss.
      if (unread != 0 && !c.isSilent() && !c.serverStoppedReading()) {
        run.violate("frames", this, unread + " frame(s) still unread after the slow reader healed");
      }
    }
  }

  void slowConsumerOn(long perFrameMillis) {
    if (rpc != null) {
      rpc.slowConsumerOn(perFrameMillis);
      return;
    }
    slowConsumers.add(perFrameMillis);
    if (pusher == null) {
      pusher = run.clock.schedule(Duration.ZERO, this::pushTick);
    }
  }

  void slowConsumerOff(long perFrameMillis) {
    if (rpc != null) {
      rpc.slowConsumerOff(perFrameMillis);
      return;
    }
    slowConsumers.remove(Long.valueOf(perFrameMillis));
    if (slowConsumers.isEmpty() && pusher != null) {
      pusher.cancel();
      pusher = null;
    }
    consume(); // healed: the consumer catches up at once
  }

  /** The simulated server: pushes numbered frames while its socket buffer has room. */
  private void pushTick() {
    pusher = run.clock.schedule(WRITE_PERIOD, this::pushTick);
    for (StubConnection c : endpoint.connections()) {
      if (c != pushing) {
        pushing = c;
        pushConnection++;
        pushSeq = 0;
      }
      for (int i = 0; i < PUSH_BURST; i++) {
        if (c.unread(StubConnection.Side.CLIENT) >= StubConnection.WRITE_BUFFER_FRAMES) {
          run.writesBlocked++;
          break;
        }
        c.push(
            ByteBuffer.allocate(2 * Long.BYTES).putLong(pushConnection).putLong(pushSeq++).array());
      }
    }
  }

  /**
   * The simulated client's frame listener: holds the frame for its consumer; pauses at the bound.
   */
  private void clientRead(long epoch, byte[] frame) {
    if (lateCallback != null && lateCallbackEffect == null) {
      lateCallbackEffect =
          "a frame reached the frame listener while the connection handled " + lateCallback;
    }
    ByteBuffer b = ByteBuffer.wrap(frame);
    held.add(new long[] {b.getLong(0), b.getLong(Long.BYTES)});
    if (held.size() >= MAX_FRAMES_HELD && !readingPaused) {
      readingPaused = true;
      readPauses++;
      connection.pauseReading();
    }
    run.check(this); // R4
    consume();
  }

  /** Handles held frames: all at once, or one per the slowest consumer's pace. */
  private void consume() {
    long perFrame = 0;
    for (long l : slowConsumers) {
      perFrame = Math.max(perFrame, l);
    }
    if (perFrame == 0) {
      if (consumer != null) {
        consumer.cancel();
        consumer = null;
      }
      while (!held.isEmpty()) {
        handleOne();
      }
    } else if (consumer == null && !held.isEmpty()) {
      consumer =
          run.clock.schedule(
              Duration.ofMillis(perFrame),
              () -> {
                consumer = null;
                handleOne();
                consume();
              });
    }
  }

  /** The consumer handles the oldest frame: per connection, numbered 0, 1, 2, … */
  private void handleOne() {
    long[] f = held.poll();
    if (f == null) {
      return;
    }
    if (f[0] != handledConnection) {
      handledConnection = f[0];
      handledSeq = 0;
    }
    if (f[1] != handledSeq) {
      run.violate(
          "frames",
          this,
          "client handled frame " + f[1] + ", expected " + handledSeq + ": lost or reordered");
    }
    handledSeq = f[1] + 1;
    if (readingPaused && held.size() <= MAX_FRAMES_HELD / 2) {
      readingPaused = false;
      connection.resumeReading();
    }
  }

  void drop(String reason) {
    endpoint.dropAll(Cause.of(Cause.Kind.CHANNEL_ERROR, reason));
  }

  void silence() {
    for (StubConnection c : endpoint.connections()) {
      if (!c.isSilent()) {
        c.silence();
        silenced = c;
        silencedAtNanos = run.clock.nanoTime();
        run.halfOpen++;
        // State against link: by the detection bound the connection must have noticed.
        halfOpenDetectionBound()
            .ifPresent(
                b ->
                    run.clock.schedule(
                        b.plus(Oracles.LINK_LOSS_BOUND), () -> run.check(SimSession.this)));
      }
    }
  }

  void userClose() {
    if (connection.state().isTerminal()) {
      return;
    }
    if (Run.inBackoff(connection, lastAttemptNanos, run.clock.nanoTime())) {
      run.closeDuringBackoff++;
    }
    run.closedByUser++;
    close("closed by the fault plan");
  }

  private void applyLink() {
    endpoint.mode(
        down > 0
            ? StubEndpoint.Mode.REFUSE
            : reject > 0
                ? StubEndpoint.Mode.REJECT
                : hang > 0 ? StubEndpoint.Mode.HANG : StubEndpoint.Mode.ACCEPT);
    long slow = 0;
    for (long l : slowLatencies) {
      slow = Math.max(slow, l);
    }
    endpoint.latency(slow > 0 ? Latency.fixed(Duration.ofMillis(slow)) : baseLatency);
  }
}
