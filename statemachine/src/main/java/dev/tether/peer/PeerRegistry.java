package dev.tether.peer;

import dev.tether.peer.spi.MetadataStore;
import dev.tether.peer.spi.MetadataStore.Intent;
import dev.tether.runtime.spi.Scheduler;
import dev.tether.runtime.spi.Transport;
import java.io.IOException;
import java.net.URI;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reciprocal peer registration over a {@link MetadataStore}: {@code register(a, b)} makes {@code b}
 * a peer of {@code a} and {@code a} a peer of {@code b}, or changes nothing.
 *
 * <p>How each invariant holds:
 *
 * <ul>
 *   <li><b>P4</b>: both names are checked by {@link PeerNames#requireValid} before any I/O.
 *   <li><b>P2</b>: the source is written first, then the target; if the target write fails, the
 *       source's exact prior list (read under the lock) is written back.
 *   <li><b>P3</b>: before the first write, an {@link Intent} with both prior lists is journalled. A
 *       change is committed exactly when its intent is cleared. {@link #recover()} (run by {@link
 *       #open}, and at the start of every change, so a change crashed in another process is
 *       resolved too) restores both prior lists and clears the intent: after a crash at any point,
 *       the relation is on both sides or on neither.
 *   <li><b>No lost updates</b>: each change is one read-modify-write inside {@link
 *       MetadataStore#exclusively}, which excludes other threads and processes.
 *   <li><b>Consent</b>: {@link #registerWithConsent} commits only on the target's {@code ack} to
 *       {@code peer.register}, asked through {@link PeerClient}'s path (P1) while the lock is held
 *       (bounded by {@link ConsentOptions#maxWait}); its intent names the target's endpoint, so a
 *       rolled-back or recovered registration is withdrawn there with {@code peer.unregister}.
 *       {@link #register} stays the explicit metadata-only registration.
 * </ul>
 *
 * <p>Thread-safe.
 */
public final class PeerRegistry {
  private static final Logger LOG = LoggerFactory.getLogger(PeerRegistry.class);

  /**
   * Longest refusal reason kept from a target. A hostile or broken target may send MiBs; the reason
   * is for a person to read.
   */
  public static final int MAX_REASON_CHARS = 1_000;

  private final MetadataStore store;
  private final ConsentClient consent; // null: opened without a transport

  private PeerRegistry(MetadataStore store, ConsentClient consent) {
    this.store = store;
    this.consent = consent;
  }

  /**
   * A registry over {@code store}, after resolving any unfinished change a crash left behind.
   *
   * @throws IOException if recovery cannot read or write the store
   */
  public static PeerRegistry open(MetadataStore store) throws IOException {
    PeerRegistry registry = new PeerRegistry(Objects.requireNonNull(store, "store"), null);
    registry.recover();
    return registry;
  }

  /**
   * A registry that can also {@link #registerWithConsent register with the target's consent},
   * asking targets over {@code transport} with timers on {@code scheduler}; its recovery withdraws
   * the consent of an unfinished consented registration. Resolves any unfinished change first.
   *
   * @throws IOException if recovery cannot read or write the store
   */
  public static PeerRegistry open(
      MetadataStore store, Transport transport, Scheduler scheduler, ConsentOptions options)
      throws IOException {
    ConsentClient client =
        new ConsentClient(
            Objects.requireNonNull(transport, "transport"),
            Objects.requireNonNull(scheduler, "scheduler"),
            Objects.requireNonNull(options, "options"));
    PeerRegistry registry = new PeerRegistry(Objects.requireNonNull(store, "store"), client);
    registry.recover();
    return registry;
  }

  /**
   * Rolls back an unfinished change, if the journal holds one: restores both pods' prior lists,
   * withdraws the target's consent if the change asked for it ({@code peer.unregister}, best
   * effort: its outcome is logged, a registry opened without a transport logs that it could not
   * send it), then clears the intent. Idempotent, so a crash during recovery is recovered by the
   * next one. Call it off the scheduler's context: a withdrawal waits up to {@link
   * ConsentOptions#maxWait}.
   *
   * @return whether there was something to roll back
   * @throws IOException if the store fails; the intent then stays for the next recovery
   */
  public boolean recover() throws IOException {
    return store.exclusively(this::recoverLocked);
  }

  /**
   * Creates {@code pod}'s record with no peers; nothing if it exists.
   *
   * @throws IllegalArgumentException if the name is invalid (P4)
   * @throws IOException if the store fails
   */
  public void add(String pod) throws IOException {
    PeerNames.requireValid(pod);
    store.exclusively(
        () -> {
          store.create(pod);
          return null;
        });
  }

  /**
   * The peers of {@code pod}, sorted.
   *
   * @throws IllegalArgumentException if the name is invalid (P4)
   * @throws UnknownPodException if {@code pod} has no record
   * @throws IOException if the store fails
   */
  public List<String> peers(String pod) throws IOException {
    PeerNames.requireValid(pod);
    return store.exclusively(
        () -> {
          recoverLocked();
          return require(pod);
        });
  }

  /** Every pod with a record, sorted. */
  public List<String> pods() throws IOException {
    return store.exclusively(store::pods);
  }

  /**
   * Records where {@code pod}'s live process answers the peer endpoint protocol, for {@link
   * #registerWithConsent(String, String)}.
   *
   * @throws IllegalArgumentException if the name is invalid (P4)
   * @throws UnknownPodException if {@code pod} has no record
   * @throws UnsupportedOperationException if the store keeps no endpoints
   * @throws IOException if the store fails
   */
  public void setEndpoint(String pod, URI endpoint) throws IOException {
    PeerNames.requireValid(pod);
    Objects.requireNonNull(endpoint, "endpoint");
    store.exclusively(
        () -> {
          recoverLocked();
          require(pod);
          store.writeEndpoint(pod, endpoint);
          return null;
        });
  }

  /**
   * The endpoint recorded for {@code pod}, if any.
   *
   * @throws IllegalArgumentException if the name is invalid (P4)
   * @throws IOException if the store fails
   */
  public Optional<URI> endpoint(String pod) throws IOException {
    PeerNames.requireValid(pod);
    return store.exclusively(() -> store.endpoint(pod));
  }

  /**
   * {@link #registerWithConsent(String, String, URI)} at the endpoint in {@code target}'s record;
   * without one the outcome is {@link ConsentOutcome.Unreachable} (or, if opted in, {@link
   * ConsentOutcome.MetadataOnly}).
   */
  public ConsentOutcome registerWithConsent(String source, String target) throws IOException {
    return consented(source, target, null);
  }

  /**
   * Makes {@code source} and {@code target} peers of each other only if {@code target}'s live
   * process consents: it is asked {@code {"method":"peer.register","params":{"source":SOURCE}}} at
   * {@code endpoint} after its alerts and snapshot were read (P1), and only its {@code ack} commits
   * both sides. The store's lock is held across the round trip, bounded by {@link
   * ConsentOptions#maxWait}, so concurrent registrations of the pair, in any process, end with one
   * relation.
   *
   * <p>The intent is journalled before asking, with the endpoint: a crash or store failure at any
   * point before the commit rolls back both lists (P2, P3) and sends the target {@code
   * peer.unregister} (best effort). If the pair is already related, the target is asked and nothing
   * is written or withdrawn. Must not be called on the scheduler's context.
   *
   * @return the outcome; only {@link ConsentOutcome.Consented} and {@link
   *     ConsentOutcome.MetadataOnly} changed the lists
   * @throws IllegalArgumentException if a name is invalid (P4) or {@code source} equals {@code
   *     target}
   * @throws IllegalStateException if this registry was opened without a transport
   * @throws UnknownPodException if either pod has no record
   * @throws IOException if the store fails; as {@link #register}
   */
  public ConsentOutcome registerWithConsent(String source, String target, URI endpoint)
      throws IOException {
    return consented(source, target, Objects.requireNonNull(endpoint, "endpoint"));
  }

  private ConsentOutcome consented(String source, String target, URI endpoint) throws IOException {
    requirePair(source, target);
    if (consent == null) {
      throw new IllegalStateException(
          "registerWithConsent needs a registry opened with a transport and a scheduler");
    }
    return store.exclusively(
        () -> {
          recoverLocked();
          List<String> sourcePrior = require(source);
          List<String> targetPrior = require(target);
          Optional<URI> where = endpoint != null ? Optional.of(endpoint) : store.endpoint(target);
          Intent intent = new Intent(source, target, sourcePrior, targetPrior, where);
          List<String> sourceNext = edit(sourcePrior, target, true);
          List<String> targetNext = edit(targetPrior, source, true);
          if (sourceNext.equals(sourcePrior) && targetNext.equals(targetPrior)) {
            return where.isEmpty()
                ? new ConsentOutcome.Unreachable(noEndpoint(target), false)
                : judgeExisting(consent.ask(where.get(), ConsentClient.REGISTER, source));
          }
          if (where.isEmpty()) {
            return unreachable(intent, noEndpoint(target), sourceNext, targetNext);
          }
          store.writeIntent(intent); // from here on, recovery withdraws the consent
          SendOutcome answer = consent.ask(where.get(), ConsentClient.REGISTER, source);
          if (answer instanceof SendOutcome.Delivered delivered) {
            commit(intent, sourceNext, targetNext);
            return new ConsentOutcome.Consented(delivered.traffic());
          }
          return declined(intent, answer, sourceNext, targetNext);
        });
  }

  /** The target did not consent: nothing is written; a request it may have seen is withdrawn. */
  private ConsentOutcome declined(
      Intent intent, SendOutcome answer, List<String> sourceNext, List<String> targetNext)
      throws IOException {
    if (answer instanceof SendOutcome.Rejected rejected) {
      abandon(intent, false);
      return new ConsentOutcome.Refused(rejected.code(), cut(rejected.message()));
    }
    if (answer instanceof SendOutcome.WrittenUnconfirmed unconfirmed) {
      abandon(intent, true);
      return new ConsentOutcome.Unconfirmed(unconfirmed.waited());
    }
    SendOutcome.Failed failed = (SendOutcome.Failed) answer;
    if (failed instanceof SendOutcome.ClosedBeforeConfirmation
        || failed instanceof SendOutcome.ProtocolViolation) {
      abandon(intent, true); // the request may have been written
      return new ConsentOutcome.Unreachable(cut(failed.reason()), true);
    }
    return unreachable(intent, cut(failed.reason()), sourceNext, targetNext);
  }

  /** Nothing reached the target: change nothing, or register metadata-only if opted in. */
  private ConsentOutcome unreachable(
      Intent intent, String reason, List<String> sourceNext, List<String> targetNext)
      throws IOException {
    if (!consent.options().metadataOnlyIfUnreachable()) {
      abandon(intent, false);
      return new ConsentOutcome.Unreachable(reason, false);
    }
    LOG.warn(
        "registering {} <-> {} without the target's consent, as asked: {}",
        intent.source(),
        intent.target(),
        reason);
    Intent withoutConsent =
        new Intent(intent.source(), intent.target(), intent.sourcePrior(), intent.targetPrior());
    store.writeIntent(withoutConsent);
    commit(withoutConsent, sourceNext, targetNext);
    return new ConsentOutcome.MetadataOnly(reason);
  }

  /**
   * Ends a journalled change that wrote no peer list: withdraws the request if asked, then clears
   * the intent. A failed clear is rolled back like any other failure (P2, P3).
   */
  private void abandon(Intent intent, boolean withdrawal) throws IOException {
    if (withdrawal) {
      withdraw(intent);
    }
    try {
      store.clearIntent();
    } catch (IOException | RuntimeException e) {
      rollBack(intent, true, e);
      throw e;
    }
  }

  /** The pair was already related: report the answer, write and withdraw nothing. */
  private static ConsentOutcome judgeExisting(SendOutcome answer) {
    if (answer instanceof SendOutcome.Delivered delivered) {
      return new ConsentOutcome.Consented(delivered.traffic());
    }
    if (answer instanceof SendOutcome.Rejected rejected) {
      return new ConsentOutcome.Refused(rejected.code(), cut(rejected.message()));
    }
    if (answer instanceof SendOutcome.WrittenUnconfirmed unconfirmed) {
      return new ConsentOutcome.Unconfirmed(unconfirmed.waited());
    }
    SendOutcome.Failed failed = (SendOutcome.Failed) answer;
    return new ConsentOutcome.Unreachable(
        cut(failed.reason()), failed instanceof SendOutcome.ClosedBeforeConfirmation);
  }

  private static String noEndpoint(String target) {
    return "no endpoint for \"" + target + "\": none given and its record names none";
  }

  private static String cut(String text) {
    return text.length() <= MAX_REASON_CHARS
        ? text
        : text.substring(0, MAX_REASON_CHARS) + "… (" + text.length() + " chars)";
  }

  /**
   * Makes {@code source} and {@code target} peers of each other. Idempotent.
   *
   * @throws IllegalArgumentException if a name is invalid (P4) or {@code source} equals {@code
   *     target}; nothing is read or written
   * @throws UnknownPodException if either pod has no record; nothing is written
   * @throws IOException if the store fails; the relation is then on neither side (P2), or, if even
   *     the rollback failed, the journal holds the intent and the next {@link #recover()} restores
   *     both prior lists (P3)
   */
  public void register(String source, String target) throws IOException {
    change(source, target, true);
  }

  /**
   * Removes {@code source} and {@code target} from each other's peers. Idempotent; same guarantees
   * and exceptions as {@link #register}.
   */
  public void unregister(String source, String target) throws IOException {
    change(source, target, false);
  }

  private static void requirePair(String source, String target) {
    PeerNames.requireValid(source);
    PeerNames.requireValid(target);
    if (source.equals(target)) {
      throw new IllegalArgumentException("a pod cannot be its own peer: \"" + source + "\"");
    }
  }

  private void change(String source, String target, boolean add) throws IOException {
    requirePair(source, target);
    store.exclusively(
        () -> {
          recoverLocked();
          List<String> sourcePrior = require(source);
          List<String> targetPrior = require(target);
          List<String> sourceNext = edit(sourcePrior, target, add);
          List<String> targetNext = edit(targetPrior, source, add);
          if (sourceNext.equals(sourcePrior) && targetNext.equals(targetPrior)) {
            return null;
          }
          apply(new Intent(source, target, sourcePrior, targetPrior), sourceNext, targetNext);
          return null;
        });
  }

  private void apply(Intent intent, List<String> sourceNext, List<String> targetNext)
      throws IOException {
    store.writeIntent(intent);
    commit(intent, sourceNext, targetNext);
  }

  /** Writes both sides of a journalled change and clears the intent, or rolls it back. */
  private void commit(Intent intent, List<String> sourceNext, List<String> targetNext)
      throws IOException {
    boolean clearing = false;
    try {
      store.writePeers(intent.source(), sourceNext);
      store.writePeers(intent.target(), targetNext);
      clearing = true;
      store.clearIntent(); // the commit point
    } catch (IOException | RuntimeException e) {
      rollBack(intent, clearing, e);
      throw e;
    }
  }

  /**
   * P2: puts both prior lists back (the target's is usually untouched) and clears the intent. If
   * the failure came from clearing the intent, the intent may already be gone (a directory sync
   * that failed after the delete): it is written back first, so that a failure of the restore
   * itself still leaves the journal for the next {@link #recover()} (P3).
   */
  private void rollBack(Intent intent, boolean clearing, Exception failure) {
    try {
      if (clearing) {
        store.writeIntent(intent);
      }
      restore(intent);
    } catch (IOException | RuntimeException e) {
      failure.addSuppressed(e);
      LOG.warn(
          "rollback of {} <-> {} failed; the intent stays and the next recover() restores it",
          intent.source(),
          intent.target(),
          e);
    }
  }

  private boolean recoverLocked() throws IOException {
    Optional<Intent> pending = store.readIntent();
    if (pending.isEmpty()) {
      return false;
    }
    Intent intent = pending.get();
    LOG.info(
        "recovering unfinished change of {} <-> {}: restoring both prior peer lists",
        intent.source(),
        intent.target());
    restore(intent);
    return true;
  }

  private void restore(Intent intent) throws IOException {
    store.writePeers(intent.source(), intent.sourcePrior());
    store.writePeers(intent.target(), intent.targetPrior());
    withdraw(intent);
    store.clearIntent();
  }

  /**
   * Tells the target of a consented change that did not commit that the registration is off ({@code
   * peer.unregister}), best effort: the outcome is logged, never thrown. Runs before the intent is
   * cleared, so a crash here withdraws again on the next recovery.
   */
  private void withdraw(Intent intent) {
    if (intent.consentEndpoint().isEmpty()) {
      return;
    }
    URI endpoint = intent.consentEndpoint().get();
    if (consent == null) {
      LOG.warn(
          "the consent {} gave at {} for {} is not withdrawn: this registry has no transport;"
              + " open it with one, or tell the target yourself",
          intent.target(),
          endpoint,
          intent.source());
      return;
    }
    SendOutcome answer = consent.ask(endpoint, ConsentClient.UNREGISTER, intent.source());
    if (answer instanceof SendOutcome.Delivered) {
      LOG.info(
          "withdrew the consent of {} for {} at {}", intent.target(), intent.source(), endpoint);
    } else {
      LOG.warn(
          "withdrawal of the consent of {} for {} at {} not confirmed: {}",
          intent.target(),
          intent.source(),
          endpoint,
          answer instanceof SendOutcome.Failed f ? f.reason() : "written, not confirmed");
    }
  }

  private List<String> require(String pod) throws IOException {
    Optional<List<String>> peers = store.peers(pod);
    if (peers.isEmpty()) {
      throw new UnknownPodException(pod);
    }
    return peers.get();
  }

  private static List<String> edit(List<String> peers, String other, boolean add) {
    TreeSet<String> next = new TreeSet<>(peers);
    if (add) {
      next.add(other);
    } else {
      next.remove(other);
    }
    return List.copyOf(next);
  }
}
