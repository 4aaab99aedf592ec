package dev.tether.bench;

import java.util.StringJoiner;

/**
 * B9's document: a fixed, generated JSON file of exactly {@value #LINES} lines (an object with an
 * array of {@value #ITEMS} five-line records and a count), so every run asks the server for the
 * same outline.
 */
final class LspDocument {
  static final int LINES = 2_000;

  /** Records in the array: 2 header lines + 5 per record + 3 footer lines = {@value #LINES}. */
  static final int ITEMS = (LINES - 5) / 5;

  static final String URI = "file:///bench/records.json";

  static final String TEXT = generate();

  private LspDocument() {}

  private static String generate() {
    StringJoiner lines = new StringJoiner("\n", "", "\n");
    lines.add("{").add("  \"items\": [");
    for (int i = 1; i <= ITEMS; i++) {
      lines.add("    {");
      lines.add("      \"id\": " + i + ",");
      lines.add("      \"name\": \"record-" + i + "\",");
      lines.add("      \"tags\": [\"t" + (i % 7) + "\", \"t" + (i % 11) + "\"]");
      lines.add(i < ITEMS ? "    }," : "    }");
    }
    lines.add("  ],").add("  \"count\": " + ITEMS).add("}");
    String text = lines.toString();
    if (text.split("\n", -1).length - 1 != LINES) {
      throw new AssertionError("the generated document must have " + LINES + " lines");
    }
    return text;
  }
}
