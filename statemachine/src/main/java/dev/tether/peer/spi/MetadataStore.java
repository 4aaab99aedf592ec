package dev.tether.peer.spi;

import java.io.IOException;
import java.net.URI;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Durable storage for pod records (a pod's name and its sorted, unique peer list) and for the
 * registry's single intent journal entry. {@link dev.tether.peer.PeerRegistry} is the only caller;
 * it validates every name before calling, and it calls every other method only from inside {@link
 * #exclusively}.
 *
 * <p>Each write must be atomic: after a crash, a record or the journal holds either its old or its
 * new content, never a mix. Implementations must be thread-safe, and {@link #exclusively} must
 * exclude every other caller of the same store, in this process and in others.
 */
public interface MetadataStore {

  /**
   * The peer list of {@code pod}, sorted and unique.
   *
   * @return empty if the pod has no record
   * @throws IOException if the record exists but cannot be read or parsed
   */
  Optional<List<String>> peers(String pod) throws IOException;

  /** Creates {@code pod}'s record with no peers, unless it exists. */
  void create(String pod) throws IOException;

  /**
   * Replaces {@code pod}'s peer list atomically.
   *
   * @param peers sorted and unique
   */
  void writePeers(String pod, List<String> peers) throws IOException;

  /** Every pod with a record, sorted. */
  List<String> pods() throws IOException;

  /**
   * Where {@code pod}'s live process answers the peer endpoint protocol, if its record names it.
   * The default, for stores without the field, knows no endpoint.
   *
   * @throws IOException if the record exists but cannot be read or parsed
   */
  default Optional<URI> endpoint(String pod) throws IOException {
    return Optional.empty();
  }

  /**
   * Records {@code endpoint} in {@code pod}'s existing record atomically, keeping its peers; later
   * {@link #writePeers} keep it too.
   *
   * @throws IOException if the pod has no record or the write fails
   * @throws UnsupportedOperationException if this store keeps no endpoints (the default)
   */
  default void writeEndpoint(String pod, URI endpoint) throws IOException {
    throw new UnsupportedOperationException(getClass().getName() + " keeps no endpoints");
  }

  /** The pending intent, if a registration did not finish. */
  Optional<Intent> readIntent() throws IOException;

  /** Records {@code intent} durably and atomically, replacing any earlier one. */
  void writeIntent(Intent intent) throws IOException;

  /** Removes the intent durably; nothing if there is none. */
  void clearIntent() throws IOException;

  /**
   * Runs {@code action} while holding this store's exclusive lock (across threads and processes).
   * Reentrant within one thread.
   */
  <T> T exclusively(IoAction<T> action) throws IOException;

  /** An action that may fail with an {@link IOException}. */
  @FunctionalInterface
  interface IoAction<T> {
    /** Runs the action. */
    T run() throws IOException;
  }

  /**
   * A registration or unregistration in progress: both pods and their exact peer lists before it
   * started. Recovery restores both lists, so an unfinished change leaves the relation on neither
   * side (P3).
   *
   * @param source the pod the change started from
   * @param target the other pod
   * @param sourcePrior {@code source}'s peers before the change
   * @param targetPrior {@code target}'s peers before the change
   * @param consentEndpoint for a registration with consent, where the target was (or is about to
   *     be) asked: an unfinished change is withdrawn there with {@code peer.unregister}
   */
  record Intent(
      String source,
      String target,
      List<String> sourcePrior,
      List<String> targetPrior,
      Optional<URI> consentEndpoint) {
    /** Copies the lists. */
    public Intent {
      Objects.requireNonNull(source, "source");
      Objects.requireNonNull(target, "target");
      sourcePrior = List.copyOf(sourcePrior);
      targetPrior = List.copyOf(targetPrior);
      Objects.requireNonNull(consentEndpoint, "consentEndpoint");
    }

    /** A change without consent. */
    public Intent(
        String source, String target, List<String> sourcePrior, List<String> targetPrior) {
      this(source, target, sourcePrior, targetPrior, Optional.empty());
    }
  }
}
