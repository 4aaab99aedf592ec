package dev.tether.stub.sim;

import dev.tether.machine.LifecycleEvent;
import dev.tether.rpc.ConnectionStats;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The JSON-RPC invariants of DESIGN.md as {@link Oracle oracles} for the RPC sessions of a {@link
 * Simulation} ({@link SessionView#rpc()}; bare connection sessions pass them trivially): I6, I7,
 * I11, R4 (the events the client holds) and R5. A simulation with {@link RpcTraffic} adds them to
 * the {@link Oracles#standard() connection oracles}, and checks them after every step of every
 * session: each request, event, answer, frame read and fault.
 *
 * <p>The factories are thread-safe; {@link #subscriptionsRestored()} remembers each session's
 * reported refusals, so give every run its own ({@link #standard()} builds new ones; a {@link
 * Simulation} calls it for every run).
 */
public final class RpcOracles {
  private RpcOracles() {}

  /** I6, I7, I11, R4 and R5 for RPC sessions (new instances on every call). */
  public static List<Oracle> standard() {
    return List.of(
        requestsSettleOnce(),
        subscriptionsRestored(),
        serverRequestsAnsweredOnce(),
        eventsHeldWithinBound(),
        stalledWritesEndTheChannel());
  }

  /**
   * I6: after every step, the client's ledger and wait queue (its own counters) hold exactly the
   * application's requests that have not settled, none settled twice; at the end every request
   * settled and the ledger is empty.
   */
  public static Oracle requestsSettleOnce() {
    return new Oracle() {
      @Override
      public String invariant() {
        return "I6";
      }

      @Override
      public String onCheck(SessionView s) {
        RpcSessionView r = s.rpc().orElse(null);
        return r == null ? null : ledgerMatches(r);
      }

      @Override
      public String atEnd(SessionView s) {
        RpcSessionView r = s.rpc().orElse(null);
        if (r == null) {
          return null;
        }
        String during = ledgerMatches(r);
        if (during != null) {
          return during;
        }
        ConnectionStats st = r.stats();
        if (r.requestsUnsettled() != 0 || st.inFlight() != 0 || st.waiting() != 0) {
          return r.requestsUnsettled()
              + " of "
              + r.requestsMade()
              + " requests never settled; the client still holds "
              + st.inFlight()
              + " in flight and "
              + st.waiting()
              + " waiting after "
              + s.connection().state().label();
        }
        return null;
      }
    };
  }

  /**
   * The ledger check of I6, for one RPC session: what the client's counters say is pending equals
   * what the application has not seen settle, and nothing settled twice.
   *
   * @return null, or what is wrong
   */
  public static String ledgerMatches(RpcSessionView r) {
    if (r.requestsSettledTwice() != 0) {
      return r.requestsSettledTwice() + " request(s) settled twice";
    }
    ConnectionStats st = r.stats();
    long held = st.inFlight() - st.internalInFlight() + st.waiting();
    if (held != r.requestsUnsettled()) {
      return "the client's ledger and wait queue hold "
          + held
          + " requests, but "
          + r.requestsUnsettled()
          + " of "
          + r.requestsMade()
          + " have not settled";
    }
    return null;
  }

  /**
   * I7: when Connected or Reconnected is delivered, the server holds exactly the desired streams
   * for the open channel (one token each, for server-named subscriptions), minus the refused ones,
   * each refusal reported to the application since the previous Connected/Reconnected; during the
   * run no handler gets an event of another stream or one twice.
   */
  public static Oracle subscriptionsRestored() {
    return new Oracle() {
      // Per session index: its refusals reported at its last up (one oracle per run).
      private final Map<Integer, Long> refusalsAtLastUp = new HashMap<>();

      @Override
      public String invariant() {
        return "I7";
      }

      @Override
      public String onCheck(SessionView s) {
        return s.rpc().map(r -> r.problem("I7")).orElse(null);
      }

      @Override
      public String onEvent(SessionView s, LifecycleEvent prev, LifecycleEvent e) {
        RpcSessionView r = s.rpc().orElse(null);
        if (r == null
            || !(e instanceof LifecycleEvent.Connected
                || e instanceof LifecycleEvent.Reconnected)) {
          return null;
        }
        Long last = refusalsAtLastUp.put(s.index(), r.refusalsReported());
        long before = last == null ? 0L : last;
        return restored(r, e, before);
      }
    };
  }

  /**
   * The check of I7 at {@code up} for one RPC session.
   *
   * @param refusalsBefore {@link RpcSessionView#refusalsReported()} at the previous up event
   * @return null, or what is wrong
   */
  public static String restored(RpcSessionView r, LifecycleEvent up, long refusalsBefore) {
    Set<String> actual = r.serverStreams();
    if (actual == null) {
      return null; // no subscriptions in this dialect, or I5's business
    }
    Set<String> expected = new TreeSet<>(r.desiredStreams());
    boolean wantsRefused = expected.removeAll(r.refusedStreams());
    if (!actual.equals(expected)) {
      return "at " + up + " the server holds " + actual + ", desired " + expected;
    }
    if (r.serverTokensHeldTwice() != 0) {
      return "at " + up + " the server holds " + r.serverTokensHeldTwice() + " duplicate token(s)";
    }
    if (wantsRefused && r.refusalsReported() == refusalsBefore) {
      return "at " + up + " the refused resubscription of " + r.refusedStreams() + " not reported";
    }
    return null;
  }

  /**
   * I11: every answer the server receives belongs to a request it asked, came on the channel that
   * asked and came once (checked as each answer arrives); at the end the client's books balance:
   * each request it received was answered or dropped and counted.
   */
  public static Oracle serverRequestsAnsweredOnce() {
    return new Oracle() {
      @Override
      public String invariant() {
        return "I11";
      }

      @Override
      public String onCheck(SessionView s) {
        return s.rpc().map(r -> r.problem("I11")).orElse(null);
      }

      @Override
      public String atEnd(SessionView s) {
        RpcSessionView r = s.rpc().orElse(null);
        if (r == null) {
          return null;
        }
        ConnectionStats st = r.stats();
        if (st.servedAnswers() + st.servedDropped() != st.serverRequests()) {
          return st.serverRequests()
              + " requests from the server received, "
              + st.servedAnswers()
              + " answered and "
              + st.servedDropped()
              + " dropped";
        }
        if (r.serverRequestsAnswered() > st.servedAnswers()) {
          return "the server got "
              + r.serverRequestsAnswered()
              + " answers, the client wrote "
              + st.servedAnswers();
        }
        return null;
      }
    };
  }

  /**
   * R4 for RPC sessions: the stream events the client has read and not yet handed to a handler,
   * dropped or counted never exceed its bound (each queued listener's capacity plus the look-ahead
   * at which it stops reading), however slow the consumer.
   */
  public static Oracle eventsHeldWithinBound() {
    return new Oracle() {
      @Override
      public String invariant() {
        return "R4";
      }

      @Override
      public String onCheck(SessionView s) {
        RpcSessionView r = s.rpc().orElse(null);
        if (r == null) {
          return null;
        }
        long held = r.eventsHeld();
        if (held < 0) {
          return "handlers got " + -held + " more events than the client read";
        }
        return held <= r.maxEventsHeld()
            ? null
            : "the client holds "
                + held
                + " unhandled events, bound "
                + r.maxEventsHeld()
                + " ("
                + r.eventBooks()
                + ")";
      }
    };
  }

  /**
   * R5: a channel whose server stopped reading, with writes that never drained, is ended by the
   * client's write timeout (checked a moment after the timeout).
   */
  public static Oracle stalledWritesEndTheChannel() {
    return new Oracle() {
      @Override
      public String invariant() {
        return "R5";
      }

      @Override
      public String onCheck(SessionView s) {
        return s.rpc().map(r -> r.problem("R5")).orElse(null);
      }
    };
  }
}
