package dev.tether.model.reference;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tether.machine.BackoffPolicy;
import dev.tether.machine.Cause;
import dev.tether.machine.ConnectionMachine;
import dev.tether.machine.ConnectionState;
import dev.tether.machine.Effect;
import dev.tether.machine.Input;
import dev.tether.machine.MachineState;
import dev.tether.machine.Transition;
import dev.tether.machine.Verdict;
import dev.tether.model.prop.Property;
import dev.tether.model.reference.SpringReferenceMachine.E;
import dev.tether.runtime.PlantedMachineBugs;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/**
 * Differential test: random input sequences, at random times and with random jitter draws, drive
 * {@link ConnectionMachine} and the independent Spring Statemachine {@link SpringReferenceMachine};
 * after every input both must agree on the stage, on the {@link ConnectionState} (attempt, limit,
 * delay, cause, epoch, terminal cause and attempts), and on the effects, in order: every timer
 * started (with its delay) and cancelled, every open, close and handshake, and every event emitted
 * (with its epoch, attempts, downtime, delay and cause). Inputs naming a stale attempt, up to three
 * attempts back, must change nothing (a stale open is closed). Policies with and without a
 * handshake, with a retry budget and unlimited, with fail-fast, with and without the flap guard.
 *
 * <p>After every input the flap guard (I10) is also checked directly, against a count of the losses
 * kept by this test: with the guard on, never more than the limit of losses within the window while
 * the connection goes on, and {@code PermanentlyDisconnected(FLAPPING)} exactly at the loss that
 * crosses the limit; with the guard off, never {@code FLAPPING}.
 *
 * <p>Sequences also carry verdicts and {@code reconnectNow}: failures judged fatal (which must end
 * the connection at once, {@code FATAL}, at the attempt that failed), prompt failures and losses
 * (the outage's first retry waits nothing, later ones the policy's delay), and retries now (the
 * attempt being waited for opens, with its number), also in whole cycles, so they meet the flap
 * guard.
 *
 * <p>{@link #plantedMachineBugsSlipPastTheShallowComparisonButNotTheDeepOne} shows why the deep
 * comparison is needed: each bug of {@link PlantedMachineBugs} passes the comparison this test
 * first made (state name and attempt only) on every seed, and fails the deep one.
 */
class ReferenceModelTest {
  /** Sequences per policy: Spring builds a machine per sequence (~1 ms), so this stays ~1 s. */
  static final int SEEDS = 100;

  /** Inputs per sequence: long enough for several outages, losses and an exhausted budget. */
  static final int LENGTH = 80;

  static final int MAX_ATTEMPTS = 3;

  static final int UNLIMITED = ConnectionState.UNLIMITED;

  /**
   * The backoff, explicit so that the reference reads the same numbers the policy is built from.
   */
  static final Duration INITIAL_DELAY = Duration.ofMillis(100);

  static final double MULTIPLIER = 1.6;

  static final Duration MAX_DELAY = Duration.ofSeconds(2);

  static final double JITTER = 0.2;

  static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(4);

  /**
   * The policies under test: no flap guard, and limits and windows that sequences of this length
   * cross often, but not always (a connection cycle takes a few seconds of generated time). The
   * larger limits come with unlimited attempts, so that an exhausted retry budget does not end most
   * sequences before they have lost their connection often enough. Half run a handshake; two fail
   * fast; one retries for ever without a guard.
   */
  static final List<Guard> GUARDS =
      List.of(
          new Guard(MAX_ATTEMPTS, UNLIMITED, Duration.ZERO, true, false),
          new Guard(MAX_ATTEMPTS, 1, Duration.ofSeconds(3), true, true),
          new Guard(UNLIMITED, 2, Duration.ofSeconds(8), false, false),
          new Guard(UNLIMITED, 3, Duration.ofSeconds(10), true, false),
          new Guard(MAX_ATTEMPTS, UNLIMITED, Duration.ZERO, false, true),
          new Guard(UNLIMITED, UNLIMITED, Duration.ZERO, false, false));

  /** Seeds per policy on which each planted bug must pass the shallow comparison. */
  static final int SHALLOW_SEEDS = 25;

  /** Longest pause drawn between two inputs (one in four; the others are ten times shorter). */
  static final int MAX_PAUSE_MILLIS = 5_000;

  private static final List<E> EVENTS = List.of(E.values());

  /**
   * The inputs that carry a connection round its cycle, in order: drawn as a chunk half the time; a
   * quarter of those cycles retry now instead of waiting, and lose the channel promptly.
   */
  private static final List<E> CYCLE = List.of(E.BACKOFF, E.OPENED, E.HANDSHAKE_OK, E.LOST);

