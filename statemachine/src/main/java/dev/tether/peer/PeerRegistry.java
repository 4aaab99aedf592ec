package dev.tether.peer;

import dev.tether.peer.spi.MetadataStore;
import dev.tether.peer.spi.MetadataStore.Intent;
import java.io.IOException;
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
 * </ul>
 *
 * <p>Thread-safe.
 */
public final class PeerRegistry {
  private static final Logger LOG = LoggerFactory.getLogger(PeerRegistry.class);

  private final MetadataStore store;

  private PeerRegistry(MetadataStore store) {
    this.store = store;
  }

  /**
   * A registry over {@code store}, after resolving any unfinished change a crash left behind.
   *
   * @throws IOException if recovery cannot read or write the store
   */
  public static PeerRegistry open(MetadataStore store) throws IOException {
    PeerRegistry registry = new PeerRegistry(Objects.requireNonNull(store, "store"));
    registry.recover();
    return registry;
  }

  /**
   * Rolls back an unfinished change, if the journal holds one: restores both pods' prior lists,
   * then clears the intent. Idempotent, so a crash during recovery is recovered by the next one.
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

  private void change(String source, String target, boolean add) throws IOException {
    PeerNames.requireValid(source);
    PeerNames.requireValid(target);
    if (source.equals(target)) {
      throw new IllegalArgumentException("a pod cannot be its own peer: \"" + source + "\"");
    }
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
    store.clearIntent();
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
