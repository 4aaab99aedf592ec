package dev.tether.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PeerCommandTest {
  @TempDir Path dir;

  /** Runs the CLI, checks the exit status, and returns stdout + "|" + stderr. */
  private String run(int expectedExit, String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int exit = TetherCli.run(new PrintWriter(out, true), new PrintWriter(err, true), args);
    assertThat(exit).as("exit status; stderr: %s", err).isEqualTo(expectedExit);
    return out + "|" + err;
  }

  private String peer(int expectedExit, String sub, String... rest) {
    String[] args = new String[rest.length + 4];
    args[0] = "peer";
    args[1] = sub;
    args[2] = "--store";
    args[3] = dir.toString();
    System.arraycopy(rest, 0, args, 4, rest.length);
    return run(expectedExit, args);
  }

  @Test
  void addRegisterListUnregister() {
    peer(0, "add", "a");
    peer(0, "add", "b");
    peer(0, "add", "c");
    peer(0, "add", "a");
    peer(0, "register", "a", "c");
    peer(0, "register", "b", "a");
    assertThat(peer(0, "list", "a")).isEqualTo("b\nc\n|");
    assertThat(peer(0, "list", "b")).isEqualTo("a\n|");
    peer(0, "unregister", "a", "b");
    assertThat(peer(0, "list", "a")).isEqualTo("c\n|");
    assertThat(peer(0, "list", "b")).isEqualTo("|");
  }

  @Test
  void rejectedNamesAndUsageErrorsExitTwo() {
    assertThat(peer(2, "add", "../evil")).contains("invalid pod name \"../evil\"");
    peer(0, "add", "a");
    assertThat(peer(2, "register", "a", "a")).contains("own peer");
    assertThat(peer(2, "register", "a")).contains("Missing required parameter");
    assertThat(run(2, "peer", "list", "a")).contains("--store");
    assertThat(dir.getParent().resolve("evil.json")).doesNotExist();
  }

  @Test
  void registryFailuresExitFour() {
    peer(0, "add", "a");
    assertThat(peer(4, "register", "a", "ghost")).contains("unknown pod \"ghost\"");
    assertThat(peer(4, "list", "ghost")).contains("unknown pod \"ghost\"");
  }
}
