package dev.tether.stub.sim;

import java.util.Locale;

/**
 * A family of random faults, for {@link FaultPlan#random}. Rates are per session per simulated hour
 * at intensity 1.
 */
public enum FaultProfile {
  /** No faults at all. */
  NONE(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0),
  /** Everyday flakiness: drops, short outages, slow connects, restarts. */
  FLAKY(2.0, 0.5, 0, 0.3, 0, 0.3, 0.05, 0, 0.02, 0, 0, 0, 0, 0, 0, 0, 0),
  /** Long outages (beyond the retry budget) and hanging connects. */
  OUTAGES(0.5, 0.6, 0.3, 0, 0, 0, 0, 0, 0.02, 0, 0, 0, 0, 0, 0, 0, 0),
  /** Partitions over session ranges and half-open channels. */
  PARTITIONS(0.5, 0, 0, 0, 0.2, 0, 0, 0.3, 0.02, 0, 0, 0, 0, 0, 0, 0, 0),
  /**
   * Everything at once: user closes, slow readers, slow consumers, crash loops, revoked credentials
   * and policy-violation closes (fatal failures), servers that move, service restarts (prompt
   * retries) and "retry now" presses included.
   */
  CHAOS(2.0, 0.6, 0.3, 0.3, 0.2, 0.3, 0.2, 0.3, 0.1, 0.5, 0.5, 0.2, 0.05, 0.3, 0.05, 0.3, 0.5);

  final double drop;
  final double outage;
  final double hang;
  final double slow;
  final double halfOpen;
  final double restart;
  final double flap;
  final double partition;
  final double close;
  final double slowReader;
  final double slowConsumer;
  final double crashLoop;
  final double reject;
  final double move;
  final double fatal;
  final double serviceRestart;
  final double retryNow;

  FaultProfile(
      double drop,
      double outage,
      double hang,
      double slow,
      double halfOpen,
      double restart,
      double flap,
      double partition,
      double close,
      double slowReader,
      double slowConsumer,
      double crashLoop,
      double reject,
      double move,
      double fatal,
      double serviceRestart,
      double retryNow) {
    this.drop = drop;
    this.outage = outage;
    this.hang = hang;
    this.slow = slow;
    this.halfOpen = halfOpen;
    this.restart = restart;
    this.flap = flap;
    this.partition = partition;
    this.close = close;
    this.slowReader = slowReader;
    this.slowConsumer = slowConsumer;
    this.crashLoop = crashLoop;
    this.reject = reject;
    this.move = move;
    this.fatal = fatal;
    this.serviceRestart = serviceRestart;
    this.retryNow = retryNow;
  }

  /**
   * The profile named {@code name} (case-insensitive: none, flaky, outages, partitions, chaos).
   *
   * @throws IllegalArgumentException if there is no such profile
   */
  public static FaultProfile parse(String name) {
    for (FaultProfile p : values()) {
      if (p.name().equalsIgnoreCase(name)) {
        return p;
      }
    }
    throw new IllegalArgumentException(
        "unknown fault profile '" + name + "', expected none|flaky|outages|partitions|chaos");
  }

  @Override
  public String toString() {
    return name().toLowerCase(Locale.ROOT);
  }
}
