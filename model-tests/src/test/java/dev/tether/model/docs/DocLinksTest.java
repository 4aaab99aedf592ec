package dev.tether.model.docs;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * No dead links in the documentation: every relative link of {@code README.md} and {@code
 * docs/*.md} names a file or directory that exists, and every {@code #anchor} a heading of the
 * Markdown file it points to (GitHub's anchor rules). Links inside code blocks and code spans are
 * not links.
 */
class DocLinksTest {
  private static final Pattern LINK = Pattern.compile("\\[[^\\]]*\\]\\(([^)\\s]+)\\)");
  private static final Pattern CODE_SPAN = Pattern.compile("`[^`]*`");

  @Test
  void everyRelativeLinkAndAnchorResolves() {
    List<String> problems = new ArrayList<>();
    for (Path file : DocFiles.markdown()) {
      List<String> lines = prose(DocFiles.read(file));
      for (int i = 0; i < lines.size(); i++) {
        Matcher m = LINK.matcher(CODE_SPAN.matcher(lines.get(i)).replaceAll(""));
        while (m.find()) {
          String problem = check(file, m.group(1));
          if (problem != null) {
            problems.add(DocFiles.ROOT.relativize(file) + ":" + (i + 1) + ": " + problem);
          }
        }
      }
    }
    assertThat(problems).isEmpty();
  }

  @Test
  void anchorsFollowGitHubsRules() {
    assertThat(anchors("## `tether demo`: outages on real sockets\n## Sessions\n## Sessions\n"))
        .containsExactlyInAnyOrder("tether-demo-outages-on-real-sockets", "sessions", "sessions-1");
    assertThat(anchors("### S1/S4 Active-session status, and retrying now"))
        .containsExactly("s1s4-active-session-status-and-retrying-now");
  }

  /** Why a link does not resolve, or null if it does. */
  private static String check(Path from, String target) {
    if (target.matches("[a-zA-Z][a-zA-Z+.-]*:.*")) {
      return null; // https:, mailto:, …: not checked here
    }
    int hash = target.indexOf('#');
    String path = hash < 0 ? target : target.substring(0, hash);
    Path resolved = path.isEmpty() ? from : from.getParent().resolve(path).normalize();
    if (!Files.exists(resolved)) {
      return "link to a missing file: " + target;
    }
    if (hash >= 0) {
      if (!resolved.toString().endsWith(".md")) {
        return "anchor into a file that is not Markdown: " + target;
      }
      if (!anchors(DocFiles.read(resolved)).contains(target.substring(hash + 1))) {
        return "link to a missing heading: " + target;
      }
    }
    return null;
  }

  /** The lines of a Markdown text with the bodies of fenced blocks blanked (numbering kept). */
  private static List<String> prose(String markdown) {
    List<String> out = new ArrayList<>();
    boolean fenced = false;
    for (String line : markdown.lines().toList()) {
      boolean fence = line.strip().startsWith("```");
      out.add(fenced || fence ? "" : line);
      if (fence) {
        fenced = !fenced;
      }
    }
    return out;
  }

  /** The anchors GitHub gives a file's headings: lower case, punctuation dropped, "-1" repeats. */
  static Set<String> anchors(String markdown) {
    Set<String> anchors = new HashSet<>();
    Map<String, Integer> count = new HashMap<>();
    for (String line : prose(markdown)) {
      Matcher m = Pattern.compile("^#{1,6}\\s+(.*?)\\s*#*\\s*$").matcher(line);
      if (!m.matches()) {
        continue;
      }
      String slug =
          m.group(1)
              .replaceAll("\\[([^\\]]*)\\]\\([^)]*\\)", "$1")
              .toLowerCase(Locale.ROOT)
              .replaceAll("[^\\p{L}\\p{N} _-]", "")
              .replace(' ', '-');
      int n = count.merge(slug, 1, Integer::sum);
      anchors.add(n == 1 ? slug : slug + "-" + (n - 1));
    }
    return anchors;
  }
}
