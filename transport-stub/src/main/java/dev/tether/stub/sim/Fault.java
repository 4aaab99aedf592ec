package dev.tether.stub.sim;

/**
 * One timed fault of a {@link FaultPlan}, aimed at one simulated session's link (a partition covers
 * a range of sessions). Times are milliseconds of simulated time from the start of the run.
 *
 * <p>{@code toString()} gives the one-line form that {@link FaultPlan#parse} reads back, so a
 * printed plan replays exactly.
 */
public sealed interface Fault {

  /** The kinds of fault, with the keyword used in the replayable form. */
  enum Kind {
    /** The server is down for a while: connects are refused and open channels drop. */
    OUTAGE,
    /** Connects hang (until the client's connect timeout) for a while. */
    HANG,
    /** The open channel drops mid-stream. */
    DROP,
    /** Connects take {@code latencyMillis} for a while (possibly past the connect timeout). */
    SLOW,
    /** The open channel goes half-open: silent in both directions, nobody is told. */
    HALF_OPEN,
    /** The remote process restarts: all server-side state is lost, down for a moment. */
    RESTART,
    /** The server flaps: down and up every {@code periodMillis} for a while. */
    FLAP,
    /** A range of sessions is cut off: channels drop, connects hang, for a while. */
    PARTITION,
    /** The user closes the connection. */
    CLOSE,
    /**
     * The server reads slowly for a while: one frame per {@code perFrameMillis}; unread frames
     * queue (in order, none lost) until the client's channel stops being writable. Heals at once.
     */
    SLOW_READER,
    /**
     * The client's consumer is slow for a while: it handles one frame per {@code perFrameMillis}
     * while the server pushes frames as fast as its buffer allows. The client stops reading at its
     * bound (R4), so unread frames stay with the server, in order; none is lost. Heals at once.
     */
    SLOW_CONSUMER,
    /**
     * The server is in a crash loop for a while: it crashes at once (open channels drop), then
     * accepts every new connection and drops it {@code afterMillis} after accepting it. With the
     * flap guard on, the connection must end {@code FLAPPING} once the guard's limit is crossed;
     * without it, it keeps reconnecting (I10).
     */
    CRASH_LOOP,
    /**
     * The server revokes the client's credentials for a while: open channels drop, and every
     * connect is answered with a refused WebSocket upgrade (HTTP 401, {@code
     * Cause.Detail.UpgradeRejected}), which the default failure classifier makes final: the
     * connection ends {@code PermanentlyDisconnected(FATAL)} at that attempt.
     */
    REJECT,
    /**
     * The server moves to a new address (a new stub endpoint; the old one drops its channels and
     * refuses from then on), and the session's endpoint resolver (a discovery service) keeps
     * answering the old address for {@code lengthMillis} before it announces the new one. Liveness
     * (I8) counts from when some endpoint of the session is reachable through its resolver. An RPC
     * session's scripted peer stays at one address: for it a move is the outage it causes (the
     * server unreachable for {@code lengthMillis}).
     */
    MOVE,
    /**
     * The server closes the open channel with WebSocket close code 1008 (policy violation), which
     * the default failure classifier makes final: the connection ends {@code
     * PermanentlyDisconnected(FATAL)} at once, with no attempt.
     */
    FATAL,
    /**
     * The server closes the open channel with WebSocket close code 1012 (service restart) and is
     * down for a moment: the default classifier retries promptly, so the first retry of the outage
     * waits no backoff delay; later ones follow the policy.
     */
    SERVICE_RESTART,
    /** The user presses "retry now" ({@code Connection.reconnectNow()}), in whatever state. */
    RETRY_NOW,
    /**
     * RPC sessions ({@link RpcTraffic}): the server floods the client with {@code perSecond}
     * requests every second for a while; past its limit the client answers them overloaded, each
     * exactly once (I11).
     */
    FLOOD,
    /**
     * RPC sessions ({@link RpcTraffic}): the server stops reading the open channel (its socket
     * stays open) and the client bursts {@code requests} requests: the writes that do not fit the
     * socket buffer never drain, and the client's write timeout must end the channel (R5), every
     * request still settling once (I6).
     */
    WRITE_STALL
  }

