package dev.tether.model.peer;

import dev.tether.peer.spi.MetadataStore;
import java.io.IOException;
import java.net.URI;
import java.util.List;
import java.util.Optional;

/**
 * A {@link MetadataStore} that injects one fault: either the {@code k}-th write fails with an
 * {@link IOException} without taking effect (the store stays usable), or the process "crashes"
 * right after the {@code k}-th I/O step of any kind took effect (a {@link Crash} is thrown and
 * every later call throws it too, as if the process were gone), or a double fault: the {@code k}-th
 * write takes effect and then fails (as when the directory sync after a rename or a delete fails),
 * and the next write of a pod record, the roll-back's restore, fails without effect.
 */
final class FaultyStore implements MetadataStore {

  /** The simulated death of the process. An {@link Error}, so no code under test can catch it. */
  static final class Crash extends Error {
    private static final long serialVersionUID = 1L;

    Crash(int step) {
      super("simulated crash after I/O step " + step);
    }
  }

  /** Which fault, at which step (0-based). */
  record Fault(Kind kind, int step) {
    static final Fault NONE = new Fault(Kind.NONE, -1);

    @Override
    public String toString() {
      return kind == Kind.NONE ? "no fault" : kind + "@" + step;
    }
  }

  /** The kinds of fault. */
  enum Kind {
    NONE,
    FAIL_WRITE,
    CRASH_AFTER_STEP,
    SYNC_FAILS_THEN_RESTORE_FAILS
  }

  private final MetadataStore inner;
  private final Fault fault;
  private int writes;
  private int steps;
  private boolean dead;
  private boolean fired;
  private boolean restoreMustFail;

  FaultyStore(MetadataStore inner, Fault fault) {
    this.inner = inner;
    this.fault = fault;
  }

  /** The process dies now: every later call throws a {@link Crash}. */
  void crashNow() {
    fired = true;
    dead = true;
  }

  /** Whether the fault happened. */
  boolean fired() {
    return fired;
  }

  private void beforeWrite() throws IOException {
    alive();
    if (fault.kind() == Kind.FAIL_WRITE && writes == fault.step()) {
      writes++;
      fired = true;
      throw new IOException("injected failure of write " + fault.step());
    }
    writes++;
  }

  /** After a write took effect: the first half of the double fault. */
  private void afterWrite() throws IOException {
    afterStep();
    if (fault.kind() == Kind.SYNC_FAILS_THEN_RESTORE_FAILS && writes - 1 == fault.step()) {
      fired = true;
      restoreMustFail = true;
      throw new IOException("injected failure of the sync after write " + fault.step());
    }
  }

  private void afterStep() {
    if (fault.kind() == Kind.CRASH_AFTER_STEP && steps++ == fault.step()) {
      fired = true;
      dead = true;
      throw new Crash(fault.step());
    }
  }

  private void alive() {
    if (dead) {
      throw new Crash(fault.step());
    }
  }

  @Override
  public Optional<List<String>> peers(String pod) throws IOException {
    alive();
    Optional<List<String>> result = inner.peers(pod);
    afterStep();
    return result;
  }

  @Override
  public void create(String pod) throws IOException {
    beforeWrite();
    inner.create(pod);
    afterWrite();
  }

  @Override
  public void writePeers(String pod, List<String> peers) throws IOException {
    if (restoreMustFail) {
      restoreMustFail = false;
      throw new IOException("injected failure of the restore write of " + pod);
    }
    beforeWrite();
    inner.writePeers(pod, peers);
    afterWrite();
  }

  @Override
  public List<String> pods() throws IOException {
    alive();
    List<String> result = inner.pods();
    afterStep();
    return result;
  }

  @Override
  public Optional<URI> endpoint(String pod) throws IOException {
    alive();
    Optional<URI> result = inner.endpoint(pod);
    afterStep();
    return result;
  }

  @Override
  public void writeEndpoint(String pod, URI endpoint) throws IOException {
    beforeWrite();
    inner.writeEndpoint(pod, endpoint);
    afterWrite();
  }

  @Override
  public Optional<Intent> readIntent() throws IOException {
    alive();
    Optional<Intent> result = inner.readIntent();
    afterStep();
    return result;
  }

  @Override
  public void writeIntent(Intent intent) throws IOException {
    beforeWrite();
    inner.writeIntent(intent);
    afterWrite();
  }

  @Override
  public void clearIntent() throws IOException {
    beforeWrite();
    inner.clearIntent();
    afterWrite();
  }

  @Override
  public <T> T exclusively(IoAction<T> action) throws IOException {
    alive();
    return inner.exclusively(action);
  }
}
