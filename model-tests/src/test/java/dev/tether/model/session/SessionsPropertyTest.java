package dev.tether.model.session;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tether.machine.Cause;
import dev.tether.machine.LifecycleEvent;
import dev.tether.model.prop.Property;
import dev.tether.session.Action;
import dev.tether.session.Msg;
import dev.tether.session.Session;
import dev.tether.session.SessionsConfig;
import dev.tether.session.SessionsModel;
import dev.tether.session.TelemetrySample;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Random interleavings across several sessions of additions, stops, removals, activations,
 * lifecycle events (including stale runs and stale epochs), telemetry samples (including stale
 * epochs) and poller ticks. After every step: S1–S5 hold, and the model agrees with {@link
 * ReferenceSessions}.
 */
class SessionsPropertyTest {
  static final SessionsConfig SMALL = new SessionsConfig(3, 4, 3, 5);
  static final Cause LOST = Cause.of(Cause.Kind.CHANNEL_CLOSED, "lost");
  static final int STEPS = 150;
  static final int SEEDS = 300;

  /** A command, resolved against the current model when it runs (so it can aim at stale ids). */
  sealed interface Cmd {}

  record Add(String s) implements Cmd {}

  record Stop(String s) implements Cmd {}

  record Remove(String s) implements Cmd {}

  record Activate(String s) implements Cmd {}

  /** kind: 0 Connected, 1 Reconnecting, 2 Reconnected, 3 Permanent, 4 Closed. */
  record Event(String s, boolean staleRun, int kind, int epochDelta) implements Cmd {}

  record Sample(String s, int epochDelta, int kind) implements Cmd {}

  record Tick(String s, int epochDelta) implements Cmd {}

  static final String[] IDS = {"s0", "s1", "s2", "s3", "s4"};

  static List<Cmd> generate(SplittableRandom r) {
    List<Cmd> cmds = new ArrayList<>();
    for (int i = 0; i < STEPS; i++) {
      String s = IDS[r.nextInt(IDS.length)];
      int p = r.nextInt(100);
      if (p < 12) {
        cmds.add(new Add(s));
      } else if (p < 18) {
        cmds.add(new Stop(s));
      } else if (p < 22) {
        cmds.add(new Remove(s));
      } else if (p < 32) {
        cmds.add(new Activate(s));
      } else if (p < 62) {
        cmds.add(new Event(s, r.nextInt(10) == 0, r.nextInt(5), r.nextInt(4) - 1));
      } else if (p < 90) {
        cmds.add(new Sample(s, r.nextInt(5) == 0 ? -1 : 0, r.nextInt(3)));
      } else {
        cmds.add(new Tick(s, r.nextInt(5) == 0 ? -1 : 0));
      }
    }
    return cmds;
  }

  /** Runs the commands against the model, the reference and a simulated poller registry. */
  static void run(List<Cmd> cmds) {
    SessionsModel model = SessionsModel.empty(SMALL);
    ReferenceSessions ref = new ReferenceSessions(SMALL);
    Map<String, Long> pollers = new HashMap<>();
    int step = 0;
    for (Cmd c : cmds) {
      step++;
      Msg msg = resolve(c, model);
      SessionsModel before = model;
      SessionsModel.Update u = model.update(msg);
      model = u.model();
      boolean accepted = ref.apply(msg);
      String at = "step " + step + " " + msg;
      boolean rejected = u.actions().stream().anyMatch(a -> a instanceof Action.Rejected);
      assertThat(rejected).as(at + ": rejection agrees with reference").isEqualTo(!accepted);
      if (rejected) {
        assertThat(model).as(at + ": rejected message changes nothing").isEqualTo(before);
      }
      applyPollerActions(u.actions(), pollers, at);
      checkInvariants(before, model, ref, pollers, at);
    }
  }

  static Msg resolve(Cmd c, SessionsModel m) {
    if (c instanceof Add a) {
      return new Msg.Added(a.s());
    } else if (c instanceof Stop s) {
      return new Msg.Stopped(s.s());
    } else if (c instanceof Remove r) {
      return new Msg.Removed(r.s());
    } else if (c instanceof Activate a) {
      return new Msg.Activate(a.s());
    }
    Session s = m.session(sessionOf(c)).orElse(null);
    long gen = s == null ? 0 : s.generation();
    long epoch = s == null ? 1 : s.lastEpoch();
    if (c instanceof Event e) {
      long g = e.staleRun() ? gen - 1 : gen;
      long ep = Math.max(1, epoch + 1 + e.epochDelta());
      return new Msg.Lifecycle(e.s(), g, event(e.kind(), ep));
    } else if (c instanceof Sample smp) {
      TelemetrySample sample =
          smp.kind() == 0
              ? new TelemetrySample.Memory(1, 2)
              : smp.kind() == 1
                  ? new TelemetrySample.Gc("young", 3)
                  : new TelemetrySample.Frame(1, 2, 3);
      return new Msg.Sample(smp.s(), epoch + smp.epochDelta(), sample);
    }
    Tick t = (Tick) c;
    return new Msg.PollerTick(t.s(), epoch + t.epochDelta());
  }

