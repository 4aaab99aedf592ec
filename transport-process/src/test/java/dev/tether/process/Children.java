package dev.tether.process;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tether.machine.LifecycleEvent;
import dev.tether.rpc.RpcConnection;
import dev.tether.runtime.LifecycleQueue;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The child programs the tests start (src/test/node/peer.js on plain node) and the operating
 * system's view of them: whether a pid is alive is read from the process table ({@code /proc}, or
 * {@code ps} where there is none), not from {@link Process#isAlive()}.
 */
final class Children {
  /** Bound on every wait for a child to appear, answer or vanish. */
  static final Duration WAIT = Duration.ofSeconds(10);

  /** Short graces, so a child that ignores SIGTERM is killed quickly in tests. */
  static final ProcessTransportOptions FAST =
      ProcessTransportOptions.builder()
          .closeGrace(Duration.ofMillis(300))
          .terminateGrace(Duration.ofMillis(300))
          .build();

  private static final Path PEERS =
      Path.of(System.getProperty("tether.processPeers.dir", "target/process-peers"));

  /** Every pid a test saw, killed after it whatever happened. */
  private final Set<Long> seen = ConcurrentHashMap.newKeySet();

  /** {@code node peer.js args...}. */
  static ProcessEndpoint peer(String... args) {
    List<String> argv = new ArrayList<>(List.of("node", PEERS.resolve("peer.js").toString()));
    argv.addAll(List.of(args));
    return ProcessEndpoint.of(argv);
  }

  private volatile long lastPid;

  /** Remembers {@code pid} for {@link #assertAllGone} and {@link #killAll}. */
  long track(long pid) {
    seen.add(pid);
    lastPid = pid;
    return pid;
  }

  /** The pid tracked last. */
  long lastPid() {
    return lastPid;
  }

  /** Remembers every process the transports have not reaped yet. */
  void trackLive() {
    ProcessTransport.liveProcesses().forEach(h -> seen.add(h.pid()));
  }

  /** Whether the process table holds {@code pid} as a running (not zombie) process. */
  static boolean alive(long pid) {
    Path stat = Path.of("/proc", Long.toString(pid), "stat");
    if (Files.isDirectory(Path.of("/proc/self"))) {
      try {
        String s = Files.readString(stat);
        char state = s.charAt(s.lastIndexOf(')') + 2);
        return state != 'Z' && state != 'X';
      } catch (IOException e) {
        return false; // gone
      }
    }
    return psSaysAlive(pid);
  }

  private static boolean psSaysAlive(long pid) {
    try {
      Process ps = new ProcessBuilder("ps", "-o", "stat=", "-p", Long.toString(pid)).start();
      String out = new String(ps.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
      ps.waitFor();
      return !out.isEmpty() && !out.startsWith("Z");
    } catch (IOException e) {
      throw new IllegalStateException("cannot list processes", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return true;
    }
  }

  /** Waits (bounded) until none of {@code pids} is in the process table; fails naming the rest. */
  static void awaitGone(Collection<Long> pids, Duration limit) throws InterruptedException {
    long deadline = System.nanoTime() + limit.toNanos();
    for (long pid : pids) {
      // Woken by the exit itself; the process table, not the handle, decides below.
      Optional<ProcessHandle> handle = ProcessHandle.of(pid);
      if (handle.isPresent()) {
        try {
          handle
              .get()
              .onExit()
              .get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        } catch (ExecutionException | TimeoutException e) {
          break; // out of time (or no exit to wait for): the assertion names what is left
        }
      }
    }
    List<Long> left = new ArrayList<>(pids);
    left.removeIf(pid -> !alive(pid));
    assertThat(left).as("processes still alive after %s", limit).isEmpty();
  }

  /** Takes events from {@code events} until one of {@code type} comes, within {@link #WAIT}. */
  static <T extends LifecycleEvent> T await(BlockingQueue<LifecycleEvent> events, Class<T> type)
      throws InterruptedException {
    return await(nanos -> events.poll(nanos, TimeUnit.NANOSECONDS), type);
  }

  /** Takes events from {@code events} until one of {@code type} comes, within {@link #WAIT}. */
  static <T extends LifecycleEvent> T await(LifecycleQueue events, Class<T> type)
      throws InterruptedException {
    return await(nanos -> events.poll(Duration.ofNanos(nanos)), type);
  }

  /** A queue's timed poll: the next event, or null after {@code nanos}. */
  @FunctionalInterface
  private interface Poll {
    LifecycleEvent poll(long nanos) throws InterruptedException;
  }

  private static <T extends LifecycleEvent> T await(Poll events, Class<T> type)
      throws InterruptedException {
    long deadline = System.nanoTime() + WAIT.toNanos();
    for (LifecycleEvent e; System.nanoTime() < deadline; ) {
      e = events.poll(deadline - System.nanoTime());
      if (type.isInstance(e)) {
        return type.cast(e);
      }
    }
    throw new AssertionError("no " + type.getSimpleName() + " within " + WAIT);
  }

  /** Asserts every process seen is gone within {@link #WAIT}. */
  void assertAllGone() throws InterruptedException {
    trackLive();
    awaitGone(seen, WAIT);
  }

  /**
   * After a test: closes {@code rpc} (if it was built) and waits for its end, asserts every process
   * seen is gone ({@link #assertAllGone}), and kills whatever is left in any case.
   */
  void closeAndAssertAllGone(RpcConnection rpc) throws Exception {
    try {
      if (rpc != null) {
        rpc.close();
        rpc.terminated().toCompletableFuture().get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
      }
      assertAllGone();
    } finally {
      killAll();
    }
  }

  /** Kills whatever a test left behind (after a failure), by pid. */
  void killAll() {
    trackLive();
    for (long pid : seen) {
      ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
    }
  }
}
