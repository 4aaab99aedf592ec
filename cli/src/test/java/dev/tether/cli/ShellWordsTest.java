package dev.tether.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

class ShellWordsTest {

  @Test
  void whitespaceRunsSeparateWords() {
    assertThat(ShellWords.split("  node\tserver.js \n --stdio  "))
        .containsExactly("node", "server.js", "--stdio");
  }

  @Test
  void singleQuotesKeepEverythingLiterally() {
    assertThat(ShellWords.split("echo 'a  b' '\\n \"x\" $HOME'"))
        .containsExactly("echo", "a  b", "\\n \"x\" $HOME");
  }

  @Test
  void doubleQuotesUnescapeOnlyQuoteBackslashDollarAndBackquote() {
    assertThat(ShellWords.split("echo \"say \\\"hi\\\" \\\\ \\$x \\` \\n\""))
        .containsExactly("echo", "say \"hi\" \\ $x ` \\n");
  }

  @Test
  void backslashOutsideQuotesKeepsTheNextCharacter() {
    assertThat(ShellWords.split("echo a\\ b \\'c\\\" \\|"))
        .containsExactly("echo", "a b", "'c\"", "|");
  }

  @Test
  void backslashNewlineJoinsLines() {
    assertThat(ShellWords.split("node \\\nserver.js \"a\\\nb\""))
        .containsExactly("node", "server.js", "ab");
  }

  @Test
  void quotesJoinWithWhatTouchesThem() {
    assertThat(ShellWords.split("--name=\"a b\"'c d'e")).containsExactly("--name=a bc de");
  }

  @Test
  void emptyQuotesAreAnEmptyWord() {
    assertThat(ShellWords.split("prog '' \"\" x")).containsExactly("prog", "", "", "x");
  }

  @Test
  void nothingIsExpanded() {
    assertThat(ShellWords.split("ls $HOME ~ *.json #x"))
        .containsExactly("ls", "$HOME", "~", "*.json", "#x");
  }

  @Test
  void unterminatedQuotesAreErrorsNamingTheColumn() {
    assertThatThrownBy(() -> ShellWords.split("node 'server.js"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("unterminated ' opened at column 6: node 'server.js");
    assertThatThrownBy(() -> ShellWords.split("echo \"a \\\""))
        .hasMessage("unterminated \" opened at column 6: echo \"a \\\"");
  }

  @Test
  void trailingBackslashIsAnError() {
    assertThatThrownBy(() -> ShellWords.split("echo a\\"))
        .hasMessage("ends with a backslash: echo a\\");
  }

  @Test
  void unquotedOperatorsAreRefusedQuotedOnesPass() {
    for (String op : List.of("|", "&", ";", "<", ">", "(", ")", "`")) {
      assertThatThrownBy(() -> ShellWords.split("server " + op + " x"))
          .as(op)
          .hasMessageStartingWith("'" + op + "' is a shell operator");
      assertThat(ShellWords.split("server '" + op + "' \"" + op + "\""))
          .containsExactly("server", op, op);
    }
  }

  @Test
  void aLineWithoutWordsIsAnError() {
    assertThatThrownBy(() -> ShellWords.split(" \t ")).hasMessage("no command in ' \t '");
    assertThatThrownBy(() -> ShellWords.split("")).hasMessage("no command in ''");
  }

  /** Lines whose words a real {@code /bin/sh} must split exactly as we do (no expansions). */
  private static final List<String> SAME_AS_SH =
      List.of(
          "a b  c",
          "'a b' \"c d\" e\\ f",
          "\"x \\\"y\\\" \\\\ \\q\" 'p\\q'",
          "--opt=\"v w\"'x'y",
          "'' \"\" z",
          "a\\\nb \"c\\\nd\" 'e\nf'",
          "\\\"\\' \"'\" '\"'",
          "tab\there");

  @Test
  @Timeout(30)
  void splitsLikeARealShell() throws Exception {
    Path sh = Path.of("/bin/sh");
    assumeTrue(Files.isExecutable(sh), "no /bin/sh here");
    for (String line : SAME_AS_SH) {
      assertThat(ShellWords.split(line)).as(line).isEqualTo(shellWords(sh, line));
    }
  }

  /** The words {@code sh} makes of {@code line}, printed NUL-terminated by printf. */
  private static List<String> shellWords(Path sh, String line)
      throws IOException, InterruptedException {
    Process p =
        new ProcessBuilder(sh.toString(), "-c", "printf '%s\\0' " + line)
            .redirectErrorStream(true)
            .start();
    try {
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertThat(p.waitFor(10, TimeUnit.SECONDS)).isTrue();
      assertThat(out).endsWith("\0");
      return Arrays.asList(out.substring(0, out.length() - 1).split("\0", -1));
    } finally {
      p.destroyForcibly();
    }
  }
}
