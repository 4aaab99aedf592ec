package dev.tether.model.reference;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tether.machine.BackoffPolicy;
import dev.tether.machine.Cause;
import dev.tether.machine.ConnectionMachine;
import dev.tether.machine.ConnectionState;
import dev.tether.machine.Input;
import dev.tether.machine.MachineState;
import dev.tether.machine.Verdict;
import dev.tether.model.prop.Property;
import dev.tether.model.reference.SpringReferenceMachine.E;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * Differential test: random input sequences, at random times, drive {@link ConnectionMachine} and
 * the independent Spring Statemachine {@link SpringReferenceMachine}; after every input both must
 * be in the same state with the same attempt number (and the same {@code FLAPPING} verdict). Stale
 * inputs (naming an old attempt) must change nothing.
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
 * guard. The stage is compared too: waiting out a backoff, or not.
 */
class ReferenceModelTest {
  /** Sequences per policy: Spring builds a machine per sequence (~1 ms), so this stays ~1 s. */
  static final int SEEDS = 100;

  /** Inputs per sequence: long enough for several outages, losses and an exhausted budget. */
  static final int LENGTH = 80;

  static final int MAX_ATTEMPTS = 3;

  /**
   * The policies under test: no flap guard, and limits and windows that sequences of this length
   * cross often, but not always (a connection cycle takes a few seconds of generated time). The
   * larger limits come with unlimited attempts, so that an exhausted retry budget does not end most
   * sequences before they have lost their connection often enough.
   */
  static final List<Guard> GUARDS =
      List.of(
          new Guard(MAX_ATTEMPTS, ConnectionState.UNLIMITED, Duration.ZERO),
          new Guard(MAX_ATTEMPTS, 1, Duration.ofSeconds(3)),
          new Guard(ConnectionState.UNLIMITED, 2, Duration.ofSeconds(8)),
          new Guard(ConnectionState.UNLIMITED, 3, Duration.ofSeconds(10)));

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

  /** Fatal inputs end a sequence: drawn rarely, like a close, so sequences get far enough. */
  private static final Map<E, E> RARE =
      Map.of(
          E.CLOSE, E.LOST,
          E.OPEN_FAILED_FATAL, E.OPEN_FAILED,
          E.HANDSHAKE_FAILED_FATAL, E.HANDSHAKE_FAILED,
          E.LOST_FATAL, E.LOST);

  /** Attempts per outage, a flap limit and window; negative is unlimited, or no flap guard. */
  record Guard(int maxAttempts, int limit, Duration window) {
    BackoffPolicy policy() {
      BackoffPolicy.Builder b = BackoffPolicy.builder();
      b = maxAttempts < 0 ? b.unlimitedAttempts() : b.maxAttempts(maxAttempts);
      return limit < 0 ? b.noFlapGuard().build() : b.flapLimit(limit, window).build();
    }
  }

  /** One generated input: an event, whether it names a stale attempt, and the pause before it. */
  record Step(E event, boolean stale, long pauseMillis) {}

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

  @Test
  void machineAndSpringReferenceAgreeOnEveryStateAndTheFlapGuardHolds() {
    for (Guard guard : GUARDS) {
      Property.forAll(
          "machine = Spring reference, I10, " + guard,
          getClass(),
          SEEDS,
          random -> {
            List<Step> steps = new ArrayList<>();
            steps.add(new Step(E.START, false, 0));
            while (steps.size() <= LENGTH) {
              // Often a whole connection cycle in order, so connections are lost many times.
              List<E> chunk =
                  random.nextBoolean()
                      ? (random.nextInt(4) == 0 ? CYCLE_NOW : CYCLE)
                      : List.of(EVENTS.get(random.nextInt(EVENTS.size())));
              for (E drawn : chunk) {
                // Close and fail fatally rarely, so sequences get past the first few inputs.
                E e = RARE.containsKey(drawn) && random.nextInt(8) != 0 ? RARE.get(drawn) : drawn;
                boolean hasId = e != E.START && e != E.CLOSE && e != E.RECONNECT_NOW;
                long pause =
                    random.nextInt(4) == 0
                        ? random.nextInt(MAX_PAUSE_MILLIS)
                        : random.nextInt(MAX_PAUSE_MILLIS / 10);
                steps.add(new Step(e, hasId && random.nextInt(6) == 0, pause));
              }
            }
            return steps;
          },
          steps -> compare(guard, steps));
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
    }
  }