  private static final List<E> CYCLE_NOW =
      List.of(E.RECONNECT_NOW, E.OPENED, E.HANDSHAKE_OK, E.LOST_PROMPT);

  /** Now and then a cycle is closed while its channel is open but not up (handshaking). */
  private static final List<E> CYCLE_CLOSED = List.of(E.BACKOFF, E.OPENED, E.CLOSE);

  /** Fatal inputs end a sequence: drawn rarely, like a close, so sequences get far enough. */
  private static final Map<E, E> RARE =
      Map.of(
          E.CLOSE, E.LOST,
          E.OPEN_FAILED_FATAL, E.OPEN_FAILED,
          E.HANDSHAKE_FAILED_FATAL, E.HANDSHAKE_FAILED,
          E.LOST_FATAL, E.LOST);

  /**
   * Attempts per outage, a flap limit and window (negative is unlimited, or no flap guard), whether
   * an opened channel runs a handshake, and whether a failed first attempt ends the connection.
   */
  record Guard(int maxAttempts, int limit, Duration window, boolean handshake, boolean failFast) {
    BackoffPolicy policy() {
      BackoffPolicy.Builder b =
          BackoffPolicy.builder()
              .exponential(INITIAL_DELAY, MULTIPLIER, MAX_DELAY)
              .jitter(JITTER)
              .connectTimeout(CONNECT_TIMEOUT)
              .failFastOnFirstConnect(failFast);
      b = maxAttempts < 0 ? b.unlimitedAttempts() : b.maxAttempts(maxAttempts);
      return limit < 0 ? b.noFlapGuard().build() : b.flapLimit(limit, window).build();
    }

    SpringReferenceMachine.Params params() {
      return new SpringReferenceMachine.Params(
          maxAttempts,
          limit,
          window,
          handshake,
          failFast,
          INITIAL_DELAY,
          MULTIPLIER,
          MAX_DELAY,
          JITTER,
          CONNECT_TIMEOUT);
    }
  }

  /**
   * One generated input: an event, how many attempts back the attempt it names is (0: the current
   * one), the pause before it, the failure's cause, and the random draw for a delay it computes.
   */
  record Step(E event, int back, long pauseMillis, Cause cause, double random) {}

  /** The kinds a generated failure's cause has; its message is drawn too, sometimes empty. */
  private static final List<Cause.Kind> KINDS =
      List.of(
          Cause.Kind.CHANNEL_ERROR,
          Cause.Kind.CHANNEL_CLOSED,
          Cause.Kind.OPEN_FAILED,
          Cause.Kind.HANDSHAKE_FAILED,
          Cause.Kind.HEARTBEAT_MISSED);

  /**
   * Sequences that ended FLAPPING; losses survived although over the limit in total; losses whose
   * verdict a window restarted when it runs out (instead of sliding) would have got wrong.
   */
  private final AtomicLong flapped = new AtomicLong();

  private final AtomicLong slidOut = new AtomicLong();

  private final AtomicLong slidingMattered = new AtomicLong();

  /** Coverage of the verdicts and of retrying now: fatal ends, prompt attempts, skipped delays. */
  private final AtomicLong fatalEnds = new AtomicLong();

  private final AtomicLong promptAttempts = new AtomicLong();

  private final AtomicLong retriedNow = new AtomicLong();

  /** Coverage of stale inputs two or more attempts back, of fail-fast, of handshakes. */
  private final AtomicLong staleFromFurtherBack = new AtomicLong();

  private final AtomicLong failedFast = new AtomicLong();

  private final AtomicLong handshakes = new AtomicLong();

  @Test
  void machineAndSpringReferenceAgreeOnEveryStateAndEffectAndTheFlapGuardHolds() {
    for (Guard guard : GUARDS) {
      Property.forAll(
          "machine = Spring reference, I10, " + guard,
          getClass(),
          SEEDS,
          ReferenceModelTest::steps,
          steps -> compare(guard, steps, (input, t) -> t, true));
    }
    if (!Property.replaying()) {
      assertThat(flapped.get()).as("sequences ended by the flap guard").isPositive();
      assertThat(slidOut.get()).as("losses that survived because older ones slid out").isPositive();
      assertThat(slidingMattered.get())
          .as("losses judged differently by a window that restarts instead of sliding")
          .isPositive();
      assertThat(fatalEnds.get()).as("sequences ended by a fatal failure").isPositive();
      assertThat(promptAttempts.get()).as("attempts that skipped their delay").isPositive();
      assertThat(retriedNow.get()).as("backoffs cut short by reconnectNow").isPositive();
      assertThat(staleFromFurtherBack.get())
          .as("stale inputs two or more attempts back")
          .isPositive();
      assertThat(failedFast.get()).as("initial connects ended by fail-fast").isPositive();
      assertThat(handshakes.get()).as("handshakes started").isPositive();
    }
  }

