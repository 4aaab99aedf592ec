package dev.tether.runtime;

import dev.tether.machine.BackoffPolicy;
import dev.tether.machine.Cause;
import dev.tether.machine.ConnectionMachine;
import dev.tether.machine.ConnectionState;
import dev.tether.machine.Effect;
import dev.tether.machine.Input;
import dev.tether.machine.LifecycleEvent;
import dev.tether.machine.MachineState;
import dev.tether.machine.Transition;
import dev.tether.machine.Verdict;
import dev.tether.runtime.spi.Channel;
import dev.tether.runtime.spi.ChannelListener;
import dev.tether.runtime.spi.ChannelOpenException;
import dev.tether.runtime.spi.ConnectParameters;
import dev.tether.runtime.spi.ConnectParametersProvider;
import dev.tether.runtime.spi.EndpointResolver;
import dev.tether.runtime.spi.Scheduler;
import dev.tether.runtime.spi.Transport;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicLongFieldUpdater;
import java.util.function.BiFunction;
import java.util.random.RandomGenerator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Owns one {@link ConnectionMachine} and performs its effects through the SPIs. Everything below
 * runs on the scheduler's context; public methods hop onto it.
 *
 * <p>Inputs that arrive while a step's effects are being performed (a transport answering inline, a
 * listener closing the connection) are queued and stepped afterwards, so effects of one step are
 * never interleaved with another's.
 */
final class ConnectionDriver implements Connection {
  private static final Logger log = LoggerFactory.getLogger(ConnectionDriver.class);
  private static final Sub[] NO_SUBS = new Sub[0];
  private static final AtomicLongFieldUpdater<ConnectionDriver> EFFECT_FAILURES =
      AtomicLongFieldUpdater.newUpdater(ConnectionDriver.class, "effectFailures");
  private static final VarHandle MACHINE_STATE;
  private static final VarHandle GATE;

