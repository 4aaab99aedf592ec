package dev.tether.bench;

import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;

/**
 * The third-party servers B8 and B9 start as children: the pinned npm packages of
 * transport-process's {@code src/test/node}, installed by this module's build into {@code
 * target/bench-peers} (profile {@code bench-peers}), next to the classes or the benchmarks jar.
 */
final class BenchPeers {
  private BenchPeers() {}

  /**
   * {@code target/bench-peers}: beside {@code target/classes} and {@code target/benchmarks.jar}.
   */
  static Path dir() {
    String set = System.getProperty("tether.benchPeers.dir");
    if (set != null) {
      return Path.of(set);
    }
    try {
      Path code =
          Path.of(BenchPeers.class.getProtectionDomain().getCodeSource().getLocation().toURI());
      return code.getParent().resolve("bench-peers");
    } catch (URISyntaxException e) {
      throw new IllegalStateException("cannot locate the benchmarks' classes", e);
    }
  }

  /**
   * {@code node …/server-everything/dist/index.js stdio MARK}: the MCP reference server (B8), with
   * {@code mark} ({@link #newMark()}) last on its command line so that its process can be found
   * ({@link #markedChild}); the server reads only its first argument.
   */
  static List<String> mcpServer(String mark) {
    return List.of(
        "node", installed("@modelcontextprotocol/server-everything/dist/index.js"), "stdio", mark);
  }

  /** {@code node …/vscode-json-language-server --stdio}: the JSON language server (B9). */
  static List<String> jsonLanguageServer() {
    return List.of(
        "node",
        installed("vscode-langservers-extracted/bin/vscode-json-language-server"),
        "--stdio");
  }

  private static String installed(String module) {
    Path p = dir().resolve("node_modules").resolve(module);
    if (!Files.isRegularFile(p)) {
      throw new IllegalStateException(
          p + " is missing: build the benchmarks module (its bench-peers profile runs npm ci)");
    }
    return p.toString();
  }

  /** The pids of this JVM's live children. */
  static Set<Long> children() {
    return ProcessHandle.current().children().map(ProcessHandle::pid).collect(Collectors.toSet());
  }

  /** What every mark starts with. */
  static final String MARK_PREFIX = "--tether-bench-child=";

  /**
   * A new argument, unique in this JVM's life and beyond, to put on a child's command line: the
   * child is then {@link #markedChild its process}, whatever other children start beside it. (A
   * child found as "the one new child since before the start" is wrong as soon as another step
   * starts one at the same time.)
   */
  static String newMark() {
    return MARK_PREFIX + UUID.randomUUID();
  }

  /**
   * The one live child of this JVM whose command line holds {@code mark} ({@link #marked}).
   *
   * @throws IllegalStateException unless exactly one live child carries {@code mark}
   */
  static ProcessHandle markedChild(String mark) {
    List<ProcessHandle> found = marked(mark);
    if (found.size() != 1) {
      throw new IllegalStateException(
          "expected one live child process marked " + mark + ", found " + found);
    }
    return found.get(0);
  }

  /**
   * The live children of this JVM whose command line holds {@code mark} as an argument, as the
   * operating system reports it ({@link ProcessHandle.Info#arguments()}: {@code /proc/PID/cmdline}
   * on Linux). A child forked but not yet running its program still has the JVM's command line: ask
   * once the child has answered.
   */
  static List<ProcessHandle> marked(String mark) {
    return ProcessHandle.current()
        .children()
        .filter(ProcessHandle::isAlive)
        .filter(h -> h.info().arguments().map(a -> List.of(a).contains(mark)).orElse(false))
        .toList();
  }
}
