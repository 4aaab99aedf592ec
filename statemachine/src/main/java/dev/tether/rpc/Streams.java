package dev.tether.rpc;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tether.machine.Cause;
import dev.tether.rpc.Counters.C;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The data lane: the desired streams, their handlers' registrations ({@link Sub}), and how a
 * notification reaches them. A notification {@link #arrived} passes the {@link InboundGate} (parked
 * there, in order, while a {@code PAUSE} lane is full, R4); then the {@link Dialect} names its
 * stream and each of the stream's handlers gets the payload ({@link #notification}), on the context
 * or through its {@link QueuedLane}. At the end nothing more is delivered (I4): what is parked or
 * queued is dropped and counted ({@link #dropUndelivered}). A stream's first handler and its last
 * one's cancellation are passed on to {@link ServerSubscriptions}.
 *
 * <p>Confined to the connection's context, except {@link #listen} and {@link Sub#cancel}, which hop
 * onto it.
 */
final class Streams {
  private static final Logger log = LoggerFactory.getLogger(Streams.class);

  private final Link link;
  private final InboundGate inbound; // notifications held back while a PAUSE lane is full

  /** No stream yet: an empty map shared by every connection (B5: 56 B per connection without). */
  private static final Map<String, Stream> NO_STREAMS = Map.of();

  private Map<String, Stream> streams = NO_STREAMS; // a LinkedHashMap from the first handler
  private ServerSubscriptions subscriptions;

  Streams(Link link) {
    this.link = link;
    this.inbound = new InboundGate(link.config.maxBacklogFrames(), link);
  }

  /** Set once, by the wiring in {@link RpcClient}: the one edge back from the server side. */
  void attach(ServerSubscriptions subscriptions) {
    this.subscriptions = subscriptions;
  }

  /** The inbound gate, for the heartbeat's question whether reading was held. */
  InboundGate gate() {
    return inbound;
  }

  /** A new handler of {@code stream}; any thread. */
  StreamSubscription listen(String stream, StreamHandler handler, Delivery delivery) {
    Sub sub = new Sub(stream, handler, delivery);
    link.onContext(() -> register(sub), () -> {});
    return sub;
  }

  private void register(Sub sub) {
    if (sub.cancelled || link.terminal) {
      return;
    }
    if (streams == NO_STREAMS) {
      streams = new LinkedHashMap<>();
    }
    Stream s = streams.computeIfAbsent(sub.stream, Stream::new);
    s.subs.add(sub);
    if (s.subs.size() == 1) {
      subscriptions.wanted(sub.stream);
    }
  }

  private void unregister(Sub sub) {
    if (sub.lane != null) {
      sub.lane.close();
    }
    releasePause(sub);
    Stream s = streams.get(sub.stream);
    if (s == null || !s.subs.remove(sub) || !s.subs.isEmpty()) {
      return;
    }
    streams.remove(sub.stream);
    subscriptions.unwanted(sub.stream);
  }

  /** The names of the desired streams, in the order they were first listened to (a copy). */
  List<String> names() {
    List<String> desired = new ArrayList<>(streams.size());
    streams.forEach((name, stream) -> desired.add(name)); // not keySet(): that view stays cached
    return desired;
  }

  /** A notification arrived: delivered now, or parked behind a full {@code PAUSE} lane. */
  void arrived(ObjectNode notification) {
    if (inbound.holdsBack()) {
      park(notification); // a PAUSE queue is full: events wait, in order; answers still flow
    } else {
      notification(notification);
    }
  }

  /**
   * Parks a notification while a PAUSE lane is full (reading stops at the gate's look-ahead). Past
   * the last-resort bound, reached only when the transport cannot pause, the notification is
   * dropped and the channel ends.
   */
  private void park(ObjectNode notification) {
    if (inbound.park(notification)) {
      return;
    }
    link.counters.inc(C.EVENTS_DROPPED);
    long n = link.counters.inc(C.BACKLOG_OVERFLOWS);
    log.warn(
        "{}: inbound backlog of {} frames full although reading was paused (the transport did not"
            + " pause?); dropping a notification and the channel ({} so far)",
        link.name(),
        inbound.maxParked(),
        n);
    link.loseChannel(
        Cause.of(
            Cause.Kind.PROTOCOL_ERROR,
            "inbound backlog exceeded "
                + inbound.maxParked()
                + " frames while a PAUSE subscription's queue stayed full"));
  }

  /** The dialect names the notification's stream; each of its handlers gets the payload. */
  private void notification(ObjectNode frame) {
    // Server-named subscriptions: a frame parked before a channel reset carries stale tokens.
    ServerTokens tokens = link.tokens;
    boolean lostChannel = tokens != null && tokens.fromLostChannel();
    Optional<Dialect.StreamEvent> event;
    try {
      event = link.config.dialect().streamEvent(frame);
    } catch (RuntimeException e) {
      long n = link.counters.inc(C.MALFORMED);
      if (Counters.rarely(n)) {
        log.warn("{}: dialect could not read a notification", link.name(), e);
      }
      return;
    }
    // Server-named subscriptions: a tagged event goes where its token maps on this channel.
    String name = event.isEmpty() ? null : event.get().stream();
    if (event.isPresent() && event.get().isTagged()) {
      name = lostChannel || tokens == null ? null : tokens.streamOf(event.get().token());
      if (name == null) {
        unknownToken(event.get().token(), lostChannel);
        return;
      }
    }
    Stream s = name == null ? null : streams.get(name);
    if (s == null) {
      if (!link.config.serving().notify(frame, link.counters, link.name())) { // onNotification
        link.counters.inc(C.UNROUTED);
      }
      return;
    }
    link.counters.inc(C.EVENTS_RECEIVED);
    JsonNode payload = event.get().payload();
    for (Sub sub : s.subs.size() == 1 ? s.subs : new ArrayList<>(s.subs)) {
      sub.deliver(payload);
    }
  }

  /** Tests only: notifications parked now. Call on the context. */
  /** An event tagged with a token no subscription of this channel holds: counted, not delivered. */
  private void unknownToken(String token, boolean lostChannel) {
    long n = link.counters.inc(C.UNKNOWN_TOKENS);
    if (Counters.rarely(n)) {
      log.warn(
          "{}: dropped an event tagged with {} token {} ({} so far)",
          link.name(),
          lostChannel ? "the lost channel's" : "unknown",
          Codec.abbreviate(token),
          n);
    }
  }

  /** Whether {@code stream} has a handler. */
  boolean has(String stream) {
    return streams.containsKey(stream);
  }

  int parked() {
    return inbound.parked();
  }

  /** A PAUSE lane got room (called on its executor): resume reading if nothing else is full. */
  private void laneHasRoom(Sub sub) {
    link.onContext(
        () -> {
          if (sub.pausing && !sub.lane.full()) {
            releasePause(sub);
          }
        },
        () -> {});
  }

  private void releasePause(Sub sub) {
    if (!sub.pausing) {
      return;
    }
    sub.pausing = false;
    inbound.laneHasRoom(this::notification);
  }

  /** The server refused {@code stream}: its handlers hear of it. */
  void refused(String stream, RpcException refusal) {
    Stream s = streams.get(stream);
    if (s == null) {
      return;
    }
    for (Sub sub : new ArrayList<>(s.subs)) {
      try {
        sub.handler.onSubscriptionFailed(refusal);
      } catch (RuntimeException e) {
        link.counters.inc(C.HANDLER_ERRORS);
        log.warn("{}: onSubscriptionFailed of stream {} threw", link.name(), stream, e);
      }
    }
  }

  /**
   * I4 at the end: no stream handler runs after the terminal event. Events still held back (parked)
   * or queued in lanes (whose executors may still hold a drain task) are dropped, counted and
   * logged once.
   */
  void dropUndelivered() {
    int parked = inbound.clear();
    int[] queued = {0};
    streams.forEach(
        (name, stream) -> {
          for (Sub sub : stream.subs) {
            if (sub.lane != null) {
              queued[0] += sub.lane.close();
            }
          }
        });
    int dropped = parked + queued[0];
    if (dropped > 0) {
      link.counters.add(C.EVENTS_DROPPED, dropped);
      link.counters.add(C.EVENTS_DROPPED_AT_END, dropped);
      log.warn(
          "{}: connection ended with {} stream events undelivered ({} held back, {} queued);"
              + " dropped",
          link.name(),
          dropped,
          parked,
          queued[0]);
    }
  }

  /** A desired stream and its handlers. */
  private static final class Stream {
    final List<Sub> subs = new ArrayList<>(1);

    Stream(String name) {
      Objects.requireNonNull(name, "name");
    }
  }

  /** One handler's registration. */
  private final class Sub implements StreamSubscription {
    final String stream;
    final StreamHandler handler;
    final QueuedLane lane;
    volatile boolean cancelled;
    boolean pausing; // context-confined: this PAUSE lane is full and holds reading back

    Sub(String stream, StreamHandler handler, Delivery delivery) {
      this.stream = stream;
      this.handler = handler;
      this.lane =
          delivery.isQueued()
              ? new QueuedLane(
                  link.name() + " stream " + stream,
                  delivery,
                  handler,
                  link.counters,
                  () -> laneHasRoom(this))
              : null;
    }

    @Override
    public String stream() {
      return stream;
    }

    @Override
    public void cancel() {
      if (!cancelled) {
        cancelled = true;
        if (lane != null) {
          lane.cancel(); // at once: its executor must not hand out more, whatever the context does
        }
        link.onContext(() -> unregister(this), () -> {});
      }
    }

    void deliver(JsonNode payload) {
      if (cancelled || link.terminal) { // a handler may have ended the connection mid-delivery
        return;
      }
      if (lane != null) {
        lane.offer(payload);
        if (lane.full() && !pausing && lane.delivery().overflow() == Delivery.Overflow.PAUSE) {
          pausing = true;
          inbound.laneFull();
        }
        return;
      }
      try {
        handler.onEvent(payload);
      } catch (RuntimeException e) {
        long n = link.counters.inc(C.HANDLER_ERRORS);
        if (Counters.rarely(n)) {
          log.warn("{}: handler of stream {} threw ({} so far)", link.name(), stream, n, e);
        }
      }
    }
  }
}
