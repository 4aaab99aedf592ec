package dev.tether.stub.sim;

import dev.tether.rpc.Dialect;
import dev.tether.rpc.Envelope;
import dev.tether.rpc.RequestOptions;
import dev.tether.runtime.spi.Transport;
import dev.tether.stub.rpc.ScriptedRpcPeer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.StringJoiner;
import java.util.function.UnaryOperator;

/**
 * The traffic model of the RPC sessions of a {@link Simulation}: which sessions are {@code
 * RpcConnection}s against a {@code ScriptedRpcPeer}, and what they do. Every RPC session listens to
 * {@link #streams()} streams (plus one the server refuses, {@link #REFUSED_STREAM}), toggles one
 * more now and then, makes requests (answered, slow past their deadline, remote errors, idempotent,
 * wait-for-ready), is asked things by the server (served, unserved, failing and slow methods), and
 * runs a heartbeat and a handshake hook; the server emits an event on each stream every {@link
 * #eventPeriod()}. Dialects rotate over the four built-in ones by session, and every other group of
 * four sessions uses the bare envelope.
 *
 * <p>Besides the connection faults of the {@link FaultProfile}, the model draws its own per RPC
 * session: {@link Fault.Kind#FLOOD request floods} from the server and {@link
 * Fault.Kind#WRITE_STALL write stalls} (a slow consumer on the client is the profile's {@link
 * Fault.Kind#SLOW_CONSUMER}). They are part of the run's {@link FaultPlan}, so shrinking removes
 * the ones that do not matter.
 *
 * <p>Immutable and thread-safe.
 */
public final class RpcTraffic {

  /** The stream every RPC session listens to and the server always refuses (I7's reporting). */
  public static final String REFUSED_STREAM = "refused";

  /** The stream every RPC session listens to and cancels in turns. */
  public static final String TOGGLED_STREAM = "toggled";

  /**
   * Largest {@link #slower slow-down} of the traffic's rates: shrinking tries 2, 4, … up to it; a
   * failure that still shows at a request every {@code 64 x} the period needs few of them.
   */
  public static final int MAX_SLOWER = 64;

  /**
   * A class of the traffic that can be turned off ({@link Builder#without}, or a {@code traffic
   * without} line of a {@link FaultPlan}): shrinking turns off every class a failure does not need.
   * Its {@link #keyword()} is the name a plan line uses.
   */
  public enum Part {
    /** The application's requests (all of them). */
    REQUESTS,
    /** Requests to the slow method, answered after their deadline (then plain requests). */
    SLOW_REQUESTS,
    /** Requests the server answers with an error (then plain requests). */
    REMOTE_ERRORS,
    /** Idempotent requests (then plain requests). */
    IDEMPOTENT,
    /** Wait-for-ready requests (then plain requests). */
    WAIT_FOR_READY,
    /** The server's events on the served streams. */
    EVENTS,
    /** Listening to streams at all: the served ones and the refused one. */
    SUBSCRIPTIONS,
    /** Listening to and cancelling {@link #TOGGLED_STREAM} in turns. */
    TOGGLE,
    /** Requests from the server to the client. */
    SERVER_REQUESTS,
    /** The heartbeat. */
    HEARTBEAT,
    /** The handshake hook. */
    HANDSHAKE;

    /** The part's name in a plan line: {@code wait-for-ready}. */
    public String keyword() {
      return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    /**
     * The part a plan line names, in any case.
     *
     * @throws IllegalArgumentException naming the known parts if none is called {@code word}
     */
    public static Part of(String word) {
      String name = word.toUpperCase(Locale.ROOT).replace('-', '_');
      for (Part p : values()) {
        if (p.name().equals(name)) {
          return p;
        }
      }
      StringJoiner known = new StringJoiner("|");
      for (Part p : values()) {
        known.add(p.keyword());
      }
      throw new IllegalArgumentException("unknown traffic part '" + word + "', expected " + known);
    }
  }

  private final int everyNth;
  private final Duration requestPeriod;
  private final Duration eventPeriod;
  private final int streams;
  private final Duration serverRequestPeriod;
  private final Duration togglePeriod;
  private final boolean heartbeat;
  private final boolean handshake;
  private final double floodsPerHour;
  private final double writeStallsPerHour;
  private final UnaryOperator<Transport> transports;
  private final UnaryOperator<Dialect> dialects;
  private final UnaryOperator<RequestOptions> requestOptions;
  private final Set<Part> off;
  private final int slower;