  static String sessionOf(Cmd c) {
    if (c instanceof Event e) {
      return e.s();
    } else if (c instanceof Sample s) {
      return s.s();
    }
    return ((Tick) c).s();
  }

  static LifecycleEvent event(int kind, long epoch) {
    return switch (kind) {
      case 0 -> new LifecycleEvent.Connected(epoch);
      case 1 -> new LifecycleEvent.Reconnecting(2, 10, Duration.ofMillis(200), LOST);
      case 2 -> new LifecycleEvent.Reconnected(epoch, 2, Duration.ofMillis(300));
      case 3 -> new LifecycleEvent.PermanentlyDisconnected(LOST, 10);
      default -> new LifecycleEvent.Closed("closed");
    };
  }

  /** S3 at the runtime boundary: a start never meets a running poller, a stop always does. */
  static void applyPollerActions(List<Action> actions, Map<String, Long> pollers, String at) {
    for (Action a : actions) {
      if (a instanceof Action.StartPoller s) {
        assertThat(pollers)
            .as(at + ": S3 start with a poller running")
            .doesNotContainKey(s.session());
        pollers.put(s.session(), s.epoch());
      } else if (a instanceof Action.StopPoller s) {
        assertThat(pollers.remove(s.session()))
            .as(at + ": S3 stop of a poller that is not running")
            .isEqualTo(s.epoch());
      } else if (a instanceof Action.Poll p) {
        assertThat(pollers.get(p.session()))
            .as(at + ": S3 poll by a stale poller")
            .isEqualTo(p.epoch());
      }
    }
  }

  static void checkInvariants(
      SessionsModel before,
      SessionsModel model,
      ReferenceSessions ref,
      Map<String, Long> pollers,
      String at) {
    // S1/S4: the global status is the active session's, in this very update.
    assertThat(model.globalStatus().orElse(null)).as(at + ": S1/S4").isEqualTo(ref.globalStatus());
    assertThat(model.active().orElse(null)).as(at + ": active").isEqualTo(ref.active);
    // S5: bounded; only stopped sessions are evicted.
    assertThat(model.sessions())
        .as(at + ": S5 bound")
        .hasSizeLessThanOrEqualTo(SMALL.maxSessions());
    for (Session gone : before.sessions()) {
      boolean removedByRequest = at.contains("Removed[session=" + gone.id() + "]");
      if (model.session(gone.id()).isEmpty() && !removedByRequest) {
        assertThat(gone.stopped()).as(at + ": S5 evicted a running session " + gone.id()).isTrue();
      }
    }
    assertThat(model.sessions())
        .extracting(Session::id)
        .as(at)
        .containsExactlyElementsOf(ref.ids());
    for (Session s : model.sessions()) {
      ReferenceSessions.Ref r = ref.sessions.get(s.id());
      assertThat(s.status()).as(at + ": status of " + s.id()).isEqualTo(r.status);
      assertThat(s.stopped()).as(at + ": stopped " + s.id()).isEqualTo(r.stopped);
      // S2: telemetry survives Reconnected, resets only on an initial Connected.
      assertThat(
              List.of(
                  s.telemetry().memory().size(),
                  s.telemetry().gc().size(),
                  s.telemetry().frames().size()))
          .as(at + ": S2 telemetry of " + s.id())
          .containsExactly(r.memory, r.gc, r.frames);
      // S3: the running poller is exactly the one of the current connected epoch.
      long want = ReferenceSessions.pollerEpoch(r);
      OptionalLong running =
          pollers.containsKey(s.id()) ? OptionalLong.of(pollers.get(s.id())) : OptionalLong.empty();
      assertThat(running)
          .as(at + ": S3 poller of " + s.id())
          .isEqualTo(want < 0 ? OptionalLong.empty() : OptionalLong.of(want));
    }
    for (String id : pollers.keySet()) {
      assertThat(model.session(id)).as(at + ": S3 poller of a removed session " + id).isPresent();
    }
  }

  @Test
  void sessionsInvariantsHoldAndMatchTheReference() {
    Property.forAll(
        "sessions S1-S5",
        SessionsPropertyTest.class,
        SEEDS,
        SessionsPropertyTest::generate,
        SessionsPropertyTest::run);
  }
}
