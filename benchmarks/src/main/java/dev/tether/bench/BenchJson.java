package dev.tether.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Locale;
import java.util.Map;

/**
 * One line of {@code tether bench --json}, written by the rules every {@code tether} command's JSON
 * follows (docs/json.md): {@code "type":"comparison"} first; a figure that does not apply (no
 * baseline, no goal, a score that is not a number) is absent, never {@code null}; names in
 * camelCase, with the unit spelled out at the end ({@code phasesMicros}, {@code backMaxMillis}).
 * The benchmarks build their rows freely; this is the one place they are printed.
 */
final class BenchJson {
  private static final JsonNodeFactory JSON = JsonNodeFactory.instance;

  private BenchJson() {}

  /**
   * A row's leading fields, in the order every row has them: its name, Tether's figure, the
   * baseline's, the ratio (higher is better for Tether), the unit and the goal. A figure that does
   * not apply is {@code NaN} (no baseline, no ratio), a goal the issues do not set {@code null}:
   * {@link #line} leaves them out. A goal given as an {@link Integer} prints as a whole number. The
   * caller adds what else the row reports (spreads, counts, notes).
   */
  static ObjectNode row(
      String name, double tether, double baseline, double ratio, String unit, Number goal) {
    ObjectNode n = JSON.objectNode();
    n.put("name", name);
    n.put("tether", tether);
    n.put("baseline", baseline);
    n.put("ratio", ratio);
    n.put("unit", unit);
    if (goal instanceof Integer whole) {
      n.put("goal", whole);
    } else {
      n.put("goal", goal == null ? null : goal.doubleValue());
    }
    return n;
  }

  /** {@code row} as a JSON line. */
  static String line(ObjectNode row) {
    ObjectNode out = JSON.objectNode().put("type", "comparison");
    copy(row, out);
    return out.toString();
  }

  private static void copy(ObjectNode from, ObjectNode to) {
    for (Map.Entry<String, JsonNode> e : from.properties()) {
      JsonNode v = e.getValue();
      if (v.isNull() || (v.isNumber() && !Double.isFinite(v.asDouble()))) {
        continue;
      }
      String key = camel(e.getKey());
      if (v.isObject()) {
        copy((ObjectNode) v, to.putObject(key));
      } else {
        to.set(key, v);
      }
    }
  }

  /** {@code back_max_ms} → {@code backMaxMillis}, {@code phases_us} → {@code phasesMicros}. */
  static String camel(String key) {
    String k = key;
    if (k.endsWith("_us")) {
      k = k.substring(0, k.length() - 3) + "_micros";
    } else if (k.endsWith("_ms")) {
      k = k.substring(0, k.length() - 3) + "_millis";
    }
    String[] parts = k.split("_", -1);
    StringBuilder sb = new StringBuilder(parts[0]);
    for (int i = 1; i < parts.length; i++) {
      if (!parts[i].isEmpty()) {
        sb.append(parts[i].substring(0, 1).toUpperCase(Locale.ROOT)).append(parts[i].substring(1));
      }
    }
    return sb.toString();
  }
}
