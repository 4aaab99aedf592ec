package dev.tether.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tether.machine.BackoffPolicy;
import dev.tether.machine.ConnectionState;
import dev.tether.machine.LifecycleEvent;
import dev.tether.runtime.Connection;
import dev.tether.session.Session;
import dev.tether.session.SessionsConfig;
import dev.tether.session.SessionsModel;
import dev.tether.session.SessionsRuntime;
import dev.tether.session.TelemetrySample;
import dev.tether.stub.StubEndpoint;
import dev.tether.stub.StubNetwork;
import dev.tether.stub.VirtualScheduler;
import java.io.PrintWriter;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;

/**
 * {@code tether demo --sessions N}: N sessions on the in-memory network with independent outages,
 * while the active session switches; the global status follows the active session only.
 */
final class SessionsDemo {
  /** Simulated length of the scenario: long enough for one session to exhaust its retries. */
  static final Duration LENGTH = Duration.ofMinutes(2);

  private final PrintWriter out;
  private final boolean json;
  private final long seed;
  private final VirtualScheduler clock = new VirtualScheduler();
  private final StubNetwork network = new StubNetwork(clock);
  private String lastStatus = "";
  private boolean finished;

  SessionsDemo(PrintWriter out, boolean json, long seed) {
    this.out = out;
    this.json = json;
    this.seed = seed;
  }

  static String name(int i) {
    return "app-" + i;
  }

  int run(int sessions) {
    SessionsRuntime runtime =
        new SessionsRuntime(
            clock,
            SessionsConfig.defaults(),
            this::connection,
            (s, c, epoch) ->
                CompletableFuture.completedFuture(
                    List.<TelemetrySample>of(new TelemetrySample.Memory(epoch, 1 << 20))),
            Duration.ofSeconds(1));
    runtime.onChange(this::status);
    if (!json) {
      out.println(
          "Tether demo: "
              + sessions
              + " sessions on the in-memory network, virtual clock, seed "
              + seed);
    }
    for (int i = 1; i <= sessions; i++) {
      network.endpoint(uri(name(i)));
      runtime.add(name(i));
    }
    clock.runUntilIdle();
    script(sessions, runtime);
    clock.advance(LENGTH);
    summary(runtime.snapshot());
    finished = true; // the shutdown below is not part of the story
    runtime.close();
    clock.runUntilIdle();
    out.flush();
    return 0;
  }

  /** Independent outages per session, and the active session switching twice. */
  private void script(int sessions, SessionsRuntime runtime) {
    at(Duration.ofSeconds(5), "app-1 stops briefly", () -> endpoint(1).down());
    at(Duration.ofMillis(5250), "app-1 is back", () -> endpoint(1).up());
    if (sessions >= 2) {
      at(Duration.ofSeconds(8), "app-2 stops", () -> endpoint(2).down());
      at(Duration.ofSeconds(10), "user activates app-2", () -> runtime.activate(name(2)));
      at(Duration.ofSeconds(14), "app-2 is back", () -> endpoint(2).up());
    }
    if (sessions >= 3) {
      at(Duration.ofSeconds(16), "app-3 stops for good", () -> endpoint(3).down());
      at(Duration.ofSeconds(20), "user activates app-3", () -> runtime.activate(name(3)));
      at(Duration.ofSeconds(110), "user activates app-1", () -> runtime.activate(name(1)));
    }
  }

  private void at(Duration when, String what, Runnable action) {
    clock.schedule(
        when,
        () -> {
          if (!json) {
            out.println("[" + LifecycleJson.clock(clock.now().toMillis()) + "] -- " + what);
          }
          action.run();
        });
  }

  private StubEndpoint endpoint(int i) {
    return network.endpoint(uri(name(i)));
  }

  private static URI uri(String session) {
    return URI.create("stub://" + session);
  }

  private Connection connection(String session, long generation) {
    Connection c =
        Connection.builder()
            .transport(network.transport())
            .endpoint(uri(session))
            .scheduler(clock)
            .policy(BackoffPolicy.defaults())
            .random(new SplittableRandom(seed + 1000L * session.hashCode() + generation))
            .name(session)
            .build();
    c.subscribe(e -> lifecycle(session, e));
    return c;
  }

  private void lifecycle(String session, LifecycleEvent e) {
    if (finished) {
      return;
    }
    long t = clock.now().toMillis();
    if (json) {
      ObjectNode n = LifecycleJson.of(e, t);
      n.put("session", session);
      out.println(n);
    } else {
      out.println("[" + LifecycleJson.clock(t) + "] " + session + "  " + LifecycleJson.describe(e));
    }
  }

  private void status(SessionsModel m) {
    String active = m.active().orElse("none");
    ConnectionState s = m.globalStatus().orElse(null);
    String key = active + "|" + m.statusLabel();
    if (finished || Objects.equals(key, lastStatus)) {
      return;
    }
    lastStatus = key;
    if (json) {
      ObjectNode n = JsonLines.line("status");
      m.active().ifPresent(id -> n.put("session", id));
      if (s != null) {
        n.put("status", s.name());
      }
      n.put("label", m.statusLabel());
      n.put("t", clock.now().toMillis());
      out.println(n);
    } else {
      out.println(
          "["
              + LifecycleJson.clock(clock.now().toMillis())
              + "] status bar: "
              + active
              + " | "
              + m.statusLabel());
    }
  }

  private void summary(SessionsModel m) {
    if (json) {
      return;
    }
    out.println("Telemetry kept per session (reconnects keep it; only a new run resets it):");
    for (Session s : m.sessions()) {
      out.println(
          "  "
              + s.id()
              + ": "
              + s.status().label()
              + ", "
              + s.telemetry().memory().size()
              + " memory samples, epoch "
              + s.lastEpoch());
    }
  }
}