  static {
    try {
      MethodHandles.Lookup lookup = MethodHandles.lookup();
      MACHINE_STATE =
          lookup.findVarHandle(ConnectionDriver.class, "machineState", MachineState.class);
      GATE = lookup.findVarHandle(Slot.class, "gate", ReadGate.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  /**
   * Immutable wiring, copied from the builder. {@code endpoint} is the fixed endpoint, or null when
   * the resolver's answers vary; {@code parameters} is null without a provider.
   */
  record Config(
      String name,
      URI endpoint,
      EndpointResolver resolver,
      ConnectParametersProvider parameters,
      Transport transport,
      Scheduler scheduler,
      boolean ownsScheduler,
      BackoffPolicy policy,
      RandomGenerator random,
      Handshake handshake,
      FrameListener frameListener,
      Duration writeTimeout,
      FailureClassifier classifier) {}

  private final Config config;
  private final Scheduler scheduler;
  private final ConnectionMachine machine;
  private final CompletableFuture<ConnectionState> terminated = new CompletableFuture<>();

  // Written only on the scheduler's context; volatile so that state() can derive the public state
  // from any thread (derived on read, not stored per step: B1's driver row built one per step).
  // Each step writes it with a release store (MACHINE_STATE.setRelease), not a volatile one: only
  // this context writes it, and a reader on another thread still sees a complete state. The
  // volatile store's fence was ≈ 3.6 % of the CPU samples of B1's driver row
  // (TransitionBenchmark.tetherDriver, JFR, 2026-11-30: at the instruction after the store).
  private volatile MachineState machineState = MachineState.initial();
  // Confined to the scheduler's context.
  // Inputs fed while a step's effects run (a transport answering inline, a listener closing);
  // null until the first such input: most steps are fed from outside any step.
  private ArrayDeque<Input> inbox;
  private boolean stepping;
  // Open and opening channels, and live timers: intrusive lists, newest first. The machine keeps
  // at most one attempt and one timer live at a time, so a scan is one or two hops; a HashMap
  // under boxed ids cost a node, a box and a key per attempt and per timer in B1's driver row, and
  // 48 B or more per connection in B5.
  private Slot channels;
  private Timer timers;
  // The timer being fired, free for the timer its own input starts: see fire().
  private Timer spare;
  // Copy on write: registering and cancelling are rare, delivering is not (no copy per event).
  private Sub[] subscribers = NO_SUBS;
  private LifecycleEvent lastEvent;
  private boolean readingHeld; // pauseReading() holds every channel until resumeReading()
  // Channel.released() of channels not yet released (P5): the terminal event waits for them. One
  // entry per channel whose child is still being torn down; done ones are pruned on every add.
  // Null until a release is pending (never, for transports without one): B5 counts every byte.
  private List<CompletableFuture<Void>> releasing;
  private BiFunction<Input, Transition, Transition> variant = (input, t) -> t;

  // Readable from any thread; written on the context only.
  private volatile long effectFailures;
  private volatile URI lastEndpoint; // the latest attempt's; null until a resolver first answers

  ConnectionDriver(Config config) {
    this.config = config;
    this.scheduler = config.scheduler();
    this.machine = new ConnectionMachine(config.policy(), config.handshake() != null);
  }

  @Override
  public URI endpoint() {
    URI last = lastEndpoint;
    return last != null ? last : config.endpoint();
  }

  @Override
  public void start() {
    onContext(() -> feed(new Input.Start()));
  }

  @Override
  public ConnectionState state() {
    return machineState.state();
  }

  @Override
  public Subscription subscribe(LifecycleListener listener) {
    Sub sub = new Sub(Objects.requireNonNull(listener, "listener"));
    onContext(() -> register(sub));
    return sub;
  }

  @Override
  public void close(String reason) {
    Objects.requireNonNull(reason, "reason");
    onContext(() -> feed(new Input.CloseRequested(reason)));
  }

  @Override
  public void reconnectNow() {
    onContext(() -> feed(new Input.ReconnectNow()));
  }

  @Override
  public CompletionStage<ConnectionState> terminated() {
    return terminated.minimalCompletionStage();
  }

  @Override
  public Optional<Channel> currentChannel() {
    assertInContext();
    if (machineState.stage() instanceof MachineState.Stage.Up up) {
      Slot slot = slot(up.channelId());
      return Optional.ofNullable(slot == null ? null : exposed(slot));
    }
    return Optional.empty();
  }

  @Override
  public void declareLost(long epoch, Cause cause) {
    Objects.requireNonNull(cause, "cause");
    onContext(
        () -> {
          if (machineState.stage() instanceof MachineState.Stage.Up up && up.epoch() == epoch) {
            feed(new Input.ChannelLost(up.channelId(), cause, verdict(cause)));
          }
        });
  }

  @Override
  public long effectFailures() {
    return effectFailures;
  }

  @Override
  public void pauseReading() {
    onContext(() -> holdReading(true));
  }

  @Override
  public void resumeReading() {
    onContext(() -> holdReading(false));
  }

  @Override
  public String toString() {
    return "Connection[" + config.name() + ", " + state().label() + "]";
  }

  /**
   * Tests only: rewrites every transition of the machine before its effects are performed, to plant
   * a machine bug (such as a missing timer cancel) that the simulation's oracles must catch. Call
   * before {@link #start()}.
   */
  void plantVariant(BiFunction<Input, Transition, Transition> variant) {
    this.variant = Objects.requireNonNull(variant, "variant");
  }

  // ---------------------------------------------------------------- stepping

  private void onContext(Runnable task) {
    if (scheduler.inContext()) {
      task.run();
      return;
    }
    try {
      scheduler.execute(task);
    } catch (RejectedExecutionException e) {
      if (!terminated.isDone()) {
        throw e;
      }
      // The connection's own thread stopped after termination. Nothing can change any more, so
      // the task (a late subscription's terminal event, an ignored close) runs on the caller.
      task.run();
    }
  }

  private void assertInContext() {
    if (!scheduler.inContext()) {
      throw new IllegalStateException("must be called on the connection's context");
    }
  }

  /** Steps the machine with {@code input}, after any input already being processed. */
  private void feed(Input input) {
    if (stepping) {
      if (inbox == null) {
        inbox = new ArrayDeque<>(2);
      }
      inbox.add(input);
      return;
    }
    stepping = true;
    try {
      Input next = input;
      if (inbox != null && !inbox.isEmpty()) { // left by a step that threw: they come first
        inbox.add(input);
        next = inbox.poll();
      }
      do {
        stepOnce(next);
      } while (inbox != null && (next = inbox.poll()) != null);
    } finally {
      stepping = false;
    }
  }

  private void stepOnce(Input input) {
    var t =
        variant.apply(
            input,
            machine.step(machineState, input, scheduler.nanoTime(), config.random().nextDouble()));
    MACHINE_STATE.setRelease(this, t.next());
    List<Effect> effects = t.effects();
    for (int i = 0, n = effects.size(); i < n; i++) { // no iterator per step
      perform(effects.get(i));
    }
  }

  private void perform(Effect effect) {
    if (effect instanceof Effect.OpenChannel open) {
      openChannel(open.attemptId());
    } else if (effect instanceof Effect.CloseChannel close) {
      closeChannel(close.channelId());
    } else if (effect instanceof Effect.StartTimer start) {
      startTimer(timer(start.kind(), start.attemptId()), start.delay());
    } else if (effect instanceof Effect.CancelTimer cancel) {
      Timer timer = removeTimer(cancel.kind(), cancel.attemptId());
      if (timer != null) {
        cancelGuarded(timer.cancellable);
      }
    } else if (effect instanceof Effect.StartHandshake hs) {
      startHandshake(hs.attemptId());
    } else if (effect instanceof Effect.Emit emit) {
      emit(emit.event());
    } else {
      throw new AssertionError("unknown effect " + effect);
    }
  }

  // ---------------------------------------------------------------- channels

  /** Resolves the attempt's endpoint (bounded by the machine's connect timeout), then opens it. */
  private void openChannel(long attemptId) {
    Slot slot = new Slot(attemptId);
    if (readingHeld) { // a channel without a gate is not held: it needs one only if held
      slot.gate().hold(true);
    }
    addSlot(slot);
    MachineState.Attempt attempt = currentAttempt();
    slot.resolving = true;
    URI fixed = config.endpoint();
    if (fixed != null) {
      // The fixed resolver would answer this at once: no context, stage and callbacks per attempt
      // (three objects and two lambdas in TransitionBenchmark.tetherDriver, B1).
      resolved(slot, attempt, fixed, null);
      return;
    }
    var context =
        new EndpointResolver.ResolveContext(
            config.name(), numberOf(attempt), attempt != null && attempt.reconnect());
    CompletionStage<URI> resolving;
    try {
      resolving = Objects.requireNonNull(config.resolver().resolve(context), "resolver's stage");
    } catch (RuntimeException e) {
      resolved(slot, attempt, null, e);
      return;
    }
    resolving.whenComplete((uri, err) -> onContext(() -> resolved(slot, attempt, uri, err)));
  }

  /** The attempt the machine is making (the one an {@code OpenChannel} opens); null if none. */
  private MachineState.Attempt currentAttempt() {
    MachineState.Stage stage = machineState.stage();
    if (stage instanceof MachineState.Stage.Opening o) {
      return o.attempt();
    }
    if (stage instanceof MachineState.Stage.Waiting w) {
      return w.attempt();
    }
    return stage instanceof MachineState.Stage.Handshaking h ? h.attempt() : null;
  }

  private static int numberOf(MachineState.Attempt attempt) {
    return attempt == null ? 1 : attempt.number();
  }

  /**
   * The endpoint of the attempt {@code attempt} (null only if a planted machine bug opens outside
   * an attempt) is known, or its resolution failed.
   */
  private void resolved(Slot slot, MachineState.Attempt attempt, URI endpoint, Throwable error) {
    if (!slot.resolving || slot(slot.id) != slot) {
      return; // the attempt timed out or the connection closed meanwhile
    }
    slot.resolving = false;
    String problem =
        error != null
            ? Causes.describe(error)
            : endpoint == null
                ? "the endpoint resolver answered null"
                : endpoint.getScheme() == null
                    ? "the endpoint resolver answered an endpoint without a scheme: "
                        + EndpointResolver.redact(endpoint)
                    : null;
    if (problem != null) {
      removeSlot(slot);
      openFailed(slot.id, Cause.of(Cause.Kind.RESOLVE_FAILED, problem));
      return;
    }
    slot.endpoint = endpoint;
    if (config.endpoint() == null) { // endpoint() answers the fixed one without this write
      lastEndpoint = endpoint;
    }
    askParameters(slot, attempt);
  }

  /**
   * Asks the connect-parameters provider, if any, for the attempt's parameters (bounded by the same
   * connect timeout as resolution), then opens. Only the transport sees the answer (R3).
   */
  private void askParameters(Slot slot, MachineState.Attempt attempt) {
    ConnectParametersProvider provider = config.parameters();
    if (provider == null) {
      open(slot, ConnectParameters.none());
      return;
    }
    var context =
        new ConnectParametersProvider.AttemptContext(
            config.name(),
            numberOf(attempt),
            attempt != null && attempt.reconnect(),
            slot.endpoint);
    CompletionStage<ConnectParameters> asking;
    slot.asking = true;
    try {
      asking = Objects.requireNonNull(provider.parameters(context), "provider's stage");
    } catch (RuntimeException e) {
      parametersAnswered(slot, null, e);
      return;
    }
    asking.whenComplete((p, err) -> onContext(() -> parametersAnswered(slot, p, err)));
  }

  private void parametersAnswered(Slot slot, ConnectParameters parameters, Throwable error) {
    if (!slot.asking || slot(slot.id) != slot) {
      return; // the attempt timed out or the connection closed meanwhile
    }
    slot.asking = false;
    if (error != null || parameters == null) {
      removeSlot(slot);
      String problem =
          error != null
              ? Causes.describe(error)
              : "the connect parameters provider "
                  + config.parameters().describe()
                  + " answered null";
      openFailed(slot.id, Cause.of(Cause.Kind.PARAMETERS_FAILED, problem));
      return;
    }
    open(slot, parameters);
  }

  private void open(Slot slot, ConnectParameters parameters) {
    long attemptId = slot.id;
    CompletionStage<Channel> opening;
    try {
      opening = config.transport().open(slot.endpoint, parameters, slot);
    } catch (RuntimeException e) {
      removeSlot(slot);
      openFailed(attemptId, namingEndpoint(Causes.openFailed(e), slot));
      return;
    }
    CompletableFuture<Channel> done = Stages.readable(opening);
    if (done != null && done.isDone() && !done.isCompletedExceptionally()) {
      // Open already (a stub transport, a child started inline): the same continuation that handle
      // would run here at once, on this thread, without handle's own stage. A failed one takes
      // handle: reading its error means join(), which builds a CompletionException.
      slot.apply(done.join(), null);
      return;
    }
    // handle, not whenComplete: a failed open would fail whenComplete's own stage too, wrapping the
    // error in a CompletionException whose stack trace costs ≈ 10 % of a failed attempt
    // (TransitionBenchmark.tetherDriver, BENCHMARKS.md B1). The slot is the callback: no lambda.
    opening.handle(slot);
  }

  private void openCompleted(Slot slot, Channel channel, Throwable error) {
    if (error != null) {
      if (removeSlot(slot)) {
        openFailed(slot.id, namingEndpoint(Causes.openFailed(error), slot));
      }
      return;
    }
    slot.attach(channel);
    watchRelease(channel);
    if (slot.abandoned || slot.ended) {
      // The machine gave up on this attempt (timeout or close), or the channel already ended.
      closeGuarded(channel);
      if (!slot.abandoned && removeSlot(slot)) {
        openFailed(slot.id, slot.endCause);
      }
      return;
    }
    feed(new Input.ChannelOpened(slot.id));
  }

  /**
   * The open channel of {@code slot} as the connection's layers see it: watched for write liveness
   * (R5) unless the write timeout is off (zero). The watch is made when a layer first asks for the
   * channel, since only sends through it need watching: a channel nobody writes to (a connection
   * without a protocol layer, an attempt lost before its handshake) costs no watch. Made per open
   * channel, a watch was 2.7 % of the allocation samples of B1's driver row
   * (TransitionBenchmark.tetherDriver, 2026-11-30).
   */
  private Channel exposed(Slot slot) {
    Channel channel = slot.channel;
    if (!(channel instanceof WriteWatch) && !config.writeTimeout().isZero()) {
      channel =
          new WriteWatch(channel, scheduler, config.writeTimeout(), c -> channelEnded(slot, c));
      slot.channel = channel; // closing the slot's channel now stops the watch, then closes
    }
    return channel;
  }

  /**
   * {@code cause} with the attempt's endpoint (redacted, R3) appended to its message, when the
   * endpoint varies between attempts (a resolver other than a fixed endpoint); unchanged otherwise.
   */
  private Cause namingEndpoint(Cause cause, Slot slot) {
    if (config.endpoint() != null || slot.endpoint == null) {
      return cause;
    }
    String where = EndpointResolver.redact(slot.endpoint).toString();
    if (cause.message().contains(where)) {
      return cause; // the transport named it already
    }
    String at = "at " + where;
    return new Cause(
        cause.kind(),
        cause.message().isEmpty() ? at : cause.message() + " (" + at + ")",
        cause.detail());
  }

  private void openFailed(long attemptId, Cause cause) {
    feed(new Input.ChannelOpenFailed(attemptId, cause, verdict(cause)));
  }

  /**
   * The classifier's verdict on {@code cause}; a classifier that throws gets the policy's retry.
   */
  private Verdict verdict(Cause cause) {
    try {
      return Objects.requireNonNull(config.classifier().classify(cause), "verdict");
    } catch (RuntimeException e) {
      log.warn(
          "{}: failure classifier threw on {}; retrying by the policy", config.name(), cause, e);
      return Verdict.RETRY;
    }
  }

  private void closeChannel(long channelId) {
    Slot slot = slot(channelId);
    if (slot == null) {
      return;
    }
    removeSlot(slot);
    slot.abandoned = true;
    if (slot.channel != null) {
      closeGuarded(slot.channel);
    }
  }

  private void channelEnded(Slot slot, Cause cause) {
    if (slot.ended) {
      return; // a transport reporting the end twice must not cause a second reconnect
    }
    slot.ended = true;
    slot.endCause = cause;
    if (slot.channel != null && slot(slot.id) == slot) {
      feed(new Input.ChannelLost(slot.id, cause, verdict(cause)));
    }
  }

  private void frameArrived(Slot slot, byte[] frame) {
    FrameListener fl = config.frameListener();
    if (slot.ended || slot(slot.id) != slot || fl == null) {
      return;
    }
    long epoch =
        machineState.stage() instanceof MachineState.Stage.Up up && up.channelId() == slot.id
            ? up.epoch()
            : 0;
    try {
      fl.onFrame(epoch, frame);
    } catch (RuntimeException e) {
      log.warn("{}: frame listener threw; frame dropped", config.name(), e);
    }
  }

  private void holdReading(boolean on) {
    readingHeld = on;
    for (Slot slot = channels; slot != null; slot = slot.next) {
      ReadGate gate = on ? slot.gate() : slot.gate; // a channel without a gate was never held
      if (gate != null) {
        gate.hold(on);
      }
    }
  }

  private void startHandshake(long attemptId) {
    Slot slot = slot(attemptId);
    CompletionStage<Void> hs;
    try {
      hs = config.handshake().run(exposed(slot), machineState.lastEpoch() + 1);
    } catch (RuntimeException e) {
      handshakeFailed(attemptId, Causes.handshakeFailed(e));
      return;
    }
    hs.whenComplete(
        (ok, err) ->
            onContext(
                () -> {
                  if (err == null) {
                    feed(new Input.HandshakeSucceeded(attemptId));
                  } else {
                    handshakeFailed(attemptId, Causes.handshakeFailed(err));
                  }
                }));
  }

  private void handshakeFailed(long attemptId, Cause cause) {
    feed(new Input.HandshakeFailed(attemptId, cause, verdict(cause)));
  }

  // ---------------------------------------------------------------- timers

  private void startTimer(Timer timer, Duration delay) {
    try {
      timer.cancellable = scheduler.schedule(delay, timer);
    } catch (RuntimeException e) {
      // No timer: the state waiting for it stays until another input (a close, a loss) moves it.
      effectFailed("Scheduler.schedule(" + timer + ")", e);
      return;
    }
    Timer previous = removeTimer(timer.kind, timer.attemptId);
    timer.next = timers;
    timers = timer;
    if (previous != null) {
      // A machine bug, like a leak at termination: logged, and the step's other effects go on.
      log.error("{}: timer started twice: {}; the earlier one is cancelled", config.name(), timer);
      cancelGuarded(previous.cancellable);
    }
  }

  /**
   * A timer fired. The timer is done with the scheduler (timers are one-shot), so while its input
   * is stepped it is {@link #spare}: the timer that input starts (an expired backoff starts the
   * connect timeout, an expired connect timeout the next backoff) reuses it. A cancelled timer is
   * never reused: its task may still run, and must find nothing listed. Saves a timer for most
   * attempts: B1's driver row 345.8 → 330.2 B per transition (TransitionBenchmark.tetherDriver,
   * 2026-11-30), where timers were 5.9 % of the allocation samples.
   */
  private void fire(Timer key) {
    if (!removeTimer(key)) {
      return; // cancelled after it was already queued
    }
    spare = key;
    try {
      fired(key.kind(), key.attemptId());
    } finally {
      spare = null;
    }
  }

  private void fired(Effect.TimerKind timerKind, long attemptId) {
    Slot slot = slot(attemptId);
    if (timerKind == Effect.TimerKind.CONNECT_TIMEOUT
        && slot != null
        && (slot.resolving || slot.asking)) {
      // Resolution and the parameters are part of the attempt, and their own failures:
      // RESOLVE_FAILED or PARAMETERS_FAILED, not a timeout.
      Cause.Kind kind = slot.resolving ? Cause.Kind.RESOLVE_FAILED : Cause.Kind.PARAMETERS_FAILED;
      String who =
          slot.resolving
              ? "endpoint resolver " + config.resolver().describe()
              : "connect parameters provider " + config.parameters().describe();
      slot.resolving = false;
      slot.asking = false;
      removeSlot(slot);
      openFailed(
          attemptId,
          Cause.of(
              kind,
              who
                  + " did not answer within the connect timeout of "
                  + config.policy().connectTimeout()));
      return;
    }
    feed(
        timerKind == Effect.TimerKind.BACKOFF
            ? new Input.BackoffElapsed(attemptId)
            : new Input.ConnectTimedOut(attemptId));
  }

  /** A timer for {@code kind} of {@code attemptId}: the {@link #spare} if there is one. */
  private Timer timer(Effect.TimerKind kind, long attemptId) {
    Timer t = spare;
    if (t == null) {
      return new Timer(kind, attemptId);
    }
    spare = null;
    t.kind = kind;
    t.attemptId = attemptId;
    t.cancellable = null;
    return t;
  }

  // ---------------------------------------------------------------- lifecycle delivery

  private void register(Sub sub) {
    if (sub.cancelled) {
      return;
    }
    if (lastEvent != null && lastEvent.isTerminal()) {
      deliver(sub, lastEvent); // I1: a late subscriber still gets the terminal event, once
      return;
    }
    Sub[] grown = Arrays.copyOf(subscribers, subscribers.length + 1);
    grown[subscribers.length] = sub;
    subscribers = grown;
    if (lastEvent != null) {
      deliver(sub, lastEvent);
    }
  }

  private void emit(LifecycleEvent event) {
    if (event.isTerminal() && heldUntilReleased(event)) {
      return;
    }
    event = withEndpoint(event);
    lastEvent = event;
    for (Sub sub : subscribers) { // the array is never changed, only replaced: a snapshot
      deliver(sub, event);
    }
    if (event.isTerminal()) {
      terminate(event.state());
    }
  }

  /** {@code event}, naming the endpoint of the channel it reports up (redacted, R3). */
  private LifecycleEvent withEndpoint(LifecycleEvent event) {
    URI used = null;
    if (machineState.stage() instanceof MachineState.Stage.Up up) {
      Slot slot = slot(up.channelId());
      used = slot == null ? null : slot.endpoint;
    }
    if (used == null) {
      return event;
    }
    Optional<String> endpoint = Optional.of(EndpointResolver.redact(used).toString());
    if (event instanceof LifecycleEvent.Connected c && c.endpoint().isEmpty()) {
      return new LifecycleEvent.Connected(c.epoch(), endpoint);
    }
    if (event instanceof LifecycleEvent.Reconnected r && r.endpoint().isEmpty()) {
      return new LifecycleEvent.Reconnected(r.epoch(), r.attempts(), r.downtime(), endpoint);
    }
    return event;
  }

  /** Remembers {@code channel}'s release, which the terminal event waits for (P5). */
  private void watchRelease(Channel channel) {
    CompletableFuture<Void> released;
    try {
      released = channel.released().toCompletableFuture();
    } catch (RuntimeException e) {
      effectFailed("Channel.released()", e);
      return;
    }
    if (released.isDone()) {
      return;
    }
    if (releasing == null) {
      releasing = new ArrayList<>(2);
    }
    releasing.removeIf(CompletableFuture::isDone);
    releasing.add(released);
  }

  /**
   * Holds {@code terminal} back while a channel this connection opened still holds something
   * outside the JVM (a child process being torn down), and emits it on the context once all are
   * released (P5). The machine is terminal already, so nothing else is emitted meanwhile; a
   * subscriber added meanwhile gets the event before it, then this one. An open that completes
   * after the terminal event is not waited for: its channel is closed at once (the process
   * transport's opens complete before they return, so it has none).
   *
   * @return whether the event was held
   */
  private boolean heldUntilReleased(LifecycleEvent terminal) {
    if (releasing == null) {
      return false;
    }
    releasing.removeIf(CompletableFuture::isDone);
    if (releasing.isEmpty()) {
      return false;
    }
    var unused =
        CompletableFuture.allOf(releasing.toArray(new CompletableFuture<?>[0]))
            .whenComplete((ok, err) -> onContext(() -> released(terminal, err)));
    return true;
  }

  private void released(LifecycleEvent terminal, Throwable error) {
    if (error != null) {
      log.warn("{}: a channel failed to release: {}", config.name(), Causes.describe(error));
    }
    releasing = null;
    emit(terminal);
  }

  private void deliver(Sub sub, LifecycleEvent event) {
    if (sub.cancelled) {
      return;
    }
    try {
      sub.listener.onEvent(event);
    } catch (RuntimeException | AssertionError e) {
      // R2: one listener's failure must not stop the others or the driver.
      log.warn("{}: lifecycle listener threw on {}", config.name(), event.name(), e);
    }
  }

  private void terminate(ConnectionState terminal) {
    subscribers = NO_SUBS;
    if (timers != null || channels != null) {
      // The machine releases everything before its terminal event; reaching here is a bug.
      List<Timer> leakedTimers = new ArrayList<>();
      for (Timer t = timers; t != null; t = t.next) {
        leakedTimers.add(t);
      }
      List<Slot> leakedChannels = new ArrayList<>();
      for (Slot slot = channels; slot != null; slot = slot.next) {
        leakedChannels.add(slot);
      }
      log.error(
          "{}: leaked at termination: timers={} channels={}",
          config.name(),
          leakedTimers,
          leakedChannels);
      timers = null;
      leakedTimers.forEach(t -> cancelGuarded(t.cancellable));
      leakedChannels.forEach(slot -> closeChannel(slot.id));
    }
    terminated.complete(terminal);
    if (config.ownsScheduler() && scheduler instanceof ExecutorScheduler owned) {
      owned.close();
    }
  }

  // ---------------------------------------------------------------- guarded SPI calls (I1)

  // A Channel or Scheduler call that throws must not stop the effects after it, above all the
  // terminal Emit: each is logged, counted and skipped.

  private void closeGuarded(Channel channel) {
    try {
      channel.close();
    } catch (RuntimeException e) {
      effectFailed("Channel.close()", e);
    }
  }

  private void cancelGuarded(Scheduler.Cancellable timer) {
    try {
      timer.cancel();
    } catch (RuntimeException e) {
      // If the timer still fires, fire() finds no entry for it and ignores it.
      effectFailed("Scheduler.Cancellable.cancel()", e);
    }
  }

  private void effectFailed(String call, RuntimeException e) {
    long n = EFFECT_FAILURES.incrementAndGet(this);
    log.warn("{}: {} threw (effect failure #{}); skipped", config.name(), call, n, e);
  }

  // ---------------------------------------------------------------- types

  // ---------------------------------------------------------------- the intrusive lists

  /** The listed channel of {@code id}, or null. */
  private Slot slot(long id) {
    for (Slot slot = channels; slot != null; slot = slot.next) {
      if (slot.id == id) {
        return slot;
      }
    }
    return null;
  }

  /** Lists {@code slot}, replacing a listed one of the same id (as a map would). */
  private void addSlot(Slot slot) {
    Slot same = slot(slot.id);
    if (same != null) {
      removeSlot(same);
    }
    slot.next = channels;
    channels = slot;
  }

  /** Unlists {@code slot}; whether it was listed. */
  private boolean removeSlot(Slot slot) {
    boolean listed = listed(channels, slot);
    channels = unlink(channels, slot);
    return listed;
  }

  /** Unlists and returns the live timer of {@code kind} for {@code attemptId}, or null. */
  private Timer removeTimer(Effect.TimerKind kind, long attemptId) {
    for (Timer t = timers; t != null; t = t.next) {
      if (t.kind == kind && t.attemptId == attemptId) {
        removeTimer(t);
        return t;
      }
    }
    return null;
  }

  /** Unlists {@code timer}; whether it was live. */
  private boolean removeTimer(Timer timer) {
    boolean listed = listed(timers, timer);
    timers = unlink(timers, timer);
    return listed;
  }

  /** Whether {@code node} is in the list that starts at {@code head}. */
  private static <N extends Node<N>> boolean listed(N head, N node) {
    for (N n = head; n != null; n = n.next) {
      if (n == node) {
        return true;
      }
    }
    return false;
  }

  /**
   * The list that starts at {@code head} without {@code node}, whose link is cleared; the same list
   * if {@code node} is not in it.
   */
  private static <N extends Node<N>> N unlink(N head, N node) {
    if (head == node) {
      N rest = node.next;
      node.next = null;
      return rest;
    }
    for (N n = head; n != null; n = n.next) {
      if (n.next == node) {
        n.next = node.next;
        node.next = null;
        break;
      }
    }
    return head;
  }

  // ---------------------------------------------------------------- types

  /** An element of one of the intrusive lists (channels, timers): its link to the next one. */
  private abstract static class Node<N extends Node<N>> {
    N next;
  }

  /** A live timer, and the task the scheduler runs when it fires (no lambda per timer). */
  private final class Timer extends Node<Timer> implements Runnable {
    Effect.TimerKind kind; // kind and attempt change only when a fired timer is reused
    long attemptId;
    Scheduler.Cancellable cancellable; // set once scheduled

    Timer(Effect.TimerKind kind, long attemptId) {
      this.kind = kind;
      this.attemptId = attemptId;
    }

    Effect.TimerKind kind() {
      return kind;
    }

    long attemptId() {
      return attemptId;
    }

    @Override
    public void run() {
      fire(this);
    }

    @Override
    public String toString() {
      return kind + " timer of attempt " + attemptId;
    }
  }

  /**
   * One channel, from the request to open it until it ends. It is also the callback of the
   * transport's open ({@link BiFunction}, for {@code handle}): one object per attempt, no lambda.
   */
  private final class Slot extends Node<Slot>
      implements ChannelListener, BiFunction<Channel, Throwable, Void> {
    final long id;
    // Read backpressure (R4), made when first needed: a frame hopped off the context, or reading
    // held. A channel that delivers on the context and is never held needs none; one per attempt
    // was 1.9 % of the allocation samples of B1's driver row (TransitionBenchmark.tetherDriver,
    // 2026-11-30). Volatile, like channel: the transport's thread may make it (see gate()).
    volatile ReadGate gate;
    // The transport's channel once open; wrapped in a WriteWatch once a layer asked for it
    // (exposed()), unless the write timeout is off.
    volatile Channel channel;
    URI endpoint; // once resolved
    boolean resolving;
    boolean asking; // the connect parameters provider
    boolean abandoned;
    boolean ended;
    Cause endCause;

    Slot(long id) {
      this.id = id;
    }

    /**
     * Handles {@code frame} at once when the transport delivers on the connection's context;
     * otherwise hops it there, counted by the gate, which stops reading while too many wait.
     */
    @Override
    public void onFrame(byte[] frame) {
      if (scheduler.inContext()) {
        frameArrived(this, frame);
        return;
      }
      gate().arrived();
      onContext(() -> hopped(frame));
    }

    private void hopped(byte[] frame) {
      try {
        frameArrived(this, frame);
      } finally {
        gate.handled(); // made by arrived(), which this hop follows
      }
    }

    /** The open completed with {@code opened}: a gate made before now starts acting on it. */
    void attach(Channel opened) {
      channel = opened; // published before gate is read: a gate made meanwhile attaches it itself
      ReadGate g = gate;
      if (g != null) {
        g.attach(opened);
      }
    }

    /**
     * This channel's gate, made on first use, from any thread. Whichever of this and {@link
     * #attach} runs second sees the other's write (both fields are volatile), so the gate always
     * learns the channel; learning it twice is harmless.
     */
    ReadGate gate() {
      ReadGate g = gate;
      if (g != null) {
        return g;
      }
      g = new ReadGate();
      if (!GATE.compareAndSet(this, null, g)) {
        return gate; // another thread's won
      }
      Channel opened = channel;
      if (opened != null) {
        g.attach(opened);
      }
      return g;
    }

    @Override
    public void onClosed(Cause cause) {
      if (scheduler.inContext()) {
        channelEnded(this, cause); // no task to build
      } else {
        onContext(() -> channelEnded(this, cause));
      }
    }

    /** The transport's open completed. */
    @Override
    public Void apply(Channel opened, Throwable error) {
      if (scheduler.inContext()) {
        openCompleted(this, opened, error); // no task to build
      } else {
        onContext(() -> openCompleted(this, opened, error));
      }
      return null;
    }

    @Override
    public String toString() {
      return "channel#" + id;
    }
  }

  private final class Sub implements Subscription {
    final LifecycleListener listener;
    volatile boolean cancelled;

    Sub(LifecycleListener listener) {
      this.listener = listener;
    }

    @Override
    public void cancel() {
      cancelled = true;
      onContext(this::unlist);
    }

    private void unlist() {
      Sub[] subs = subscribers;
      for (int i = 0; i < subs.length; i++) {
        if (subs[i] == this) {
          Sub[] shrunk = new Sub[subs.length - 1];
          System.arraycopy(subs, 0, shrunk, 0, i);
          System.arraycopy(subs, i + 1, shrunk, i, subs.length - i - 1);
          subscribers = shrunk.length == 0 ? NO_SUBS : shrunk;
          return;
        }
      }
    }
  }

  /** Maps exceptions from the SPIs to causes. */
  static final class Causes {
    private Causes() {}

    /** Bounds the walk down a cause chain: a cycle or a freak nesting must not hang the driver. */
    private static final int MAX_CHAIN = 32;

    static Cause openFailed(Throwable t) {
      Cause.Detail detail = detailOf(t);
      return detail == null
          ? Cause.of(Cause.Kind.OPEN_FAILED, describe(t))
          : Cause.of(Cause.Kind.OPEN_FAILED, describe(t), detail);
    }

    /**
     * The detail a transport attached ({@link ChannelOpenException}), or {@code
     * CertificateRejected} for a {@link java.security.cert.CertificateException} in the chain
     * (untrusted certificate, host name mismatch: the JDK's TLS engines report both that way); null
     * if neither.
     */
    private static Cause.Detail detailOf(Throwable t) {
      Throwable c = t;
      for (int i = 0; c != null && i < MAX_CHAIN; i++, c = c.getCause()) {
        if (c instanceof ChannelOpenException open && open.detail() != null) {
          return open.detail();
        }
        if (c instanceof java.security.cert.CertificateException) {
          return new Cause.Detail.CertificateRejected();
        }
      }
      return null;
    }

    static Cause handshakeFailed(Throwable t) {
      return Cause.of(Cause.Kind.HANDSHAKE_FAILED, describe(t));
    }

    static String describe(Throwable t) {
      Throwable root = t;
      while ((root instanceof CompletionException
              || root instanceof java.util.concurrent.ExecutionException)
          && root.getCause() != null) {
        root = root.getCause();
      }
      String msg = root.getMessage();
      return msg == null || msg.isBlank() ? root.getClass().getSimpleName() : msg;
    }
  }
}