  private RpcTraffic(Builder b) {
    this.everyNth = b.everyNth;
    this.requestPeriod = b.requestPeriod;
    this.eventPeriod = b.eventPeriod;
    this.streams = b.streams;
    this.serverRequestPeriod = b.serverRequestPeriod;
    this.togglePeriod = b.togglePeriod;
    this.heartbeat = b.heartbeat;
    this.handshake = b.handshake;
    this.floodsPerHour = b.floodsPerHour;
    this.writeStallsPerHour = b.writeStallsPerHour;
    this.transports = b.transports;
    this.dialects = b.dialects;
    this.requestOptions = b.requestOptions;
    this.off = Collections.unmodifiableSet(EnumSet.copyOf(b.off));
    this.slower = 1;
  }

  private RpcTraffic(RpcTraffic t, Set<Part> off, int slower) {
    this.everyNth = t.everyNth;
    this.requestPeriod = t.requestPeriod;
    this.eventPeriod = t.eventPeriod;
    this.streams = t.streams;
    this.serverRequestPeriod = t.serverRequestPeriod;
    this.togglePeriod = t.togglePeriod;
    this.heartbeat = t.heartbeat;
    this.handshake = t.handshake;
    this.floodsPerHour = t.floodsPerHour;
    this.writeStallsPerHour = t.writeStallsPerHour;
    this.transports = t.transports;
    this.dialects = t.dialects;
    this.requestOptions = t.requestOptions;
    this.off = off;
    this.slower = slower;
  }

  /**
   * This traffic with the parts {@code without} turned off as well and its rates divided by {@code
   * slower} (every period of requests, events, server requests and toggles multiplied): what a
   * {@link FaultPlan}'s {@code traffic} lines ask for. The model's own faults (floods, write
   * stalls) are the plan's, not the traffic's.
   *
   * @throws IllegalArgumentException if {@code slower} is not in 1..{@link #MAX_SLOWER}
   */
  public RpcTraffic cut(Set<Part> without, int slower) {
    if (slower < 1 || slower > MAX_SLOWER) {
      throw new IllegalArgumentException("slower must be in 1.." + MAX_SLOWER + ", was " + slower);
    }
    if (without.isEmpty() && slower == 1) {
      return this;
    }
    EnumSet<Part> all = EnumSet.noneOf(Part.class);
    all.addAll(off);
    all.addAll(without);
    return new RpcTraffic(
        this, Collections.unmodifiableSet(all), Math.min(MAX_SLOWER, this.slower * slower));
  }

  /** Whether {@code part} of the traffic runs (not turned off). */
  public boolean has(Part part) {
    return !off.contains(part);
  }

  /** The parts turned off, in {@link Part} order. */
  public Set<Part> off() {
    return off;
  }

  /** The defaults: see {@link Builder}. */
  public static RpcTraffic defaults() {
    return builder().build();
  }

  /**
   * A builder with the defaults: every session an RPC session, a request per minute, an event per
   * stream every 10 s on two streams, a request from the server every 5 minutes, the toggled stream
   * flipped every 10 minutes, heartbeat and handshake hook on, 0.05 floods and 0.05 write stalls
   * per session-hour.
   */
  public static Builder builder() {
    return new Builder();
  }

  /** Whether session {@code index} is an RPC session. */
  public boolean isRpc(int index) {
    return index % everyNth == 0;
  }

  /** One session in this many is an RPC session (session 0, n, 2n, …). */
  public int everyNth() {
    return everyNth;
  }

  /** Mean time between two requests of a session. */
  public Duration requestPeriod() {
    return requestPeriod.multipliedBy(slower);
  }

  /** Time between two events of one stream. */
  public Duration eventPeriod() {
    return eventPeriod.multipliedBy(slower);
  }

  /** Streams each session listens to that the server serves (besides the refused one). */
  public int streams() {
    return streams;
  }

  /** Mean time between two requests from the server. */
  public Duration serverRequestPeriod() {
    return serverRequestPeriod.multipliedBy(slower);
  }

  /** Time between two flips of {@link #TOGGLED_STREAM}. */
  public Duration togglePeriod() {
    return togglePeriod.multipliedBy(slower);
  }

  /** Whether the sessions run a heartbeat. */
  public boolean heartbeat() {
    return heartbeat && has(Part.HEARTBEAT);
  }

  /** Whether the sessions run a handshake hook. */
  public boolean handshake() {
    return handshake && has(Part.HANDSHAKE);
  }

