package dev.tether.rpc;

import dev.tether.machine.Cause;
import dev.tether.rpc.Counters.C;
import dev.tether.rpc.Ledger.Pending;
import dev.tether.runtime.spi.Scheduler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@link Heartbeat} of the channel that is up: a probe every interval; after {@link
 * Heartbeat#misses()} misses in a row the channel counts as lost ({@code HEARTBEAT_MISSED}, R5).
 * Started when a channel is up, stopped when it goes. Exists only on a connection with a heartbeat.
 *
 * <p>Confined to the connection's context.
 */
final class HeartbeatLoop {
  private static final Logger log = LoggerFactory.getLogger(HeartbeatLoop.class);

  private final Link link;
  private final Requests requests;
  private final InboundGate inbound;
  private Scheduler.Cancellable heartbeatTimer;
  private int misses;

  HeartbeatLoop(Link link, Requests requests, InboundGate inbound) {
    this.link = link;
    this.requests = requests;
    this.inbound = inbound;
  }

  /** The channel of {@code epoch} is up: misses count afresh, probes start. */
  void start(long epoch) {
    misses = 0;
    heartbeatTimer =
        link.config.scheduler().schedule(link.config.heartbeat().interval(), () -> probe(epoch));
  }

  /** The channel is gone: no more probes. */
  void stop() {
    if (heartbeatTimer != null) {
      heartbeatTimer.cancel();
      heartbeatTimer = null;
    }
  }

  private void probe(long epoch) {
    if (link.upEpoch != epoch) {
      return;
    }
    Heartbeat hb = link.config.heartbeat();
    heartbeatTimer = link.config.scheduler().schedule(hb.interval(), () -> probe(epoch));
    Pending p = requests.internal(link.config.probe(), hb.timeout());
    long pausesBefore = inbound.pauses();
    boolean pausedBefore = inbound.readingPaused();
    p.then =
        (r, err) -> {
          if (err instanceof RpcException.Timeout && heldReading(pausedBefore, pausesBefore)) {
            log.debug("{}: heartbeat probe timed out while reading was held; no miss", link.name());
          } else {
            probeSettled(epoch, err);
          }
        };
    requests.send(p);
  }

  /**
   * Whether this client held reading at some point since a probe was sent (R4: a slow {@code PAUSE}
   * consumer). The probe's answer may then sit unread behind the parked events, so its timeout says
   * nothing about the peer: it is neither a miss nor a proof of life. A slow consumer never costs
   * the connection.
   */
  private boolean heldReading(boolean pausedBefore, long pausesBefore) {
    return pausedBefore || inbound.readingPaused() || inbound.pauses() != pausesBefore;
  }

  /**
   * Only an answer, a result or a remote error, proves the peer alive (R5). A probe that timed out
   * or could not be sent ({@code SendFailed}, {@code NotConnected}) is a miss: a peer that stopped
   * reading makes writes fail, and counting that as life would keep a dead channel forever. A probe
   * lost with its channel is no miss, the next channel counts afresh, unless its write timed out.
   */
  private void probeSettled(long epoch, Throwable err) {
    if (err == null || err instanceof RpcException.RemoteError) {
      if (link.upEpoch == epoch) {
        misses = 0;
      }
      return;
    }
    if (err instanceof RpcException.ConnectionLost lost) {
      Cause why = lost.connectionCause();
      if (why != null && why.kind() == Cause.Kind.WRITE_TIMEOUT) {
        link.counters.inc(C.HEARTBEAT_MISSES); // the channel is already lost: nothing to declare
      }
      return;
    }
    if (link.upEpoch != epoch) {
      return;
    }
    link.counters.inc(C.HEARTBEAT_MISSES);
    Heartbeat hb = link.config.heartbeat();
    if (++misses >= hb.misses()) {
      link.connection()
          .declareLost(
              epoch,
              Cause.of(
                  Cause.Kind.HEARTBEAT_MISSED,
                  misses
                      + " heartbeat probes in a row got no answer within "
                      + hb.timeout().toMillis()
                      + " ms or could not be sent"));
    }
  }
}
