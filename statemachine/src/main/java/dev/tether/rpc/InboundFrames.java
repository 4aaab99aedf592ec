package dev.tether.rpc;

import dev.tether.machine.Cause;
import dev.tether.rpc.Counters.C;
import dev.tether.runtime.FrameListener;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The first hop of every inbound frame: the {@link FrameListener} of the underlying connection.
 * Bounds the frame's size (R1), has the {@link Codec} say what it is, and {@link #handle}s it: a
 * response goes to {@link Requests#respond}, a notification to {@link Streams#arrived}, an error
 * without an id to {@link IdlessErrors}, a request from the server to {@link ServedRequests} (I11);
 * what cannot be used (malformed, unmatched) is counted and, rarely, logged.
 *
 * <p>Confined to the connection's context (the driver delivers frames there).
 */
final class InboundFrames implements FrameListener {
  private static final Logger log = LoggerFactory.getLogger(InboundFrames.class);

  private final Link link;
  private final Codec codec;
  private final Requests requests;
  private final Streams streams;

  InboundFrames(Link link, Codec codec, Requests requests, Streams streams) {
    this.link = link;
    this.codec = codec;
    this.requests = requests;
    this.streams = streams;
  }

  @Override
  public void onFrame(long epoch, byte[] frame) {
    if (epoch != link.upEpoch) {
      return; // defensive: the driver only delivers frames of the current channel
    }
    Counters counters = link.counters;
    counters.inc(C.FRAMES_IN);
    counters.add(C.BYTES_IN, frame.length);
    int max = link.config.maxFrameBytes();
    if (frame.length > max) {
      counters.inc(C.OVERSIZED);
      log.warn(
          "{}: inbound frame of {} bytes exceeds maxFrameBytes {}", link.name(), frame.length, max);
      link.loseChannel(
          Cause.of(
              Cause.Kind.FRAME_TOO_LARGE,
              "inbound frame of " + frame.length + " bytes exceeds maxFrameBytes " + max));
      return;
    }
    handle(frame);
  }

  private void handle(byte[] frame) {
    Codec.Inbound in = codec.decode(frame);
    if (in instanceof Codec.Result r) {
      requests.respond(r.id(), r.result(), null);
    } else if (in instanceof Codec.Failure e) {
      requests.respond(e.id(), null, e.error());
    } else if (in instanceof Codec.Notification n) {
      streams.arrived(n.frame());
    } else if (in instanceof Codec.ServerRequest r) {
      served().accept(link.channel, r); // I11: answered once, on this channel, or dropped with it
    } else if (in instanceof Codec.IdlessError e) {
      link.config.idlessErrors().report(e.error(), link.counters, link.name());
    } else if (in instanceof Codec.Invalid bad) {
      invalid(bad);
    }
  }

  /** The requests from the server, created at the first one: nothing for a client never asked. */
  private ServedRequests served() {
    ServedRequests served = link.served;
    if (served == null) {
      RpcClient.Config config = link.config;
      served =
          new ServedRequests(
              config.name(), config.scheduler(), codec, link.counters, config.serving());
      link.served = served;
    }
    return served;
  }

  private void invalid(Codec.Invalid bad) {
    C counter =
        switch (bad.problem()) {
          case UNMATCHED_RESPONSE -> C.UNMATCHED;
          case MALFORMED -> C.MALFORMED;
        };
    long n = link.counters.inc(counter);
    if (Counters.rarely(n)) {
      log.warn("{}: ignored inbound frame ({} so far): {}", link.name(), n, bad.detail());
    }
  }
}