  /**
   * Each planted bug passes the shallow comparison (state name and attempt, what this test compared
   * at first) on every seed of every policy, and the deep comparison catches it within them.
   */
  @Test
  void plantedMachineBugsSlipPastTheShallowComparisonButNotTheDeepOne() {
    Map<String, Supplier<PlantedMachineBugs.Variant>> bugs = new LinkedHashMap<>();
    bugs.put(
        "backoff timer not cancelled on close", PlantedMachineBugs::backoffCancelDroppedOnClose);
    bugs.put(
        "channel kept on close during handshake",
        PlantedMachineBugs::channelKeptOnCloseDuringHandshake);
    bugs.put(
        "late channel two attempts back kept",
        PlantedMachineBugs::lateChannelKeptFromTwoAttemptsBack);
    bugs.put(
        "backoff timer truncated to seconds", PlantedMachineBugs::backoffTimerTruncatedToSeconds);
    bugs.put(
        "connect timer of the previous attempt cancelled",
        PlantedMachineBugs::connectTimerCancelledForThePreviousAttempt);
    bugs.put(
        "Reconnected names the previous epoch",
        PlantedMachineBugs::reconnectedNamesThePreviousEpoch);
    bugs.put("fatal end loses its message", PlantedMachineBugs::fatalEndLosesTheFailuresMessage);
    for (var bug : bugs.entrySet()) {
      String caught = null;
      for (Guard guard : GUARDS) {
        for (long seed = 1; seed <= SEEDS; seed++) {
          List<Step> steps = steps(new SplittableRandom(seed));
          if (seed <= SHALLOW_SEEDS) {
            compare(guard, steps, bug.getValue().get(), false); // throws if the shallow one sees it
          }
          if (caught == null) {
            try {
              compare(guard, steps, bug.getValue().get(), true);
            } catch (AssertionError e) {
              caught = guard + " seed " + seed + ": " + e.getMessage().lines().findFirst();
            }
          }
        }
      }
      assertThat(caught).as("the deep comparison catches '%s'", bug.getKey()).isNotNull();
      System.out.println("planted '" + bug.getKey() + "' caught: " + caught);
    }
  }

  /** A sequence: START, then single inputs and whole connection cycles, each with its pause. */
  static List<Step> steps(SplittableRandom random) {
    List<Step> steps = new ArrayList<>();
    steps.add(new Step(E.START, 0, 0, cause(random), random.nextDouble()));
    while (steps.size() <= LENGTH) {
      // Often a whole connection cycle in order, so connections are lost many times.
      boolean cycle = random.nextBoolean();
      boolean closing = cycle && random.nextInt(40) == 0;
      List<E> chunk =
          closing
              ? CYCLE_CLOSED
              : cycle
                  ? (random.nextInt(4) == 0 ? CYCLE_NOW : CYCLE)
                  : List.of(EVENTS.get(random.nextInt(EVENTS.size())));
      for (E drawn : chunk) {
        // Close and fail fatally rarely, so sequences get past the first few inputs.
        E e =
            RARE.containsKey(drawn) && !closing && random.nextInt(8) != 0 ? RARE.get(drawn) : drawn;
        boolean hasId = e != E.START && e != E.CLOSE && e != E.RECONNECT_NOW;
        long pause =
            random.nextInt(4) == 0
                ? random.nextInt(MAX_PAUSE_MILLIS)
                : random.nextInt(MAX_PAUSE_MILLIS / 10);
        int back = hasId && random.nextInt(6) == 0 ? 1 + random.nextInt(3) : 0;
        steps.add(new Step(e, back, pause, cause(random), random.nextDouble()));
      }
    }
    return steps;
  }

  private static Cause cause(SplittableRandom random) {
    Cause.Kind kind = KINDS.get(random.nextInt(KINDS.size()));
    return Cause.of(kind, random.nextInt(8) == 0 ? "" : "failure " + random.nextInt(1000));
  }

