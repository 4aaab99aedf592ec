package dev.tether.model.reference;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tether.machine.BackoffPolicy;
import dev.tether.machine.Cause;
import dev.tether.machine.ConnectionMachine;
import dev.tether.machine.ConnectionState;
import dev.tether.machine.Input;
import dev.tether.machine.MachineState;
import dev.tether.model.prop.Property;
import dev.tether.model.reference.SpringReferenceMachine.E;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
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
   * The inputs that carry a connection round its cycle, in order: drawn as a chunk half the time.
   */
  private static final List<E> CYCLE = List.of(E.BACKOFF, E.OPENED, E.HANDSHAKE_OK, E.LOST);

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
                  random.nextBoolean() ? CYCLE : List.of(EVENTS.get(random.nextInt(EVENTS.size())));
              for (E drawn : chunk) {
                // Close rarely, so sequences get past the first few inputs.
                E e = drawn == E.CLOSE && random.nextInt(8) != 0 ? E.LOST : drawn;
                boolean hasId = e != E.START && e != E.CLOSE;
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
          step.event() == E.LOST && !step.stale() && state.stage() instanceof MachineState.Stage.Up;
      boolean wasFlapping = flapping(state.state());
      state = machine.step(state, input(state, step), now, 0.5).next();
      if (!step.stale()) {
        reference.send(step.event(), now);
      }
      String where = "after step " + (i + 1) + " " + step;
      assertThat(describe(state.state())).as(where).isEqualTo(reference.describe());
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

  private static String describe(ConnectionState s) {
    if (s instanceof ConnectionState.Connecting c) {
      return "Connecting " + c.attempt();
    }
    if (s instanceof ConnectionState.Reconnecting r) {
      return "Reconnecting " + r.attempt();
    }
    if (s instanceof ConnectionState.PermanentlyDisconnected p) {
      return p.cause().kind() == Cause.Kind.FLAPPING
          ? "PermanentlyDisconnected FLAPPING " + p.attempts()
          : "PermanentlyDisconnected " + p.attempts();
    }
    return s.name();
  }
}
