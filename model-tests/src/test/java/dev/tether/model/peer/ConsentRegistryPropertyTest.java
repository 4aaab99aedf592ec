package dev.tether.model.peer;

import static dev.tether.model.peer.PeerRegistryPropertyTest.apply;
import static dev.tether.model.peer.PeerRegistryPropertyTest.lists;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tether.model.peer.ConsentTarget.Answer;
import dev.tether.model.peer.ConsentTarget.Event;
import dev.tether.model.peer.FaultyStore.Fault;
import dev.tether.model.peer.FaultyStore.Kind;
import dev.tether.model.prop.Property;
import dev.tether.peer.ConsentOptions;
import dev.tether.peer.ConsentOutcome;
import dev.tether.peer.FileMetadataStore;
import dev.tether.peer.PeerRegistry;
import dev.tether.peer.spi.MetadataStore;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Stateful property test of registration with consent ({@link PeerRegistry#registerWithConsent}) on
 * a {@link FileMetadataStore}: random consented registrations, each with a target answer (ack,
 * refusal, close before answering, down, ack and then a crash of the registering process) and an
 * injected store fault (a failed write, a crash after any I/O step, the double fault), mixed with
 * metadata-only unregistrations. After every command, against a reference model (a map of sets):
 *
 * <ul>
 *   <li>only an ack without a fault relates the pair; every other answer changes nothing;
 *   <li>a failure left every list exactly as before (P2), or after the double fault the next
 *       recovery did (P3);
 *   <li>a crash, then recovery, left the pair on both sides or on neither, every other list as
 *       before (P3), and no intent;
 *   <li>a target that acked during the command and is not related at the end was sent {@code
 *       peer.unregister} after its last ack (the consent is withdrawn); a target related by the
 *       command was sent no withdrawal after its ack.
 * </ul>
 *
 * <p>Replay one seed with {@code -Dtether.seed=N}.
 */
class ConsentRegistryPropertyTest {
  static final List<String> PODS = List.of("ann", "bob", "cy", "dee");

  /**
   * Largest fault step drawn: a consented registration does at most 11 store calls (recover check,
   * recover and 2 reads, intent, 2 writes, clear, and a rollback of up to 4), so 11 reaches every
   * one and sometimes none.
   */
  static final int MAX_FAULT_STEP = 11;

  static final List<Kind> KINDS =
      List.of(
          Kind.NONE, Kind.FAIL_WRITE, Kind.CRASH_AFTER_STEP, Kind.SYNC_FAILS_THEN_RESTORE_FAILS);

  static final List<Answer> ANSWERS = List.of(Answer.values());

  @TempDir Path root;
  final AtomicInteger runs = new AtomicInteger();

  /** One command: register a and b with b's consent (or unregister them), with a fault. */
  record Cmd(boolean consent, String a, String b, Answer answer, Fault fault) {
    @Override
    public String toString() {
      return (consent ? "registerWithConsent(" : "unregister(")
          + a
          + ", "
          + b
          + ")"
          + (consent ? " answered " + answer : "")
          + " with "
          + fault;
    }
  }

  static List<Cmd> generate(SplittableRandom random) {
    List<Cmd> cmds = new ArrayList<>();
    int n = 5 + random.nextInt(30);
    for (int i = 0; i < n; i++) {
      Kind kind = KINDS.get(random.nextInt(KINDS.size()));
      Fault fault =
          kind == Kind.NONE ? Fault.NONE : new Fault(kind, random.nextInt(MAX_FAULT_STEP));
      String a = PODS.get(random.nextInt(PODS.size()));
      String b = PODS.get(random.nextInt(PODS.size()));
      if (a.equals(b)) {
        continue;
      }
      Answer answer = ANSWERS.get(random.nextInt(ANSWERS.size()));
      cmds.add(new Cmd(random.nextInt(4) > 0, a, b, answer, fault));
    }
    return cmds;
  }

  @Test
  void everyConsentedRegistrationIsAllOrNothingAndWithdrawnWhenNot() {
    Property.forAll(
        "consented registration P2/P3",
        ConsentRegistryPropertyTest.class,
        100,
        ConsentRegistryPropertyTest::generate,
        this::run);
  }

  /** Every answer with every fault at every step of one registration, exhaustively. */
  @Test
  void everyAnswerAndFaultPositionOfOneRegistrationIsSafe() {
    for (Answer answer : Answer.values()) {
      for (Kind kind : KINDS) {
        for (int step = 0; step <= MAX_FAULT_STEP; step++) {
          Fault f = kind == Kind.NONE ? Fault.NONE : new Fault(kind, step);
          run(
              List.of(
                  new Cmd(true, "ann", "cy", Answer.ACK, Fault.NONE),
                  new Cmd(true, "ann", "bob", answer, f),
                  new Cmd(true, "ann", "bob", Answer.ACK, Fault.NONE)));
          if (kind == Kind.NONE) {
            break;
          }
        }
      }
    }
  }

  void run(List<Cmd> cmds) {
    try {
      Path dir = Files.createDirectories(root.resolve("run" + runs.incrementAndGet()));
      Map<String, Set<String>> model = new TreeMap<>();
      PeerRegistry setup = PeerRegistry.open(FileMetadataStore.open(dir));
      for (String p : PODS) {
        setup.add(p);
        model.put(p, new TreeSet<>());
      }
      ConsentTarget targets = new ConsentTarget();
      for (Cmd cmd : cmds) {
        step(dir, model, targets, cmd);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static PeerRegistry open(MetadataStore store, ConsentTarget targets) throws IOException {
    return PeerRegistry.open(store, targets, ConsentTarget.SCHEDULER, ConsentOptions.defaults());
  }

  private void step(Path dir, Map<String, Set<String>> model, ConsentTarget targets, Cmd cmd)
      throws IOException {
    FaultyStore faulty = new FaultyStore(FileMetadataStore.open(dir), cmd.fault());
    targets.answer = Answer.ACK;
    targets.crashing = faulty;
    int eventsBefore = targets.events.size();
    boolean relatedBefore = model.get(cmd.a()).contains(cmd.b());
    ConsentOutcome outcome = null;
    boolean failed = false;
    boolean crashed = false;
    try {
      PeerRegistry registry = open(faulty, targets);
      targets.answer = cmd.answer();
      if (cmd.consent()) {
        outcome = registry.registerWithConsent(cmd.a(), cmd.b(), ConsentTarget.endpoint(cmd.b()));
      } else {
        registry.unregister(cmd.a(), cmd.b());
      }
    } catch (IOException e) {
      failed = true;
    } catch (FaultyStore.Crash e) {
      crashed = true;
    }
    targets.answer = Answer.ACK;
    MetadataStore disk = FileMetadataStore.open(dir);
    if (failed && cmd.fault().kind() == Kind.SYNC_FAILS_THEN_RESTORE_FAILS) {
      open(disk, targets); // the roll-back failed; the journal must restore everything
    }
    if (failed) {
      assertThat(lists(disk)).as("P2 after %s failed", cmd).isEqualTo(model);
    } else if (crashed) {
      open(disk, targets); // the restart: recovery runs on open
      Map<String, Set<String>> after = lists(disk);
      boolean related = after.get(cmd.a()).contains(cmd.b());
      assertThat(after.get(cmd.b()).contains(cmd.a()))
          .as("P3: both sides agree after a crash in %s", cmd)
          .isEqualTo(related);
      apply(model, cmd.a(), cmd.b(), related);
    } else if (!cmd.consent()) {
      apply(model, cmd.a(), cmd.b(), false);
    } else {
      boolean consented = outcome instanceof ConsentOutcome.Consented;
      // An already related pair is only asked: nothing follows the ack that a crash could stop.
      boolean acked =
          cmd.answer() == Answer.ACK || (cmd.answer() == Answer.ACK_THEN_CRASH && relatedBefore);
      assertThat(consented).as("outcome %s of %s", outcome, cmd).isEqualTo(acked);
      apply(model, cmd.a(), cmd.b(), consented || relatedBefore);
    }
    assertThat(lists(disk)).as("after %s", cmd).isEqualTo(model);
    assertThat(disk.readIntent()).as("intent after %s", cmd).isEmpty();
    if (cmd.consent()) {
      boolean related = model.get(cmd.a()).contains(cmd.b());
      checkWithdrawal(targets.events.subList(eventsBefore, targets.events.size()), cmd, related);
    }
  }

  /** A consent given during the command stands exactly when the pair ends related by it. */
  private static void checkWithdrawal(List<Event> events, Cmd cmd, boolean related) {
    int lastAck = -1;
    int lastWithdrawal = -1;
    for (int i = 0; i < events.size(); i++) {
      Event e = events.get(i);
      if (!e.target().equals(cmd.b()) || !e.source().equals(cmd.a())) {
        continue;
      }
      if (e.method().equals("peer.register") && e.acked()) {
        lastAck = i;
      } else if (e.method().equals("peer.unregister")) {
        lastWithdrawal = i;
      }
    }
    if (lastAck >= 0 && !related) {
      assertThat(lastWithdrawal)
          .as("the consent given in %s is withdrawn: %s", cmd, events)
          .isGreaterThan(lastAck);
    }
    if (lastAck >= 0 && related) {
      assertThat(lastWithdrawal)
          .as("the consent that committed %s is not withdrawn: %s", cmd, events)
          .isLessThan(lastAck);
    }
  }
}
