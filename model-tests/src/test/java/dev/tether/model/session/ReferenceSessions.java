package dev.tether.model.session;

import dev.tether.machine.ConnectionState;
import dev.tether.machine.LifecycleEvent;
import dev.tether.session.Msg;
import dev.tether.session.SessionsConfig;
import dev.tether.session.TelemetrySample;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * An independent, deliberately plain reference for the sessions model: mutable maps and direct
 * transcriptions of S1–S5, written without looking at how {@code SessionsModel} computes them.
 */
final class ReferenceSessions {
  final SessionsConfig config;
  final LinkedHashMap<String, Ref> sessions = new LinkedHashMap<>();
  String active;
  long nextGeneration = 1;

  static final class Ref {
    long generation;
    ConnectionState status = new ConnectionState.Idle();
    long lastEpoch;
    boolean stopped;
    int memory;
    int gc;
    int frames;
  }

  ReferenceSessions(SessionsConfig config) {
    this.config = config;
  }

  ConnectionState globalStatus() {
    return active == null ? null : sessions.get(active).status;
  }

  /** Applies the message; returns false if the reference rejects it. */
  boolean apply(Msg msg) {
    Ref r = sessions.get(msg.session());
    if (msg instanceof Msg.Added) {
      return add(msg.session(), r);
    }
    if (r == null) {
      return msg instanceof Msg.Lifecycle
          || msg instanceof Msg.Sample
          || msg instanceof Msg.PollerTick;
    }
    if (msg instanceof Msg.Activate) {
      active = msg.session();
    } else if (msg instanceof Msg.Stopped) {
      r.stopped = true;
    } else if (msg instanceof Msg.Removed) {
      sessions.remove(msg.session());
      if (msg.session().equals(active)) {
        active = null;
        for (Map.Entry<String, Ref> e : sessions.entrySet()) {
          if (!e.getValue().stopped) {
            active = e.getKey();
            break;
          }
        }
      }
    } else if (msg instanceof Msg.Lifecycle l) {
      lifecycle(r, l);
    } else if (msg instanceof Msg.Sample s) {
      if (pollerEpoch(r) > 0 && pollerEpoch(r) == s.epoch()) {
        count(r, s.sample());
      }
    }
    return true;
  }

  /** The epoch whose poller should run for this session, or -1 for none. */
  static long pollerEpoch(Ref r) {
    if (!r.stopped && r.status instanceof ConnectionState.Connected c) {
      return c.epoch();
    }
    return -1;
  }

  private boolean add(String id, Ref existing) {
    if (existing != null) {
      if (!existing.stopped) {
        return false;
      }
      existing.stopped = false;
      existing.generation = nextGeneration++;
      existing.status = new ConnectionState.Idle();
      existing.lastEpoch = 0;
      return true;
    }
    if (sessions.size() >= config.maxSessions()) {
      String victim = null;
      for (Map.Entry<String, Ref> e : sessions.entrySet()) {
        if (e.getValue().stopped) {
          victim = e.getKey(); // insertion order: the first stopped one is the oldest
          break;
        }
      }
      if (victim == null) {
        return false;
      }
      sessions.remove(victim);
      if (victim.equals(active)) {
        active = null;
        for (Map.Entry<String, Ref> e : sessions.entrySet()) {
          if (!e.getValue().stopped) {
            active = e.getKey();
            break;
          }
        }
      }
    }
    Ref r = new Ref();
    r.generation = nextGeneration++;
    sessions.put(id, r);
    if (active == null) {
      active = id;
    }
    return true;
  }

  private static void lifecycle(Ref r, Msg.Lifecycle l) {
    if (l.generation() != r.generation || r.stopped) {
      return;
    }
    LifecycleEvent e = l.event();
    if (e instanceof LifecycleEvent.Connected c) {
      if (c.epoch() <= r.lastEpoch) {
        return;
      }
      r.lastEpoch = c.epoch();
      r.memory = 0;
      r.gc = 0;
      r.frames = 0;
    } else if (e instanceof LifecycleEvent.Reconnected rc) {
      if (rc.epoch() <= r.lastEpoch) {
        return;
      }
      r.lastEpoch = rc.epoch();
    }
    r.status = e.state();
  }

  private void count(Ref r, TelemetrySample s) {
    if (s instanceof TelemetrySample.Memory) {
      r.memory = Math.min(config.memorySamples(), r.memory + 1);
    } else if (s instanceof TelemetrySample.Gc) {
      r.gc = Math.min(config.gcEvents(), r.gc + 1);
    } else {
      r.frames = Math.min(config.frameTimings(), r.frames + 1);
    }
  }

  List<String> ids() {
    return new ArrayList<>(sessions.keySet());
  }
}
