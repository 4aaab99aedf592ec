package dev.tether.stub.sim;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * An ordered list of timed {@link Fault faults}: either drawn at random from a seed, a {@link
 * FaultProfile} and an intensity, or written out explicitly. {@link #toString()} prints one fault
 * per line in the form {@link #parse} reads, so a shrunk plan from a failing run replays as an
 * explicit plan.
 *
 * <p>Immutable and thread-safe.
 */
public final class FaultPlan {

  /** Longest outage the random profiles draw: long enough to exhaust the default retries. */
  static final long MAX_OUTAGE_MILLIS = 30 * 60_000L;

  /** Largest partition, in sessions; keeps one fault's blast radius readable in a report. */
  static final int MAX_PARTITION_SESSIONS = 8;

  /**
   * Time, session, kind, length, then the text. Written out rather than chained with {@code
   * thenComparing}: sorting a drawn plan (760,000 faults for B6) spent 3 % of the run in the
   * chain's lambdas.
   */
  private static final Comparator<Fault> ORDER = FaultPlan::compare;

  private static int compare(Fault a, Fault b) {
    int c = Long.compare(a.atMillis(), b.atMillis());
    if (c == 0) {
      c = Integer.compare(a.session(), b.session());
    }
    if (c == 0) {
      c = a.kind().compareTo(b.kind());
    }
    if (c == 0) {
      c = Long.compare(a.lengthMillis(), b.lengthMillis());
    }
    return c != 0 ? c : a.toString().compareTo(b.toString());
  }

  private final List<Fault> faults;
  private final Set<RpcTraffic.Part> trafficOff;
  private final int trafficSlower;

  private FaultPlan(List<Fault> faults) {
    this(faults, EnumSet.noneOf(RpcTraffic.Part.class), 1);
  }

  private FaultPlan(List<Fault> faults, Set<RpcTraffic.Part> trafficOff, int trafficSlower) {
    List<Fault> sorted = new ArrayList<>(faults);
    sorted.sort(ORDER);
    this.faults = List.copyOf(sorted);
    EnumSet<RpcTraffic.Part> off = EnumSet.noneOf(RpcTraffic.Part.class);
    off.addAll(trafficOff);
    this.trafficOff = Collections.unmodifiableSet(off);
    if (trafficSlower < 1 || trafficSlower > RpcTraffic.MAX_SLOWER) {
      throw new IllegalArgumentException(
          "traffic slower must be in 1.." + RpcTraffic.MAX_SLOWER + ", was " + trafficSlower);
    }
    this.trafficSlower = trafficSlower;
  }

  /** A plan with exactly these faults (in time order). */
  public static FaultPlan of(List<Fault> faults) {
    return new FaultPlan(faults);
  }

  /** The empty plan. */
  public static FaultPlan none() {
    return new FaultPlan(List.of());
  }

  /** The faults, in time order. */
  public List<Fault> faults() {
    return faults;
  }

  /** Number of faults. */
  public int size() {
    return faults.size();
  }

  /**
   * The parts of the simulation's {@link RpcTraffic} this plan turns off (a {@code traffic without
   * …} line; empty for a drawn plan). Shrinking turns off every part a failure does not need, so
   * the shrunk plan names the traffic that matters.
   */
  public Set<RpcTraffic.Part> trafficOff() {
    return trafficOff;
  }

  /**
   * By how much this plan slows the simulation's {@link RpcTraffic} down ({@code traffic slower
   * N}): every period of its requests, events, server requests and toggles times this; 1 for a
   * drawn plan.
   */
  public int trafficSlower() {
    return trafficSlower;
  }

  /**
   * This plan's faults with the traffic cut to {@code off} and {@code slower} (replacing this
   * plan's own). Runs without {@link Simulation.Builder#rpc RPC traffic} ignore both.
   *
   * @throws IllegalArgumentException if {@code slower} is not in 1..{@link RpcTraffic#MAX_SLOWER}
   */
  public FaultPlan withTraffic(Set<RpcTraffic.Part> off, int slower) {
    return new FaultPlan(faults, off, slower);
  }

  /**
   * Draws a random plan. The same arguments always give the same plan.
   *
   * @param seed the seed
   * @param profile which faults and how often
   * @param intensity multiplies every rate; 1 is the profile's nominal rate
   * @param sessions how many sessions the run has
   * @param durationMillis the run's length
   * @param regime {@link Regime#LIVENESS} makes every fault heal by half the run
   * @throws IllegalArgumentException if {@code intensity} is negative or not finite, or {@code
   *     sessions < 1}
   */
  public static FaultPlan random(
      long seed,
      FaultProfile profile,
      double intensity,
      int sessions,
      long durationMillis,
      Regime regime) {
    if (!(intensity >= 0 && Double.isFinite(intensity))) {
      throw new IllegalArgumentException("intensity must be >= 0, was " + intensity);
    }
    if (sessions < 1) {
      throw new IllegalArgumentException("sessions must be >= 1, was " + sessions);
    }
    long healMillis = regime.healMillis(durationMillis);
    SplittableRandom root = new SplittableRandom(seed);
    List<Fault> out = new ArrayList<>();
    for (int s = 0; s < sessions; s++) {
      new Drawer(root.split(), s, sessions, healMillis, intensity, out).draw(profile);
    }
    return new FaultPlan(out);
  }

  /** Draws one session's faults. */
  private static final class Drawer {
    private final SplittableRandom r;
    private final int session;
    private final int sessions;
    private final long healMillis;
    private final double intensity;
    private final List<Fault> out;

    Drawer(
        SplittableRandom r,
        int session,
        int sessions,
        long healMillis,
        double intensity,
        List<Fault> out) {
      this.r = r;
      this.session = session;
      this.sessions = sessions;
      this.healMillis = healMillis;
      this.intensity = intensity;
      this.out = out;
    }

    void draw(FaultProfile p) {
      instants(Fault.Kind.DROP, p.drop);
      instants(Fault.Kind.HALF_OPEN, p.halfOpen);
      instants(Fault.Kind.RESTART, p.restart);
      instants(Fault.Kind.CLOSE, p.close);
      windows(Fault.Kind.OUTAGE, p.outage, 1_000, MAX_OUTAGE_MILLIS);
      windows(Fault.Kind.HANG, p.hang, 5_000, 5 * 60_000L);
      windows(Fault.Kind.SLOW, p.slow, 30_000, 5 * 60_000L);
      windows(Fault.Kind.FLAP, p.flap, 30_000, 10 * 60_000L);
      windows(Fault.Kind.PARTITION, p.partition, 10_000, 10 * 60_000L);
      // Drawn last, so that adding it left every other fault of a seed where it was.
      windows(Fault.Kind.SLOW_READER, p.slowReader, 10_000, 5 * 60_000L);
      windows(Fault.Kind.SLOW_CONSUMER, p.slowConsumer, 10_000, 5 * 60_000L); // likewise
      windows(Fault.Kind.CRASH_LOOP, p.crashLoop, 30_000, 10 * 60_000L); // likewise
      windows(Fault.Kind.REJECT, p.reject, 10_000, 10 * 60_000L); // likewise
      windows(Fault.Kind.MOVE, p.move, 1_000, 5 * 60_000L); // likewise
      instants(Fault.Kind.FATAL, p.fatal); // likewise
      instants(Fault.Kind.SERVICE_RESTART, p.serviceRestart); // likewise
      instants(Fault.Kind.RETRY_NOW, p.retryNow); // last, likewise
    }

    private void instants(Fault.Kind kind, double perHour) {
      for (long at = next(0, perHour); at < healMillis; at = next(at, perHour)) {
        out.add(new Fault.Instant(kind, session, at));
      }
    }

    private void windows(Fault.Kind kind, double perHour, long minMillis, long maxMillis) {
      for (long at = next(0, perHour); at < healMillis; at = next(at, perHour)) {
        // Log-uniform lengths: mostly short windows, now and then a long one.
        long length =
            Math.round(
                Math.exp(r.nextDouble(Math.log((double) minMillis), Math.log((double) maxMillis))));
        length = Math.max(1, Math.min(length, healMillis - at));
        out.add(new Fault.Window(kind, session, at, length, param(kind)));
      }
    }

    private long param(Fault.Kind kind) {
      if (kind == Fault.Kind.SLOW) {
        return r.nextLong(1_000, 20_000); // sometimes past the 10 s default connect timeout
      }
      if (kind == Fault.Kind.FLAP) {
        return r.nextLong(500, 20_000);
      }
      if (kind == Fault.Kind.CRASH_LOOP) {
        return r.nextLong(200, 5_000); // "a moment after start": well inside a flap window
      }
      if (kind == Fault.Kind.SLOW_READER || kind == Fault.Kind.SLOW_CONSUMER) {
        return r.nextLong(200, 5_000); // slower than the simulated writer: its buffer fills
      }
      if (kind == Fault.Kind.PARTITION) {
        return 1L + r.nextInt(Math.min(MAX_PARTITION_SESSIONS, sessions - session));
      }
      return 0;
    }

    /** The next arrival of a Poisson process of {@code perHour} (scaled by the intensity). */
    private long next(long fromMillis, double perHour) {
      double rate = perHour * intensity;
      if (rate <= 0) {
        return Long.MAX_VALUE;
      }
      double hours = -Math.log(1.0 - r.nextDouble()) / rate;
      return fromMillis + 1 + (long) Math.min(Long.MAX_VALUE / 4.0, hours * 3_600_000.0);
    }
  }

  /**
   * Reads a plan in the form {@link #toString()} prints: one fault per line, {@code kind session
   * atMillis [lengthMillis [param]]}, and the traffic lines {@code traffic without PART...} and
   * {@code traffic slower N} (see {@link #trafficOff()}, {@link #trafficSlower()}); blank lines and
   * {@code #} comments are ignored.
   *
   * @throws IllegalArgumentException naming the line that does not parse
   */
  public static FaultPlan parse(String text) {
    List<Fault> out = new ArrayList<>();
    EnumSet<RpcTraffic.Part> off = EnumSet.noneOf(RpcTraffic.Part.class);
    int slower = 1;
    for (String raw : text.split("\n", -1)) {
      String line = raw.strip();
      if (line.isEmpty() || line.startsWith("#")) {
        continue;
      }
      try {
        String[] words = line.split("\\s+", -1);
        if (words[0].equalsIgnoreCase(TRAFFIC)) {
          slower = trafficLine(words, off, slower);
        } else {
          out.add(parseLine(words));
        }
      } catch (RuntimeException e) {
        throw new IllegalArgumentException(
            "cannot parse fault '" + line + "': " + e.getMessage(), e);
      }
    }
    return new FaultPlan(out, off, slower);
  }

  /** The first word of a traffic line. */
  private static final String TRAFFIC = "traffic";

  /** Reads a traffic line into {@code off}; returns the slow-down it sets (or {@code slower}). */
  private static int trafficLine(String[] words, Set<RpcTraffic.Part> off, int slower) {
    if (words.length >= 3 && words[1].equalsIgnoreCase("without")) {
      for (int i = 2; i < words.length; i++) {
        off.add(RpcTraffic.Part.of(words[i]));
      }
      return slower;
    }
    if (words.length == 3 && words[1].equalsIgnoreCase("slower")) {
      long n = number(words[2], "slower");
      if (n < 1 || n > RpcTraffic.MAX_SLOWER) {
        throw new IllegalArgumentException(
            "slower must be in 1.." + RpcTraffic.MAX_SLOWER + ", was " + n);
      }
      return (int) n;
    }
    throw new IllegalArgumentException("expected traffic without PART... or traffic slower N");
  }

  private static Fault parseLine(String[] f) {
    if (f.length < 3 || f.length > 5) {
      throw new IllegalArgumentException(
          "expected kind session atMillis [lengthMillis [param]], got " + f.length + " words");
    }
    Fault.Kind kind = kind(f[0]);
    int session = Math.toIntExact(number(f[1], "session"));
    long at = number(f[2], "atMillis");
    if (f.length == 3) {
      return new Fault.Instant(kind, session, at);
    }
    long param = f.length > 4 ? number(f[4], "param") : 0;
    return new Fault.Window(kind, session, at, number(f[3], "lengthMillis"), param);
  }

  /** A fault kind as {@link #toString()} prints it ({@code half-open}), in any case. */
  private static Fault.Kind kind(String word) {
    String name = word.toUpperCase(Locale.ROOT).replace('-', '_');
    for (Fault.Kind k : Fault.Kind.values()) {
      if (k.name().equals(name)) {
        return k;
      }
    }
    List<String> known = new ArrayList<>();
    for (Fault.Kind k : Fault.Kind.values()) {
      known.add(keyword(k));
    }
    throw new IllegalArgumentException(
        "unknown fault kind '" + word + "', expected " + String.join("|", known));
  }

  private static long number(String word, String what) {
    try {
      return Long.parseLong(word);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(what + " '" + word + "' is not a whole number", e);
    }
  }

  /** This plan without the faults at {@code from} (inclusive) to {@code to} (exclusive). */
  FaultPlan without(int from, int to) {
    List<Fault> rest = new ArrayList<>(faults.subList(0, from));
    rest.addAll(faults.subList(to, faults.size()));
    return new FaultPlan(rest, trafficOff, trafficSlower);
  }

  /** The faults that hit {@code session} (partitions covering it included). */
  FaultPlan touching(int session) {
    List<Fault> out = new ArrayList<>();
    for (Fault f : faults) {
      int last = f instanceof Fault.Window w ? w.lastSession() : f.session();
      if (f.session() <= session && session <= last) {
        out.add(f);
      }
    }
    return new FaultPlan(out, trafficOff, trafficSlower);
  }

  static void check(int session, long atMillis, long lengthMillis) {
    if (session < 0) {
      throw new IllegalArgumentException("session must be >= 0, was " + session);
    }
    if (atMillis < 0) {
      throw new IllegalArgumentException("atMillis must be >= 0, was " + atMillis);
    }
    if (lengthMillis < 0) {
      throw new IllegalArgumentException("lengthMillis must be >= 0, was " + lengthMillis);
    }
  }

  static String keyword(Fault.Kind kind) {
    return kind.name().toLowerCase(Locale.ROOT).replace('_', '-');
  }

  /**
   * The traffic lines (if the plan cuts the traffic), then one fault per line: what {@link #parse}
   * reads.
   */
  @Override
  public String toString() {
    StringBuilder sb = new StringBuilder();
    if (!trafficOff.isEmpty()) {
      sb.append(TRAFFIC).append(" without");
      for (RpcTraffic.Part p : trafficOff) {
        sb.append(' ').append(p.keyword());
      }
      sb.append('\n');
    }
    if (trafficSlower != 1) {
      sb.append(TRAFFIC).append(" slower ").append(trafficSlower).append('\n');
    }
    for (Fault f : faults) {
      sb.append(f).append('\n');
    }
    return sb.toString();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof FaultPlan p
        && p.faults.equals(faults)
        && p.trafficOff.equals(trafficOff)
        && p.trafficSlower == trafficSlower;
  }

  @Override
  public int hashCode() {
    return Objects.hash(faults, trafficOff, trafficSlower);
  }
}