  /**
   * Runs {@code steps} through the machine (its transitions rewritten by {@code bug}) and the
   * reference, comparing after every step: always the shallow description and the flap guard, and
   * with {@code deep} also the full state and the effects.
   */
  void compare(Guard guard, List<Step> steps, PlantedMachineBugs.Variant bug, boolean deep) {
    SpringReferenceMachine reference;
    try {
      reference = new SpringReferenceMachine(guard.params());
    } catch (Exception e) {
      throw new IllegalStateException("cannot build the reference machine", e);
    }
    ConnectionMachine machine = new ConnectionMachine(guard.policy(), guard.handshake());
    MachineState state = MachineState.initial();
    List<Long> losses = new ArrayList<>();
    List<Long> restarted = new ArrayList<>(); // the losses of a window that restarts: coverage only
    long now = 0;
    for (int i = 0; i < steps.size(); i++) {
      Step step = steps.get(i);
      now += Duration.ofMillis(step.pauseMillis()).toNanos();
      long id = reference.currentId() - step.back();
      boolean loss =
          (step.event() == E.LOST || step.event() == E.LOST_PROMPT)
              && step.back() == 0
              && state.stage() instanceof MachineState.Stage.Up;
      boolean wasFlapping = flapping(state.state());
      boolean waiting = state.stage() instanceof MachineState.Stage.Waiting;
      MachineState before = state;
      Input input = input(step, id);
      Transition t = bug.apply(input, machine.step(state, input, now, step.random()));
      state = t.next();
      count(step, before, state, waiting, t);
      List<Effect> expected = reference.send(step.event(), id, step.cause(), now, step.random());
      String where = "after step " + (i + 1) + " " + step + " (input " + input + ")";
      assertThat(describe(state)).as(where).isEqualTo(reference.describe());
      if (deep) {
        assertThat(stage(state)).as("%s: stage", where).isEqualTo(reference.stage());
        assertThat(state.state()).as("%s: state", where).isEqualTo(reference.state());
        assertThat(t.effects()).as("%s: effects", where).isEqualTo(expected);
      }
      if (loss) {
        losses.add(now);
        countRestartedWindow(guard, restarted, now, within(guard, losses, now));
      }
      if (!loss) {
        assertThat(flapping(state.state()))
            .as("%s: FLAPPING only at a loss", where)
            .isEqualTo(wasFlapping);
      }
      checkFlapGuard(guard, state.state(), loss, within(guard, losses, now), losses.size(), where);
    }
  }

  private static SpringReferenceMachine.S stage(MachineState m) {
    MachineState.Stage s = m.stage();
    if (s instanceof MachineState.Stage.NotStarted) {
      return SpringReferenceMachine.S.IDLE;
    }
    if (s instanceof MachineState.Stage.Waiting) {
      return SpringReferenceMachine.S.WAITING;
    }
    if (s instanceof MachineState.Stage.Opening) {
      return SpringReferenceMachine.S.OPENING;
    }
    if (s instanceof MachineState.Stage.Handshaking) {
      return SpringReferenceMachine.S.HANDSHAKING;
    }
    if (s instanceof MachineState.Stage.Up) {
      return SpringReferenceMachine.S.UP;
    }
    return m.state() instanceof ConnectionState.Closed
        ? SpringReferenceMachine.S.CLOSED
        : SpringReferenceMachine.S.PERMANENT;
  }

  /** I10 after one step; {@code within} counts the losses less than a window old, this one too. */
  private void checkFlapGuard(
      Guard guard, ConnectionState s, boolean loss, int within, int total, String where) {
    boolean flapping = flapping(s);
    if (guard.limit() < 0) {
      assertThat(flapping).as("%s: FLAPPING without a flap guard", where).isFalse();
      return;
    }
    if (!s.isTerminal()) {
      assertThat(within)
          .as("%s: losses within %s while the connection goes on", where, guard.window())
          .isLessThanOrEqualTo(guard.limit());
    }
    if (loss) {
      assertThat(flapping)
          .as("%s: loss %d within %s, limit %d", where, within, guard.window(), guard.limit())
          .isEqualTo(within > guard.limit());
      if (flapping) {
        flapped.incrementAndGet();
      } else if (total > guard.limit()) {
        slidOut.incrementAndGet();
      }
    }
  }

