package dev.tether.rpc;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tether.rpc.Counters.C;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.function.BiConsumer;

/**
 * Where every request is between its call and its settlement (I6): in the bounded wait queue, or in
 * flight under an id that is never reused. {@link #settle} is the only way out of both, and it
 * works at most once per request. Keeps the gauges of {@link ConnectionStats} equal to the real
 * sizes. Confined to the connection's context.
 */
final class Ledger {
  private final InFlight inFlight = new InFlight(); // by id, on primitive keys (B2)
  // Created when a request first waits: most connections' requests never do (B5: 48 B without).
  private ArrayDeque<Pending> waiting;
  private final Counters counters;
  private final Deadlines deadlines;
  private final int waitCapacity;
  private long nextId = 1;
  private int internalInFlight;

  Ledger(Counters counters, Deadlines deadlines, int waitCapacity) {
    this.counters = counters;
    this.deadlines = deadlines;
    this.waitCapacity = waitCapacity;
  }

  /** One request, from the call until it settles. */
  static final class Pending {
    final String method;
    byte[] body; // method and params, encoded once (Codec.requestBody); the id is spliced in
    Exception unencodable; // why body could not be encoded, reported when the request is issued
    final boolean internal;
    final boolean idempotent;
    final boolean mayWait;
    final Duration timeout;
    final RequestFuture future; // the request's one future, returned to the caller as it is
    long id; // 0 unless in flight
    boolean waiting;
    boolean replay;
    boolean settled;
    // Its deadline, while armed (see Deadlines).
    Deadlines.Lane lane;
    Pending prevDue;
    Pending nextDue;
    long dueNanos;
    long armedSeq;
    BiConsumer<JsonNode, RpcException> then; // the connection's own follow-up, after the future
    Pending nextArrived; // while it waits to be issued on the context (Requests.arrive)
    boolean notification; // no id, no answer: written once on the channel that is up, or failed
    long startNanos; // when it was prepared, on the scheduler's clock (RequestListener latency)

    Pending(
        String method, boolean internal, boolean idempotent, boolean mayWait, Duration timeout) {
      this(method, internal, idempotent, mayWait, timeout, null);
    }

    /**
     * @param executor completes the future (see {@link RequestFuture}); null: the context
     */
    Pending(
        String method,
        boolean internal,
        boolean idempotent,
        boolean mayWait,
        Duration timeout,
        Executor executor) {
      this.method = method;
      this.internal = internal;
      this.idempotent = idempotent;
      this.mayWait = mayWait;
      this.timeout = timeout;
      this.future = new RequestFuture(executor);
    }
  }

  /** Puts {@code p} in flight under a fresh id, before it is written. */
  long register(Pending p) {
    long id = nextId++;
    p.id = id;
    inFlight.put(id, p);
    if (p.internal) {
      internalInFlight++;
    }
    gauges();
    return id;
  }

  /** The request in flight under {@code id}, or null. */
  Pending get(long id) {
    return inFlight.get(id);
  }

  /**
   * Appends {@code p} to the wait queue, taking it out of flight first.
   *
   * @return false (and {@code p} untouched) if the queue is full
   */
  boolean enqueue(Pending p) {
    if (waitingCount() >= waitCapacity) {
      return false;
    }
    unlink(p);
    if (waiting == null) {
      waiting = new ArrayDeque<>(1);
    }
    waiting.addLast(p);
    p.waiting = true;
    gauges();
    return true;
  }

  /** Removes and returns the oldest waiting request, or null. */
  Pending pollWaiting() {
    Pending p = waiting == null ? null : waiting.pollFirst();
    if (p != null) {
      p.waiting = false;
      gauges();
    }
    return p;
  }

  /** The requests in flight, oldest first (a copy). */
  List<Pending> inFlight() {
    return inFlight.oldestFirst();
  }

  /** The waiting requests, oldest first (a copy). */
  List<Pending> waiting() {
    return waiting == null ? new ArrayList<>() : new ArrayList<>(waiting);
  }

  private int waitingCount() {
    return waiting == null ? 0 : waiting.size();
  }

  /** The wait queue's capacity. */
  int waitCapacity() {
    return waitCapacity;
  }

  /** Settles {@code p} once: out of the ledger, deadline disarmed, counted, then completed. */
  void settle(Pending p, JsonNode result, RpcException failure) {
    if (p.settled) {
      return;
    }
    p.settled = true;
    unlink(p);
    deadlines.disarm(p);
    counters.inc(failure == null ? C.SUCCEEDED : Counters.settledCounter(failure.kind()));
    if (failure == null) {
      p.future.succeed(result);
    } else {
      p.future.fail(failure);
    }
    if (p.then != null) {
      p.then.accept(result, failure);
    }
  }

  private void unlink(Pending p) {
    if (p.id != 0 && inFlight.remove(p.id, p) && p.internal) {
      internalInFlight--;
    }
    p.id = 0;
    if (p.waiting) {
      waiting.remove(p);
      p.waiting = false;
    }
    gauges();
  }

  private void gauges() {
    counters.set(C.IN_FLIGHT, inFlight.size());
    counters.set(C.INTERNAL_IN_FLIGHT, internalInFlight);
    counters.set(C.WAITING, waitingCount());
  }
}
