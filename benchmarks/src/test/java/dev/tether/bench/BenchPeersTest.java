package dev.tether.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * How B8's runners find a server process among this JVM's children: by the mark on its command
 * line, not as "the one child that is new since before the start", which was wrong as soon as the
 * smoke pass started other children at the same time.
 */
class BenchPeersTest {
  /** Bound on each child's stop: {@code sh} ends at once when its stdin closes. */
  private static final long WAIT_SECONDS = 30;

  private final List<Process> started = new ArrayList<>();

  @AfterEach
  void stopChildren() {
    for (Process p : started) {
      Rigs.stopChild(p, p.getOutputStream(), WAIT_SECONDS);
    }
  }

  @Test
  void markedChildIsFoundAmongChildrenStartedBesideIt() throws IOException {
    String mark = BenchPeers.newMark();
    String otherMark = BenchPeers.newMark();
    Process before = waiting(); // started first, unmarked
    Process wanted = waiting(mark);
    Process beside = waiting(otherMark); // started after, as a parallel start would

    assertThat(BenchPeers.markedChild(mark).pid()).isEqualTo(wanted.pid());
    assertThat(BenchPeers.markedChild(otherMark).pid()).isEqualTo(beside.pid());
    assertThat(BenchPeers.marked(mark))
        .extracting(ProcessHandle::pid)
        .containsExactly(wanted.pid());
    assertThat(before.isAlive()).isTrue();
  }

  @Test
  void aMarkNoLiveChildCarriesFailsNamingIt() throws Exception {
    String mark = BenchPeers.newMark();
    Process gone = waiting(mark);
    waiting(BenchPeers.newMark());
    gone.destroyForcibly().waitFor(WAIT_SECONDS, TimeUnit.SECONDS);

    assertThat(BenchPeers.marked(mark)).isEmpty();
    assertThatThrownBy(() -> BenchPeers.markedChild(mark))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining(mark);
  }

  @Test
  void marksAreUniqueAndLookLikeAnOptionNoServerReads() {
    assertThat(BenchPeers.newMark())
        .startsWith(BenchPeers.MARK_PREFIX)
        .isNotEqualTo(BenchPeers.newMark());
  }

  /**
   * {@code sh -c 'read line' sh ARGS}: a child that waits for its stdin, ARGS on its command line.
   */
  private Process waiting(String... args) throws IOException {
    List<String> command = new ArrayList<>(List.of("sh", "-c", "read line", "sh"));
    command.addAll(List.of(args));
    Process p = new ProcessBuilder(command).start();
    started.add(p);
    return p;
  }
}
