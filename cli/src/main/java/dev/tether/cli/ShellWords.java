package dev.tether.cli;

import java.util.ArrayList;
import java.util.List;

/**
 * Splits a command line into words the way a POSIX shell does, without running one: whitespace runs
 * separate words; {@code '…'} keeps everything literally; {@code "…"} keeps everything but {@code
 * \"}, {@code \\}, {@code \$} and {@code \`} (the backslash goes) and a backslash-newline (both
 * go); outside quotes a backslash keeps the next character literally (a backslash-newline
 * disappears). Quotes and escapes join with what touches them: {@code --name="a b"} is one word.
 *
 * <p>There is no shell, so nothing is expanded: {@code $HOME}, {@code *} and {@code ~} reach the
 * program as written. The operators a shell would act on ({@code | & ; < > ( )} and a backquote)
 * are refused unless quoted, rather than silently passed as arguments.
 */
final class ShellWords {
  /** Characters a shell would treat as operators; refused unquoted. */
  private static final String OPERATORS = "|&;<>()`";

  private ShellWords() {}

  /**
   * The words of {@code line}.
   *
   * @throws IllegalArgumentException on an unterminated quote, a trailing backslash, an unquoted
   *     operator, or a line with no word
   */
  static List<String> split(String line) {
    List<String> words = new ArrayList<>();
    StringBuilder word = new StringBuilder();
    boolean inWord = false; // an empty quoted word ('' or "") is still a word
    for (int i = 0; i < line.length(); i++) {
      char c = line.charAt(i);
      if (c == ' ' || c == '\t' || c == '\n') {
        if (inWord) {
          words.add(word.toString());
          word.setLength(0);
          inWord = false;
        }
      } else if (c == '\'') {
        i = singleQuoted(line, i, word);
        inWord = true;
      } else if (c == '"') {
        i = doubleQuoted(line, i, word);
        inWord = true;
      } else if (c == '\\') {
        if (i + 1 == line.length()) {
          throw new IllegalArgumentException("ends with a backslash: " + line);
        }
        char next = line.charAt(++i);
        if (next != '\n') { // a backslash-newline joins lines and leaves nothing
          word.append(next);
          inWord = true;
        }
      } else if (OPERATORS.indexOf(c) >= 0) {
        throw new IllegalArgumentException(
            "'"
                + c
                + "' is a shell operator and no shell runs the command; quote it to pass it as"
                + " an argument: "
                + line);
      } else {
        word.append(c);
        inWord = true;
      }
    }
    if (inWord) {
      words.add(word.toString());
    }
    if (words.isEmpty()) {
      throw new IllegalArgumentException("no command in '" + line + "'");
    }
    return words;
  }

  /** Characters a word may hold and still need no quotes. */
  private static final String SAFE = "-_./:=@%+,";

  /**
   * {@code word} quoted, if it must be, so that {@link #split} (or a shell) reads it as one word.
   */
  static String quote(String word) {
    boolean plain =
        !word.isEmpty()
            && word.chars().allMatch(c -> Character.isLetterOrDigit(c) || SAFE.indexOf(c) >= 0);
    return plain ? word : "'" + word.replace("'", "'\\''") + "'";
  }

  /** Appends the single-quoted text opening at {@code open}; returns the closing quote's index. */
  private static int singleQuoted(String line, int open, StringBuilder word) {
    int close = line.indexOf('\'', open + 1);
    if (close < 0) {
      throw unterminated('\'', open, line);
    }
    word.append(line, open + 1, close);
    return close;
  }

  /** Appends the double-quoted text opening at {@code open}; returns the closing quote's index. */
  private static int doubleQuoted(String line, int open, StringBuilder word) {
    for (int i = open + 1; i < line.length(); i++) {
      char c = line.charAt(i);
      if (c == '"') {
        return i;
      }
      if (c == '\\' && i + 1 < line.length() && "\"\\$`\n".indexOf(line.charAt(i + 1)) >= 0) {
        char next = line.charAt(++i);
        if (next != '\n') {
          word.append(next);
        }
      } else {
        word.append(c); // any other backslash stays, as in sh
      }
    }
    throw unterminated('"', open, line);
  }

  private static IllegalArgumentException unterminated(char quote, int at, String line) {
    return new IllegalArgumentException(
        "unterminated " + quote + " opened at column " + (at + 1) + ": " + line);
  }
}