  void compare(Guard guard, List<Step> steps) {
    SpringReferenceMachine reference;
    try {
      reference = new SpringReferenceMachine(guard.maxAttempts(), guard.limit(), guard.window());
    } catch (Exception e) {
      throw new IllegalStateException("cannot build the reference machine", e);
    }
    ConnectionMachine machine = new ConnectionMachine(guard.policy(), true);
    MachineState state = MachineState.initial();
    List<Long> losses = new ArrayList<>();
    List<Long> restarted = new ArrayList<>(); // the losses of a window that restarts: coverage only
    long now = 0;
    for (int i = 0; i < steps.size(); i++) {
      Step step = steps.get(i);
      now += Duration.ofMillis(step.pauseMillis()).toNanos();
      boolean loss =
          (step.event() == E.LOST || step.event() == E.LOST_PROMPT)
              && !step.stale()
              && state.stage() instanceof MachineState.Stage.Up;
      boolean wasFlapping = flapping(state.state());
      boolean waiting = state.stage() instanceof MachineState.Stage.Waiting;
      MachineState before = state;
      state = machine.step(state, input(state, step), now, 0.5).next();
      count(step, before, state, waiting);
      if (!step.stale()) {
        reference.send(step.event(), now);
      }
      String where = "after step " + (i + 1) + " " + step;
      assertThat(describe(state)).as(where).isEqualTo(reference.describe());
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
  private void count(Step step, MachineState before, MachineState after, boolean waiting) {
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

  private static Input input(MachineState state, Step step) {
    long id = currentId(state) - (step.stale() ? 1 : 0);
    Cause cause = Cause.of(Cause.Kind.CHANNEL_ERROR, "simulated");
    return switch (step.event()) {
      case START -> new Input.Start();
      case OPENED -> new Input.ChannelOpened(id);
      case OPEN_FAILED -> new Input.ChannelOpenFailed(id, cause);
      case HANDSHAKE_OK -> new Input.HandshakeSucceeded(id);
      case HANDSHAKE_FAILED -> new Input.HandshakeFailed(id, cause);
      case TIMEOUT -> new Input.ConnectTimedOut(id);
      case LOST -> new Input.ChannelLost(id, cause);
      case BACKOFF -> new Input.BackoffElapsed(id);
      case CLOSE -> new Input.CloseRequested("test");
      case OPEN_FAILED_FATAL -> new Input.ChannelOpenFailed(id, cause, Verdict.FATAL);
      case HANDSHAKE_FAILED_FATAL -> new Input.HandshakeFailed(id, cause, Verdict.FATAL);
      case LOST_FATAL -> new Input.ChannelLost(id, cause, Verdict.FATAL);
      case OPEN_FAILED_PROMPT -> new Input.ChannelOpenFailed(id, cause, Verdict.RETRY_PROMPTLY);
      case LOST_PROMPT -> new Input.ChannelLost(id, cause, Verdict.RETRY_PROMPTLY);
      case RECONNECT_NOW -> new Input.ReconnectNow();
    };
  }

  private static long currentId(MachineState state) {
    MachineState.Stage s = state.stage();
    if (s instanceof MachineState.Stage.Waiting w) {
      return w.attempt().id();
    }
    if (s instanceof MachineState.Stage.Opening o) {
      return o.attempt().id();
    }
    if (s instanceof MachineState.Stage.Handshaking h) {
      return h.attempt().id();
    }
    if (s instanceof MachineState.Stage.Up up) {
      return up.channelId();
    }
    return state.lastAttemptId();
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
