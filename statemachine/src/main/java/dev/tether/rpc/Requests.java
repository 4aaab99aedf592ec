package dev.tether.rpc;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.tether.machine.Cause;
import dev.tether.machine.ConnectionState;
import dev.tether.rpc.Counters.C;
import dev.tether.rpc.Ledger.Pending;
import dev.tether.runtime.spi.Channel;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicReferenceFieldUpdater;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The client's requests, from the call to their settlement (I6). A request is encoded on the
 * caller's thread ({@link #request}), handed to the context (at once there; from other threads in
 * batches, see {@link #arrive}), then sent on the current channel, or parked in the {@link
 * Ledger}'s wait queue while there is none (wait-for-ready). It settles with its answer ({@link
 * #respond}), its deadline ({@link Deadlines}, which calls {@link #accept}) or its channel's loss
 * ({@link #failInFlight}, which queues idempotent ones for a replay instead). The connection's own
 * requests (subscriptions, probes, the handshake hook's) go through {@link #internal} and {@link
 * #send}, without waiting.
 *
 * <p>{@link #request} and {@link #prepareInternal} may be called from any thread; everything else
 * runs on the connection's context.
 */
final class Requests implements Consumer<Pending> {
  private static final Logger log = LoggerFactory.getLogger(Requests.class);

  private static final AtomicReferenceFieldUpdater<Requests, Pending> ARRIVED =
      AtomicReferenceFieldUpdater.newUpdater(Requests.class, Pending.class, "arrived");

  private final Link link;
  private final Codec codec;
  private final Deadlines deadlines;
  private final Ledger ledger;
  private volatile Pending arrived; // requests issued off the context, newest first (see arrive)

  Requests(Link link, Codec codec) {
    this.link = link;
    this.codec = codec;
    this.deadlines = new Deadlines(link.config.scheduler(), this);
    this.ledger = new Ledger(link.counters, deadlines, link.config.waitCapacity());
  }

  /** A user's request: encoded here (the caller's thread), then issued on the context. */
  CompletionStage<JsonNode> request(String method, JsonNode params, RequestOptions options) {
    RpcClient.checkCall(method, params);
    Objects.requireNonNull(options, "options");
    RpcClient.Config config = link.config;
    Pending p =
        new Pending(
            method,
            false,
            options.idempotent(),
            options.waitForReady().orElse(config.waitForReady()),
            options.timeout().orElse(config.requestTimeout()),
            options.executor().orElse(null));
    encode(p, params, options.members()); // here, off the connection's context
    if (config.scheduler().inContext()) {
      issue(p);
    } else {
      arrive(p);
    }
    return p.future;
  }

  /**
   * A user's notification: encoded here, then issued on the context like a request, through the
   * same hop (so it keeps its place among the caller's requests), but written only on a channel
   * that is up; it never waits, and its future completes with null once the frame was written.
   */
  CompletionStage<Void> notify(String method, JsonNode params) {
    Pending p = prepareNotification(method, params);
    if (link.config.scheduler().inContext()) {
      issue(p);
    } else {
      arrive(p);
    }
    return p.future.thenApply(written -> null);
  }

  /** A notification, encoded, not yet issued. Any thread. */
  Pending prepareNotification(String method, JsonNode params) {
    RpcClient.checkCall(method, params);
    Pending p = new Pending(method, false, false, false, link.config.requestTimeout());
    p.notification = true;
    return encode(p, params, Map.of());
  }

  /**
   * Hands a request issued off the context to it. Requests that arrive while a hop is pending join
   * it: one task issues them all, in arrival order, instead of one task per request. They wait on a
   * lock-free stack linked through the requests themselves (nothing allocated per request); the
   * caller that finds it empty schedules the hop.
   */
  private void arrive(Pending p) {
    Pending top;
    do {
      top = arrived;
      p.nextArrived = top;
    } while (!ARRIVED.compareAndSet(this, top, p));
    if (top == null) { // otherwise the hop already scheduled takes this one too
      link.onContext(this::issueArrived, this::endArrived);
    }
  }

  private void issueArrived() {
    for (Pending q = takeArrived(); q != null; q = unlinkArrived(q)) {
      issue(q);
    }
  }

  private void endArrived() {
    for (Pending q = takeArrived(); q != null; q = unlinkArrived(q)) {
      endedBeforeIssue(q);
    }
  }

  /** Empties the stack; returns its requests oldest first, linked through nextArrived. */
  private Pending takeArrived() {
    Pending newestFirst = ARRIVED.getAndSet(this, null);
    Pending oldestFirst = null;
    while (newestFirst != null) {
      Pending next = newestFirst.nextArrived;
      newestFirst.nextArrived = oldestFirst;
      oldestFirst = newestFirst;
      newestFirst = next;
    }
    return oldestFirst;
  }

  /** Detaches {@code q} from the taken list; returns the next one. */
  private static Pending unlinkArrived(Pending q) {
    Pending next = q.nextArrived;
    q.nextArrived = null;
    return next;
  }

  /** Encodes {@code p}'s method and params; a failure fails {@code p} when it is sent. */
  private Pending encode(Pending p, JsonNode params, Map<String, JsonNode> members) {
    p.startNanos = link.config.scheduler().nanoTime();
    try {
      p.body = codec.requestBody(p.method, params, members);
    } catch (JsonProcessingException | RuntimeException e) {
      p.unencodable = e;
    }
    return p;
  }

  /** Fails a request that can no longer reach the context (it stopped after termination). */
  void endedBeforeIssue(Pending p) {
    link.counters.inc(C.CONNECTION_LOST);
    p.future.fail(
        new RpcException.ConnectionLost("connection has ended; " + p.method, null, false));
  }

  /**
   * A user's request reaches the context: sent, queued to wait (for ready, or for the attempt in
   * progress, see {@link FailFast}), or refused.
   */
  private void issue(Pending p) {
    if (p.notification) {
      issueNotification(p);
      return;
    }
    if (link.terminal) {
      settle(
          p,
          null,
          new RpcException.ConnectionLost("connection has ended; " + p.method, null, false));
      return;
    }
    if (link.upEpoch == 0
        && !p.mayWait
        && !link.config.failFast().waitsIn(link.connection().state())) {
      settle(
          p,
          null,
          new RpcException.NotConnected(
              "not connected ("
                  + link.connection().state().label()
                  + "); "
                  + p.method
                  + " was not sent"));
      return;
    }
    deadlines.arm(p);
    if (link.upEpoch != 0) {
      send(p);
    } else {
      enqueue(p);
    }
  }

  private void issueNotification(Pending p) {
    if (link.terminal) {
      p.future.fail(new RpcException.ConnectionLost("connection has ended", null, false));
    } else if (link.upEpoch == 0) {
      p.future.fail(
          new RpcException.NotConnected(
              "not connected ("
                  + link.connection().state().label()
                  + "); notification "
                  + p.method
                  + " was not sent"));
    } else {
      writeNotification(p);
    }
  }

  /**
   * Writes notification {@code p} on the current channel; its future completes (on the context)
   * once the frame was written, or fails. Never registered in the ledger: nothing answers it.
   */
  void writeNotification(Pending p) {
    Channel ch = link.channel;
    if (ch == null || p.unencodable != null) {
      p.future.fail(
          ch == null
              ? new RpcException.NotConnected("no channel; " + p.method + " was not sent")
              : new RpcException.SendFailed(
                  "could not encode " + p.method + ": " + p.unencodable, p.unencodable));
      return;
    }
    byte[] frame = codec.notification(p.body);
    CompletionStage<Void> sent;
    try {
      sent = ch.send(frame);
    } catch (RuntimeException e) { // a throwing channel
      p.future.fail(new RpcException.SendFailed("could not send " + p.method + ": " + e, e));
      return;
    }
    link.counters.inc(C.FRAMES_OUT);
    link.counters.add(C.BYTES_OUT, frame.length);
    sent.whenComplete(
        (ok, err) -> {
          Runnable settle =
              err == null
                  ? () -> p.future.succeed(null)
                  : () ->
                      p.future.fail(
                          new RpcException.SendFailed(
                              "could not send " + p.method + ": " + err, err));
          link.onContext(settle, settle);
        });
  }

  /** {@link Deadlines}: {@code p}'s deadline passed (it is already disarmed). */
  @Override
  public void accept(Pending p) {
    String waited = "";
    if (p.waiting) {
      String state = link.connection().state().label();
      waited =
          p.replay
              ? " (it waited, " + state + ", to be sent again)"
              : " (it waited for the connection, " + state + ", and was not sent)";
    }
    settle(
        p,
        null,
        new RpcException.Timeout(
            p.method + " got no answer within " + p.timeout.toMillis() + " ms" + waited));
  }

  private void enqueue(Pending p) {
    if (!ledger.enqueue(p)) {
      settle(
          p,
          null,
          new RpcException.Rejected(
              "wait-for-ready queue full (capacity " + ledger.waitCapacity() + ")"));
    }
  }

  /** Registers the slot, then writes. Every failure settles the slot (I6). */
  void send(Pending p) {
    Channel ch = link.channel;
    if (ch == null) {
      settle(p, null, new RpcException.NotConnected("no channel; " + p.method + " was not sent"));
      return;
    }
    if (p.unencodable != null) {
      settle(
          p,
          null,
          new RpcException.SendFailed(
              "could not encode " + p.method + ": " + p.unencodable, p.unencodable));
      return;
    }
    long id = ledger.register(p);
    byte[] frame = codec.request(id, p.body);
    CompletionStage<Void> sent;
    try {
      sent = ch.send(frame);
    } catch (RuntimeException e) { // a throwing channel
      settle(p, null, new RpcException.SendFailed("could not send " + p.method + ": " + e, e));
      return;
    }
    link.counters.inc(C.FRAMES_OUT);
    link.counters.add(C.BYTES_OUT, frame.length);
    sent.whenComplete(
        (ok, err) -> {
          if (err != null) {
            link.onContext(() -> sendFailed(p, id, err), () -> {});
          }
        });
  }

  private void sendFailed(Pending p, long id, Throwable err) {
    if (p.id == id) { // not already replayed under a new id
      Throwable root =
          err instanceof CompletionException && err.getCause() != null ? err.getCause() : err;
      settle(
          p, null, new RpcException.SendFailed("could not send " + p.method + ": " + root, root));
    }
  }

  /** Settles {@code p} once (see {@link Ledger#settle}). */
  void settle(Pending p, JsonNode result, RpcException failure) {
    boolean first = !p.settled;
    ledger.settle(p, result, failure);
    if (first && !p.notification) {
      link.settled(p, failure);
    }
  }

  /** A request of the connection's own, encoded, its deadline not yet armed. Any thread. */
  Pending prepareInternal(String method, JsonNode params, Duration timeout) {
    return encode(new Pending(method, true, false, false, timeout), params, Map.of());
  }

  /** A request of the connection's own, armed: {@link #send} it on the current channel. */
  Pending internal(Dialect.RpcCall call, Duration timeout) {
    Pending p = prepareInternal(call.method(), call.params(), timeout);
    deadlines.arm(p);
    return p;
  }

  /** Arms {@code p}'s deadline and sends it on the current channel. */
  void armAndSend(Pending p) {
    deadlines.arm(p);
    send(p);
  }

  /** A response to request {@code id}: settles it, or is counted if nothing waits for it. */
  void respond(long id, JsonNode result, RpcException.RemoteError error) {
    Pending p = ledger.get(id);
    if (p == null) {
      // Unknown, late (after its timeout) or duplicate: nothing is waiting for it.
      long n = link.counters.inc(C.UNMATCHED);
      if (Counters.rarely(n)) {
        log.warn("{}: response for unknown request id {} ({} so far)", link.name(), id, n);
      }
      return;
    }
    settle(p, result, error);
  }

  /** The channel of {@code epoch} is up: sends what waited for it, oldest first. */
  void sendWaiting(long epoch) {
    Pending p;
    while (link.upEpoch == epoch && (p = ledger.pollWaiting()) != null) {
      if (p.replay) {
        link.counters.inc(C.REPLAYED);
      }
      send(p);
    }
  }

  /**
   * Disarms every deadline, in flight and waiting, without settling anything: the deadline timer is
   * cancelled before the futures of an ended connection are failed (I4 holds inside their
   * callbacks).
   */
  void disarmAll() {
    for (Pending p : ledger.inFlight()) {
      deadlines.disarm(p);
    }
    for (Pending p : ledger.waiting()) {
      deadlines.disarm(p);
    }
  }

  /**
   * The channel is gone: everything in flight fails at once (I6), except idempotent requests, which
   * wait to be replayed unless the connection {@code ended}.
   */
  void failInFlight(String why, Cause cause, boolean ended) {
    for (Pending p : ledger.inFlight()) {
      if (p.idempotent && !ended && ledger.enqueue(p)) {
        p.replay = true; // sent again, under a new id, once connected
      } else {
        settle(p, null, new RpcException.ConnectionLost(why, cause, true));
      }
    }
  }

  /**
   * The connection ended: what still waits for a channel fails, as not written unless it is an
   * idempotent request that was written on an earlier channel and waited for its replay.
   */
  void failWaiting(String why, Cause cause) {
    for (Pending p : ledger.waiting()) {
      settle(p, null, new RpcException.ConnectionLost(why, cause, p.replay));
    }
  }

  /**
   * The attempt the waiting requests were made during has failed ({@code now}, a failure state):
   * those that may not wait for ready fail, as if made now (gRPC fails the calls it buffered while
   * {@code CONNECTING} when the channel turns to {@code TRANSIENT_FAILURE}). Wait-for-ready
   * requests and idempotent ones waiting for their replay wait on.
   */
  void attemptFailed(ConnectionState now) {
    for (Pending p : ledger.waiting()) {
      if (!p.mayWait && !p.replay) {
        settle(
            p,
            null,
            new RpcException.NotConnected(
                "the attempt " + p.method + " waited for failed (" + now.label() + "); not sent"));
      }
    }
  }
}