  /** Coverage of the verdicts; and I2 for reconnectNow: the attempt it opens keeps its number. */
  private void count(
      Step step, MachineState before, MachineState after, boolean waiting, Transition t) {
    if (step.back() >= 2 && !before.state().isTerminal()) {
      staleFromFurtherBack.incrementAndGet();
    }
    if (after.state() instanceof ConnectionState.PermanentlyDisconnected pd
        && pd.attempts() == 1
        && !before.state().isTerminal()
        && before.state() instanceof ConnectionState.Connecting
        && pd.cause().kind() != Cause.Kind.FATAL) {
      failedFast.incrementAndGet();
    }
    if (t.effects().stream().anyMatch(e -> e instanceof Effect.StartHandshake)) {
      handshakes.incrementAndGet();
    }
    if (after.state() instanceof ConnectionState.PermanentlyDisconnected pd
        && pd.cause().kind() == Cause.Kind.FATAL
        && !before.state().isTerminal()) {
      fatalEnds.incrementAndGet();
    }
    if (after.stage() instanceof MachineState.Stage.Waiting w
        && w.attempt().delay().isZero()
        && !(before.stage() instanceof MachineState.Stage.Waiting)) {
      promptAttempts.incrementAndGet();
    }
    if (step.event() == E.RECONNECT_NOW && waiting) {
      retriedNow.incrementAndGet();
      assertThat(after.state()).as("reconnectNow keeps the state").isEqualTo(before.state());
      assertThat(after.stage()).isInstanceOf(MachineState.Stage.Opening.class);
    }
  }

  /** Coverage: whether a window restarted when its first loss runs out would judge differently. */
  private void countRestartedWindow(Guard guard, List<Long> restarted, long now, int within) {
    if (guard.limit() < 0) {
      return;
    }
    if (!restarted.isEmpty() && now - restarted.get(0) >= guard.window().toNanos()) {
      restarted.clear();
    }
    restarted.add(now);
    if ((restarted.size() > guard.limit()) != (within > guard.limit())) {
      slidingMattered.incrementAndGet();
    }
  }

  private static boolean flapping(ConnectionState s) {
    return s instanceof ConnectionState.PermanentlyDisconnected pd
        && pd.cause().kind() == Cause.Kind.FLAPPING;
  }

  private static int within(Guard guard, List<Long> losses, long now) {
    int n = 0;
    for (long t : losses) {
      if (now - t < guard.window().toNanos()) {
        n++;
      }
    }
    return n;
  }

  private static Input input(Step step, long id) {
    Cause cause = step.cause();
    return switch (step.event()) {
      case START -> new Input.Start();
      case OPENED -> new Input.ChannelOpened(id);
      case OPEN_FAILED -> new Input.ChannelOpenFailed(id, cause);
      case HANDSHAKE_OK -> new Input.HandshakeSucceeded(id);
      case HANDSHAKE_FAILED -> new Input.HandshakeFailed(id, cause);
      case TIMEOUT -> new Input.ConnectTimedOut(id);
      case LOST -> new Input.ChannelLost(id, cause);
      case BACKOFF -> new Input.BackoffElapsed(id);
      case CLOSE -> new Input.CloseRequested(SpringReferenceMachine.CLOSE_REASON);
      case OPEN_FAILED_FATAL -> new Input.ChannelOpenFailed(id, cause, Verdict.FATAL);
      case HANDSHAKE_FAILED_FATAL -> new Input.HandshakeFailed(id, cause, Verdict.FATAL);
      case LOST_FATAL -> new Input.ChannelLost(id, cause, Verdict.FATAL);
      case OPEN_FAILED_PROMPT -> new Input.ChannelOpenFailed(id, cause, Verdict.RETRY_PROMPTLY);
      case HANDSHAKE_FAILED_PROMPT -> new Input.HandshakeFailed(id, cause, Verdict.RETRY_PROMPTLY);
      case LOST_PROMPT -> new Input.ChannelLost(id, cause, Verdict.RETRY_PROMPTLY);
      case RECONNECT_NOW -> new Input.ReconnectNow();
    };
  }

  /** As {@link SpringReferenceMachine#describe()}: the stage tells waiting from opening. */
  private static String describe(MachineState m) {
    ConnectionState s = m.state();
    String waiting = m.stage() instanceof MachineState.Stage.Waiting ? " waiting" : "";
    if (s instanceof ConnectionState.Connecting c) {
      boolean prompt = c.attempt() > 1 && c.delay().isZero();
      return "Connecting " + c.attempt() + waiting + (prompt ? " promptly" : "");
    }
    if (s instanceof ConnectionState.Reconnecting r) {
      return "Reconnecting " + r.attempt() + waiting + (r.delay().isZero() ? " promptly" : "");
    }
    if (s instanceof ConnectionState.PermanentlyDisconnected p) {
      Cause.Kind kind = p.cause().kind();
      return kind == Cause.Kind.FLAPPING || kind == Cause.Kind.FATAL
          ? "PermanentlyDisconnected " + kind + " " + p.attempts()
          : "PermanentlyDisconnected " + p.attempts();
    }
    return s.name();
  }
}