  /**
   * The client dialect of session {@code index}: the four built-in ones in turn, through {@link
   * Builder#dialects}.
   */
  public Dialect dialect(int index) {
    return dialects.apply(builtInDialect(index));
  }

  private Dialect builtInDialect(int index) {
    return switch (slot(index) % 4) {
      case 0 -> Dialect.vmService();
      case 1 -> Dialect.rpcWebsockets();
      case 2 -> Dialect.plain();
      default -> Dialect.pubsub();
    };
  }

  /** The scripted server's dialect for session {@code index}, matching {@link #dialect}. */
  public ScriptedRpcPeer.PeerDialect peerDialect(int index) {
    return switch (slot(index) % 4) {
      case 0 -> ScriptedRpcPeer.PeerDialect.VM_SERVICE;
      case 1 -> ScriptedRpcPeer.PeerDialect.RPC_WEBSOCKETS;
      case 2 -> ScriptedRpcPeer.PeerDialect.PLAIN;
      default -> ScriptedRpcPeer.PeerDialect.PUBSUB;
    };
  }

  /** The envelope of session {@code index}: bare for every other group of four RPC sessions. */
  public Envelope envelope(int index) {
    return (slot(index) / 4) % 2 == 0 ? Envelope.JSONRPC2 : Envelope.BARE;
  }

  /** The transport an RPC session's client uses: the simulated network's, through the decorator. */
  Transport transport(Transport network) {
    return transports.apply(network);
  }

  /** The options of one of the application's requests, through {@link Builder#requestOptions}. */
  RequestOptions options(RequestOptions traffic) {
    return requestOptions.apply(traffic);
  }

  private int slot(int index) {
    return index / everyNth;
  }

  /**
   * Draws the model's own faults (floods, write stalls) for its RPC sessions; the same arguments
   * give the same faults. Drawn apart from the profile's, so adding traffic leaves those in place.
   */
  List<Fault> faults(
      long seed, double intensity, int sessions, long durationMillis, Regime regime) {
    long healMillis = regime.healMillis(durationMillis);
    SplittableRandom root = new SplittableRandom(seed ^ 0x5eed_4e7c_0ffeL);
    List<Fault> out = new ArrayList<>();
    for (int s = 0; s < sessions; s++) {
      SplittableRandom r = root.split();
      if (!isRpc(s)) {
        continue;
      }
      windows(r, out, Fault.Kind.FLOOD, s, floodsPerHour * intensity, healMillis);
      windows(r, out, Fault.Kind.WRITE_STALL, s, writeStallsPerHour * intensity, healMillis);
    }
    return out;
  }

  private static void windows(
      SplittableRandom r,
      List<Fault> out,
      Fault.Kind kind,
      int session,
      double perHour,
      long healMillis) {
    if (perHour <= 0) {
      return;
    }
    long at = 0;
    while (true) {
      double hours = -Math.log(1.0 - r.nextDouble()) / perHour;
      at += 1 + (long) Math.min(Long.MAX_VALUE / 4.0, hours * 3_600_000.0);
      if (at >= healMillis) {
        return;
      }
      long length = Math.max(1, Math.min(r.nextLong(5_000, 120_000), healMillis - at));
      // FLOOD: requests from the server per second; WRITE_STALL: requests the client bursts.
      long param = kind == Fault.Kind.FLOOD ? r.nextLong(20, 200) : r.nextLong(80, 200);
      out.add(new Fault.Window(kind, session, at, length, param));
    }
  }

  @Override
  public String toString() {
    return "RpcTraffic[everyNth="
        + everyNth
        + ", request="
        + requestPeriod
        + ", event="
        + eventPeriod
        + " x "
        + streams
        + ", serverRequest="
        + serverRequestPeriod
        + ", heartbeat="
        + heartbeat()
        + ", handshake="
        + handshake()
        + (off.isEmpty() ? "" : ", off=" + off)
        + (slower == 1 ? "" : ", slower=" + slower)
        + "]";
  }

  /** Configures an {@link RpcTraffic}. Not thread-safe. */
  public static final class Builder {
    private int everyNth = 1;
    private Duration requestPeriod = Duration.ofMinutes(1);
    private Duration eventPeriod = Duration.ofSeconds(10);
    private int streams = 2;
    private Duration serverRequestPeriod = Duration.ofMinutes(5);
    private Duration togglePeriod = Duration.ofMinutes(10);
    private boolean heartbeat = true;
    private boolean handshake = true;
    private double floodsPerHour = 0.05;
    private double writeStallsPerHour = 0.05;
    private UnaryOperator<Transport> transports = UnaryOperator.identity();
    private UnaryOperator<Dialect> dialects = UnaryOperator.identity();
    private UnaryOperator<RequestOptions> requestOptions = UnaryOperator.identity();
    private final Set<Part> off = EnumSet.noneOf(Part.class);

