package dev.tether.session;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tether.machine.Cause;
import dev.tether.machine.ConnectionState;
import dev.tether.machine.LifecycleEvent;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class SessionsModelTest {
  static final Cause LOST = Cause.of(Cause.Kind.CHANNEL_CLOSED, "lost");
  static final TelemetrySample MEM = new TelemetrySample.Memory(1, 2);

  SessionsModel model = SessionsModel.empty(SessionsConfig.defaults());
  final List<Action> actions = new ArrayList<>();

  void send(Msg msg) {
    SessionsModel.Update u = model.update(msg);
    model = u.model();
    actions.addAll(u.actions());
  }

  void lifecycle(String s, LifecycleEvent e) {
    send(new Msg.Lifecycle(s, model.session(s).orElseThrow().generation(), e));
  }

  static LifecycleEvent reconnecting(int attempt) {
    return new LifecycleEvent.Reconnecting(attempt, 10, Duration.ofMillis(100), LOST);
  }

  @Test
  void firstAddedSessionBecomesActiveAndConnects() {
    send(new Msg.Added("a"));
    assertThat(model.active()).contains("a");
    assertThat(actions).containsExactly(new Action.Connect("a", 1));
    assertThat(model.statusLabel()).isEqualTo("Idle");
  }

  /** Seed defect: Reconnected was handled as Connected and wiped the performance state. */
  @Test
  void reconnectKeepsAccumulatedTelemetry() {
    send(new Msg.Added("a"));
    lifecycle("a", new LifecycleEvent.Connected(1));
    send(new Msg.Sample("a", 1, MEM));
    send(new Msg.Sample("a", 1, MEM));
    lifecycle("a", reconnecting(1));
    lifecycle("a", new LifecycleEvent.Reconnected(2, 1, Duration.ofMillis(100)));
    assertThat(model.session("a").orElseThrow().telemetry().memory().size()).isEqualTo(2);
  }

  @Test
  void newInitialConnectResetsTelemetry() {
    send(new Msg.Added("a"));
    lifecycle("a", new LifecycleEvent.Connected(1));
    send(new Msg.Sample("a", 1, MEM));
    send(new Msg.Stopped("a"));
    send(new Msg.Added("a")); // a new run of the remote process
    lifecycle("a", new LifecycleEvent.Connected(1));
    assertThat(model.session("a").orElseThrow().telemetry().size()).isZero();
  }

  /** Seed defect: the old polling task kept running after reconnect and duplicated samples. */
  @Test
  void reconnectStopsTheOldPollerBeforeStartingTheNew() {
    send(new Msg.Added("a"));
    lifecycle("a", new LifecycleEvent.Connected(1));
    lifecycle("a", reconnecting(1));
    lifecycle("a", new LifecycleEvent.Reconnected(2, 1, Duration.ofMillis(100)));
    assertThat(actions)
        .containsExactly(
            new Action.Connect("a", 1),
            new Action.StartPoller("a", 1),
            new Action.StopPoller("a", 1),
            new Action.StartPoller("a", 2));
  }

  @Test
  void samplesFromAStaleEpochAreDropped() {
    send(new Msg.Added("a"));
    lifecycle("a", new LifecycleEvent.Connected(1));
    lifecycle("a", reconnecting(1));
    lifecycle("a", new LifecycleEvent.Reconnected(2, 1, Duration.ofMillis(100)));
    send(new Msg.Sample("a", 1, MEM)); // from the old poller
    send(new Msg.PollerTick("a", 1));
    Session s = model.session("a").orElseThrow();
    assertThat(s.telemetry().size()).isZero();
    assertThat(s.staleSamplesDropped()).isEqualTo(1);
    assertThat(actions).doesNotContain(new Action.Poll("a", 1));
  }

  /** Seed defect: a background session's Connected/Disconnected flipped the global status. */
  @Test
  void backgroundSessionNeverChangesTheGlobalStatus() {
    send(new Msg.Added("a"));
    send(new Msg.Added("b"));
    lifecycle("a", new LifecycleEvent.Connected(1));
    lifecycle("b", reconnecting(2));
    assertThat(model.statusLabel()).isEqualTo("Connected");
    lifecycle("b", new LifecycleEvent.Connected(1));
    lifecycle("a", reconnecting(3));
    lifecycle("b", new LifecycleEvent.PermanentlyDisconnected(LOST, 10));
    assertThat(model.statusLabel()).isEqualTo("Reconnecting (3/10)");
  }

  @Test
  void switchingChangesTheGlobalStatusInTheSameUpdate() {
    send(new Msg.Added("a"));
    send(new Msg.Added("b"));
    lifecycle("b", reconnecting(2));
    assertThat(model.globalStatus()).contains(new ConnectionState.Idle());
    send(new Msg.Activate("b"));
    assertThat(model.statusLabel()).isEqualTo("Reconnecting (2/10)");
  }

  @Test
  void fullModelEvictsTheOldestStoppedSession() {
    model = SessionsModel.empty(new SessionsConfig(2, 60, 50, 300));
    send(new Msg.Added("a"));
    send(new Msg.Added("b"));
    send(new Msg.Stopped("b"));
    send(new Msg.Stopped("a"));
    send(new Msg.Added("c"));
    assertThat(model.sessions()).extracting(Session::id).containsExactly("b", "c");
  }

  @Test
  void fullModelWithoutStoppedSessionsRejectsClearly() {
    model = SessionsModel.empty(new SessionsConfig(1, 60, 50, 300));
    send(new Msg.Added("a"));
    SessionsModel before = model;
    send(new Msg.Added("b"));
    assertThat(model).isEqualTo(before);
    assertThat(actions.get(actions.size() - 1))
        .isInstanceOfSatisfying(
            Action.Rejected.class,
            r -> assertThat(r.reason()).contains("at most 1 sessions").contains("none is stopped"));
  }

  @Test
  void eventsFromAnEarlierRunAreIgnored() {
    send(new Msg.Added("a"));
    send(new Msg.Stopped("a"));
    send(new Msg.Added("a"));
    send(new Msg.Lifecycle("a", 1, new LifecycleEvent.Connected(5)));
    assertThat(model.session("a").orElseThrow().status()).isEqualTo(new ConnectionState.Idle());
  }

  @Test
  void removingTheActiveSessionActivatesAnotherRunningOne() {
    send(new Msg.Added("a"));
    send(new Msg.Added("b"));
    send(new Msg.Removed("a"));
    assertThat(model.active()).contains("b");
  }

  @Test
  void ringKeepsTheNewest() {
    Ring<Integer> r = Ring.empty(3);
    for (int i = 0; i < 5; i++) {
      r = r.add(i);
    }
    assertThat(r.items()).containsExactly(2, 3, 4);
  }
}
