package dev.tether.model.peer;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tether.model.peer.FaultyStore.Fault;
import dev.tether.model.peer.FaultyStore.Kind;
import dev.tether.model.prop.Property;
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
 * Stateful property test of {@link PeerRegistry} on a {@link FileMetadataStore}: random register
 * and unregister commands, each with an injected write failure or a crash after some I/O step,
 * against a reference model (a map of sets). After every command: a failure left every list exactly
 * as before (P2); a crash followed by recovery left the pair related on both sides or on neither,
 * with every other list untouched (P3); a double fault (a write takes effect but its sync fails,
 * then the roll-back's restore write fails) is restored exactly by the next recovery (P3); no
 * pre-existing relation is lost; no intent is left behind.
 *
 * <p>Replay one seed with {@code -Dtether.seed=N}.
 */
class PeerRegistryPropertyTest {
  static final List<String> PODS = List.of("ann", "bob", "cy", "dee", "eve");

  /**
   * Largest fault step drawn. A change does at most 10 store calls (recover check, 2 reads, intent,
   * 2 writes, clear, and a rollback of 3 calls, 4 when it writes the cleared intent back), so 10
   * reaches every one and sometimes none.
   */
  static final int MAX_FAULT_STEP = 10;

  static final List<Kind> KINDS =
      List.of(
          Kind.NONE, Kind.FAIL_WRITE, Kind.CRASH_AFTER_STEP, Kind.SYNC_FAILS_THEN_RESTORE_FAILS);

  @TempDir Path root;
  final AtomicInteger runs = new AtomicInteger();

  /** One command: change the relation of a and b, with a fault. */
  record Cmd(boolean register, String a, String b, Fault fault) {
    @Override
    public String toString() {
      return (register ? "register(" : "unregister(") + a + ", " + b + ") with " + fault;
    }
  }

  static List<Cmd> generate(SplittableRandom random) {
    List<Cmd> cmds = new ArrayList<>();
    int n = 5 + random.nextInt(40);
    for (int i = 0; i < n; i++) {
      Kind kind = KINDS.get(random.nextInt(KINDS.size()));
      Fault fault =
          kind == Kind.NONE ? Fault.NONE : new Fault(kind, random.nextInt(MAX_FAULT_STEP));
      cmds.add(
          new Cmd(
              random.nextInt(3) > 0,
              PODS.get(random.nextInt(PODS.size())),
              PODS.get(random.nextInt(PODS.size())),
              fault));
    }
    return cmds;
  }

  @Test
  void everyChangeIsExactlyRolledBackOrCrashAtomic() {
    long base = Long.getLong(Property.SEED_BASE, 1L);
    System.out.println(
        "PeerRegistryPropertyTest seeds from "
            + Long.getLong(Property.SEED, base)
            + " (replay one with -D"
            + Property.SEED
            + "=N)");
    Property.forAll(
        "peer registry P2/P3",
        PeerRegistryPropertyTest.class,
        200,
        PeerRegistryPropertyTest::generate,
        this::run);
  }

  /** Every fault position of one registration and one unregistration, exhaustively. */
  @Test
  void everyFaultPositionOfASingleChangeIsSafe() {
    for (Kind kind :
        List.of(Kind.FAIL_WRITE, Kind.CRASH_AFTER_STEP, Kind.SYNC_FAILS_THEN_RESTORE_FAILS)) {
      for (int step = 0; step <= MAX_FAULT_STEP; step++) {
        Fault f = new Fault(kind, step);
        run(
            List.of(
                new Cmd(true, "ann", "cy", Fault.NONE),
                new Cmd(true, "ann", "bob", f),
                new Cmd(true, "ann", "bob", Fault.NONE),
                new Cmd(false, "bob", "ann", f)));
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
      for (Cmd cmd : cmds) {
        step(dir, model, cmd);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private void step(Path dir, Map<String, Set<String>> model, Cmd cmd) throws IOException {
    FaultyStore faulty = new FaultyStore(FileMetadataStore.open(dir), cmd.fault());
    boolean failed = false;
    boolean crashed = false;
    try {
      PeerRegistry registry = PeerRegistry.open(faulty);
      if (cmd.register()) {
        registry.register(cmd.a(), cmd.b());
      } else {
        registry.unregister(cmd.a(), cmd.b());
      }
    } catch (IllegalArgumentException e) {
      assertThat(cmd.a()).as("only self-registration is a caller error here").isEqualTo(cmd.b());
      failed = true;
    } catch (IOException e) {
      failed = true;
    } catch (FaultyStore.Crash e) {
      crashed = true;
    }
    MetadataStore disk = FileMetadataStore.open(dir);
    if (failed && cmd.fault().kind() == Kind.SYNC_FAILS_THEN_RESTORE_FAILS) {
      // The roll-back itself failed, so P2 cannot hold yet; the journal must (P3): the next
      // recovery restores every list exactly as before.
      PeerRegistry.open(disk);
      assertThat(lists(disk)).as("after %s failed and recovery", cmd).isEqualTo(model);
      assertThat(disk.readIntent()).as("intent after %s and recovery", cmd).isEmpty();
      return;
    }
    if (failed) {
      // P2, checked before any recovery: every list exactly as before, no intent left.
      assertThat(lists(disk)).as("after %s failed", cmd).isEqualTo(model);
      assertThat(disk.readIntent()).as("intent after %s failed", cmd).isEmpty();
      return;
    }
    if (crashed) {
      PeerRegistry.open(disk); // the restart: recovery runs on open
      Map<String, Set<String>> after = lists(disk);
      boolean related = after.get(cmd.a()).contains(cmd.b());
      assertThat(after.get(cmd.b()).contains(cmd.a()))
          .as("P3: both sides agree after a crash in %s", cmd)
          .isEqualTo(related);
      apply(model, cmd.a(), cmd.b(), related);
    } else {
      apply(model, cmd.a(), cmd.b(), cmd.register());
    }
    assertThat(lists(disk)).as("after %s", cmd).isEqualTo(model);
    assertThat(disk.readIntent()).as("intent after %s", cmd).isEmpty();
  }

  static void apply(Map<String, Set<String>> model, String a, String b, boolean on) {
    if (on) {
      model.get(a).add(b);
      model.get(b).add(a);
    } else {
      model.get(a).remove(b);
      model.get(b).remove(a);
    }
  }

  static Map<String, Set<String>> lists(MetadataStore store) throws IOException {
    Map<String, Set<String>> lists = new TreeMap<>();
    for (String pod : store.pods()) {
      lists.put(pod, new TreeSet<>(store.peers(pod).orElseThrow()));
    }
    return lists;
  }
}
