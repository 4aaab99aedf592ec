package dev.tether.model.session;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tether.machine.BackoffPolicy;
import dev.tether.machine.ConnectionState;
import dev.tether.runtime.Connection;
import dev.tether.session.Session;
import dev.tether.session.SessionsConfig;
import dev.tether.session.SessionsModel;
import dev.tether.session.SessionsRuntime;
import dev.tether.session.TelemetrySample;
import dev.tether.stub.StubEndpoint;
import dev.tether.stub.StubNetwork;
import dev.tether.stub.VirtualScheduler;
import java.net.URI;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/**
 * End to end: three sessions on the simulated network with independent outages while the active
 * session switches; checks the snapshot a UI would read at every 250 ms of simulated time.
 */
class SessionsSimulationTest {
  static final String[] APPS = {"app-0", "app-1", "app-2"};

  @Test
  void snapshotFollowsTheActiveSessionThroughOutages() {
    for (long seed = 1; seed <= 20; seed++) {
      runScenario(seed);
    }
  }

  void runScenario(long seed) {
    VirtualScheduler clock = new VirtualScheduler();
    StubNetwork network = new StubNetwork(clock);
    Map<String, Connection> connections = new HashMap<>();
    SessionsRuntime runtime =
        new SessionsRuntime(
            clock,
            SessionsConfig.defaults(),
            (session, generation) -> {
              Connection c =
                  Connection.builder()
                      .transport(network.transport())
                      .endpoint(URI.create("stub://" + session))
                      .scheduler(clock)
                      .policy(BackoffPolicy.builder().unlimitedAttempts().build())
                      .random(new SplittableRandom(seed * 31 + session.hashCode()))
                      .build();
              connections.put(session, c);
              return c;
            },
            (session, connection, epoch) ->
                CompletableFuture.completedFuture(
                    List.<TelemetrySample>of(new TelemetrySample.Memory(epoch, 100))),
            Duration.ofSeconds(1));
    for (String app : APPS) {
      network.endpoint("stub://" + app);
      runtime.add(app);
    }
    SplittableRandom faults = new SplittableRandom(seed);
    Map<String, Integer> lastTelemetry = new HashMap<>();
    for (int tick = 1; tick <= 240; tick++) { // 60 s in 250 ms steps
      if (tick == 80) {
        runtime.activate("app-1");
      } else if (tick == 160) {
        runtime.activate("app-2");
      }
      if (faults.nextInt(20) == 0) {
        StubEndpoint e = network.endpoint("stub://" + APPS[faults.nextInt(APPS.length)]);
        if (e.mode() == StubEndpoint.Mode.ACCEPT) {
          e.down();
        } else {
          e.up();
        }
      }
      clock.advance(Duration.ofMillis(250));
      check(runtime.snapshot(), connections, runtime, lastTelemetry, "seed " + seed + " t=" + tick);
    }
    for (String app : APPS) {
      network.endpoint("stub://" + app).up();
    }
    clock.advance(Duration.ofMinutes(2));
    SessionsModel end = runtime.snapshot();
    assertThat(end.active()).contains("app-2");
    assertThat(end.statusLabel()).isEqualTo("Connected");
    assertThat(end.sessions())
        .allSatisfy(s -> assertThat(s.status()).isInstanceOf(ConnectionState.Connected.class));
    runtime.close();
    clock.advance(Duration.ofSeconds(1));
    assertThat(network.openChannels()).isZero();
    assertThat(clock.pendingTasks()).isZero();
  }

  static void check(
      SessionsModel snap,
      Map<String, Connection> connections,
      SessionsRuntime runtime,
      Map<String, Integer> lastTelemetry,
      String at) {
    String active = snap.active().orElseThrow();
    assertThat(snap.globalStatus()).as(at).contains(connections.get(active).state());
    long connected =
        snap.sessions().stream()
            .filter(s -> s.status() instanceof ConnectionState.Connected)
            .count();
    assertThat(runtime.livePollers())
        .as(at + " one poller per connected session")
        .isEqualTo(connected);
    for (Session s : snap.sessions()) {
      int size = s.telemetry().memory().size();
      // S2: accumulated telemetry never shrinks across reconnects (one run per session here).
      assertThat(size)
          .as(at + " telemetry of " + s.id())
          .isGreaterThanOrEqualTo(lastTelemetry.getOrDefault(s.id(), 0));
      lastTelemetry.put(s.id(), size);
      assertThat(s.staleSamplesDropped()).as(at).isZero();
    }
  }
}