  /** The session this fault hits (the first one, for a partition). */
  int session();

  /** When the fault starts, in ms of simulated time. */
  long atMillis();

  /** How long it lasts, in ms; 0 for an instantaneous fault. */
  long lengthMillis();

  /** The fault's kind. */
  Kind kind();

  /**
   * An instantaneous fault ({@code DROP}, {@code HALF_OPEN}, {@code RESTART}, {@code CLOSE}, {@code
   * FATAL}, {@code SERVICE_RESTART}, {@code RETRY_NOW}).
   *
   * @param kind the kind
   * @param session the session's index
   * @param atMillis when
   */
  record Instant(Kind kind, int session, long atMillis) implements Fault {
    /** Validates the components. */
    public Instant {
      FaultPlan.check(session, atMillis, 0);
      if (kind != Kind.DROP
          && kind != Kind.HALF_OPEN
          && kind != Kind.RESTART
          && kind != Kind.CLOSE
          && kind != Kind.FATAL
          && kind != Kind.SERVICE_RESTART
          && kind != Kind.RETRY_NOW) {
        throw new IllegalArgumentException("not an instantaneous fault: " + kind);
      }
    }

    @Override
    public long lengthMillis() {
      return 0;
    }

    @Override
    public String toString() {
      return FaultPlan.keyword(kind) + " " + session + " " + atMillis;
    }
  }

  /**
   * A fault with a duration ({@code OUTAGE}, {@code HANG}, {@code SLOW}, {@code FLAP}, {@code
   * PARTITION}, {@code SLOW_READER}, {@code SLOW_CONSUMER}, {@code CRASH_LOOP}, {@code REJECT},
   * {@code MOVE}).
   *
   * @param kind the kind
   * @param session the (first) session's index
   * @param atMillis when it starts
   * @param lengthMillis how long it lasts
   * @param param {@code SLOW}: the connect latency in ms; {@code FLAP}: the period in ms; {@code
   *     PARTITION}: the number of sessions cut off; {@code SLOW_READER}: ms per frame read; {@code
   *     SLOW_CONSUMER}: ms per frame handled; {@code CRASH_LOOP}: ms from accepting a connection to
   *     dropping it; {@code FLOOD}: requests from the server per second; {@code WRITE_STALL}:
   *     requests the client bursts; otherwise 0 ({@code MOVE}: {@code lengthMillis} is how long the
   *     resolver lags)
   */
  record Window(Kind kind, int session, long atMillis, long lengthMillis, long param)
      implements Fault {
    /** Validates the components. */
    public Window {
      FaultPlan.check(session, atMillis, lengthMillis);
      if (kind != Kind.OUTAGE
          && kind != Kind.HANG
          && kind != Kind.SLOW
          && kind != Kind.FLAP
          && kind != Kind.PARTITION
          && kind != Kind.SLOW_READER
          && kind != Kind.SLOW_CONSUMER
          && kind != Kind.CRASH_LOOP
          && kind != Kind.REJECT
          && kind != Kind.MOVE
          && kind != Kind.FLOOD
          && kind != Kind.WRITE_STALL) {
        throw new IllegalArgumentException("not a windowed fault: " + kind);
      }
      boolean needsParam =
          kind != Kind.OUTAGE && kind != Kind.HANG && kind != Kind.REJECT && kind != Kind.MOVE;
      if (needsParam ? param < 1 : param != 0) {
        throw new IllegalArgumentException("bad parameter " + param + " for " + kind);
      }
    }

    /** The last session cut off (for a partition; otherwise {@link #session()}). */
    public int lastSession() {
      return kind == Kind.PARTITION ? session + (int) param - 1 : session;
    }

    @Override
    public String toString() {
      String s = FaultPlan.keyword(kind) + " " + session + " " + atMillis + " " + lengthMillis;
      return param == 0 ? s : s + " " + param;
    }
  }
}