    private Builder() {}

    /** Turns {@code parts} of the traffic off (see {@link Part}); the rest runs as configured. */
    public Builder without(Part... parts) {
      for (Part p : parts) {
        off.add(Objects.requireNonNull(p, "part"));
      }
      return this;
    }

    /**
     * Puts your own layer between each RPC client and the simulated network (a codec, a channel
     * wrapper, a transport of your own on top of the stub's): {@code decorator} gets the network's
     * transport and returns the one the client uses.
     */
    public Builder transports(UnaryOperator<Transport> decorator) {
      this.transports = Objects.requireNonNull(decorator, "decorator");
      return this;
    }

    /**
     * Replaces or wraps each session's built-in dialect (your own dialect for a protocol of yours);
     * the scripted server still speaks the built-in one's wire format.
     */
    public Builder dialects(UnaryOperator<Dialect> decorator) {
      this.dialects = Objects.requireNonNull(decorator, "decorator");
      return this;
    }

    /**
     * Adjusts the options of each request the simulated application makes (after the traffic chose
     * idempotent or wait-for-ready). The I6 oracle compares the client's ledger with the futures
     * that completed after every step, so an {@link RequestOptions#executor executor} set here must
     * run its tasks at once, on the calling thread, as the connection's context does by default.
     */
    public Builder requestOptions(UnaryOperator<RequestOptions> adjust) {
      this.requestOptions = Objects.requireNonNull(adjust, "adjust");
      return this;
    }

    /**
     * Makes one session in {@code n} an RPC session (0, n, 2n, …); the others stay bare
     * connections.
     *
     * @throws IllegalArgumentException if {@code n < 1}
     */
    public Builder everyNth(int n) {
      if (n < 1) {
        throw new IllegalArgumentException("everyNth must be >= 1, was " + n);
      }
      this.everyNth = n;
      return this;
    }

    /** Mean time between requests of a session (exponential gaps). */
    public Builder requestEvery(Duration period) {
      this.requestPeriod = positive(period, "requestEvery");
      return this;
    }

    /** Time between events of one stream. */
    public Builder eventEvery(Duration period) {
      this.eventPeriod = positive(period, "eventEvery");
      return this;
    }

    /**
     * Served streams each session listens to.
     *
     * @throws IllegalArgumentException if not in 0..16
     */
    public Builder streams(int streams) {
      if (streams < 0 || streams > 16) {
        throw new IllegalArgumentException("streams must be in 0..16, was " + streams);
      }
      this.streams = streams;
      return this;
    }

    /** Mean time between requests from the server (exponential gaps). */
    public Builder serverRequestEvery(Duration period) {
      this.serverRequestPeriod = positive(period, "serverRequestEvery");
      return this;
    }

    /** Time between two flips (listen, cancel) of {@link #TOGGLED_STREAM}. */
    public Builder toggleEvery(Duration period) {
      this.togglePeriod = positive(period, "toggleEvery");
      return this;
    }

    /** Whether sessions run a heartbeat (30 s, 5 s timeout, 3 misses). */
    public Builder heartbeat(boolean on) {
      this.heartbeat = on;
      return this;
    }

    /** Whether sessions run a handshake hook (one request before Connected). */
    public Builder handshake(boolean on) {
      this.handshake = on;
      return this;
    }

    /**
     * Rates of the model's own faults, per RPC session per simulated hour (at intensity 1).
     *
     * @throws IllegalArgumentException if negative or not finite
     */
    public Builder faults(double floodsPerHour, double writeStallsPerHour) {
      this.floodsPerHour = rate(floodsPerHour, "floodsPerHour");
      this.writeStallsPerHour = rate(writeStallsPerHour, "writeStallsPerHour");
      return this;
    }

    /** Builds the model. */
    public RpcTraffic build() {
      return new RpcTraffic(this);
    }

    private static Duration positive(Duration d, String name) {
      Objects.requireNonNull(d, name);
      if (d.isNegative() || d.isZero()) {
        throw new IllegalArgumentException(name + " must be positive, was " + d);
      }
      return d;
    }

    private static double rate(double r, String name) {
      if (!(r >= 0 && Double.isFinite(r))) {
        throw new IllegalArgumentException(name + " must be >= 0, was " + r);
      }
      return r;
    }
  }
}
