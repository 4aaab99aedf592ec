package dev.tether.model.docs;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The documentation as the doc tests read it: {@code README.md} and {@code docs/*.md} of the
 * repository, their fenced code blocks and the {@code <!-- example:NAME -->} marker in front of
 * each, and the {@code // example:NAME:begin} … {@code :end} regions of the test sources that
 * compile and run the examples.
 */
final class DocFiles {
  /** The repository's root, seen from a module's directory (where Surefire runs the tests). */
  static final Path ROOT = Path.of("..");

  private static final Pattern MARKER = Pattern.compile("<!--\\s*example:([A-Za-z0-9_-]+)\\s*-->");
  private static final Pattern REGION_BEGIN =
      Pattern.compile("(?m)^\\s*//\\s*example:([A-Za-z0-9_-]+):begin\\s*$");

  private DocFiles() {}

  /** {@code README.md}, {@code CHANGELOG.md}, then every {@code docs/*.md} in name order. */
  static List<Path> markdown() {
    List<Path> files = new ArrayList<>();
    files.add(ROOT.resolve("README.md"));
    files.add(ROOT.resolve("CHANGELOG.md"));
    try (Stream<Path> docs = Files.list(ROOT.resolve("docs"))) {
      docs.filter(p -> p.toString().endsWith(".md")).sorted().forEach(files::add);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return files;
  }

  static String read(Path file) {
    try {
      return Files.readString(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * A fenced code block: its info string ({@code java}, {@code sh}, empty, …), its body, the line
   * of its opening fence (1-based) and the example marker that stands between the previous block
   * and this one, if any.
   */
  record Block(Path file, int line, String info, String body, String marker) {
    String where() {
      return ROOT.relativize(file) + ":" + line;
    }
  }

  /** Every fenced block of a Markdown file, in order. */
  static List<Block> blocks(Path file) {
    List<Block> blocks = new ArrayList<>();
    List<String> lines = read(file).lines().toList();
    String marker = null;
    for (int i = 0; i < lines.size(); i++) {
      String line = lines.get(i).strip();
      Matcher m = MARKER.matcher(line);
      if (m.find()) {
        marker = m.group(1);
      } else if (line.startsWith("```")) {
        int start = i;
        StringBuilder body = new StringBuilder();
        for (i++; i < lines.size() && !lines.get(i).strip().equals("```"); i++) {
          body.append(lines.get(i)).append('\n');
        }
        blocks.add(new Block(file, start + 1, line.substring(3).strip(), body.toString(), marker));
        marker = null;
      }
    }
    return blocks;
  }

  /** Every {@code <!-- example:NAME -->} marker of a file, with or without a block after it. */
  static List<String> markers(Path file) {
    List<String> names = new ArrayList<>();
    Matcher m = MARKER.matcher(read(file));
    while (m.find()) {
      names.add(m.group(1));
    }
    return names;
  }

  /** A region of a test source between {@code // example:NAME:begin} and {@code :end}. */
  record Region(String name, Path source, String body) {}

  /** Every region of every module's test sources. */
  static List<Region> regions() {
    List<Region> regions = new ArrayList<>();
    try (Stream<Path> modules = Files.list(ROOT)) {
      for (Path module : modules.sorted().toList()) {
        Path tests = module.resolve("src/test/java");
        if (!Files.isDirectory(tests)) {
          continue;
        }
        try (Stream<Path> sources = Files.walk(tests)) {
          for (Path source : sources.filter(p -> p.toString().endsWith(".java")).toList()) {
            regions.addAll(regions(source));
          }
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return regions;
  }

  private static List<Region> regions(Path source) {
    String text = read(source);
    List<Region> regions = new ArrayList<>();
    Matcher m = REGION_BEGIN.matcher(text);
    while (m.find()) {
      String end = "// example:" + m.group(1) + ":end";
      int stop = text.indexOf(end, m.end());
      String body = stop < 0 ? "" : text.substring(m.end(), stop);
      regions.add(new Region(m.group(1), source, body));
    }
    return regions;
  }

  /** The non-blank lines of a text, each stripped: indentation and blank lines do not count. */
  static List<String> trimmed(String s) {
    return s.lines().map(String::strip).filter(l -> !l.isEmpty()).toList();
  }
}
