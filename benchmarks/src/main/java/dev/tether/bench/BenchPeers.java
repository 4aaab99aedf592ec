package dev.tether.bench;

import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
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

  /** {@code node …/server-everything/dist/index.js stdio}: the MCP reference server (B8). */
  static List<String> mcpServer() {
    return List.of(
        "node", installed("@modelcontextprotocol/server-everything/dist/index.js"), "stdio");
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

  /** The one live child of this JVM that is not in {@code known}; fails unless exactly one. */
  static ProcessHandle newChild(Set<Long> known) {
    List<ProcessHandle> fresh =
        ProcessHandle.current().children().filter(h -> !known.contains(h.pid())).toList();
    if (fresh.size() != 1) {
      throw new IllegalStateException("expected one new child process, found " + fresh);
    }
    return fresh.get(0);
  }
}
