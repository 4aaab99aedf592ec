package dev.tether.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.tether.machine.LifecycleEvent;
import java.io.PrintWriter;

/**
 * Prints what a real-socket connection reports, one line each, stamped with the wall time since the
 * printer was created: readable ({@code [mm:ss.SSS] …}) or JSON, one object per line:
 *
 * <ul>
 *   <li>lifecycle events as {@link LifecycleJson#of} renders them ({@code "type":"lifecycle"});
 *   <li>stream events as {@code {"type":"event","stream":…,"data":…,"t":…}};
 *   <li>warnings as {@code {"type":"warning","stream":…,"message":…,"t":…}} ({@code stream} absent
 *       if the warning concerns none).
 * </ul>
 *
 * <p>Thread-safe: the connection's context and the command's thread may print concurrently; each
 * line is written whole.
 */
final class EventPrinter {
  private final PrintWriter out;
  private final boolean json;
  private final long startNanos = System.nanoTime();

  EventPrinter(PrintWriter out, boolean json) {
    this.out = out;
    this.json = json;
  }

  /** Milliseconds since this printer was created. */
  long elapsedMillis() {
    return (System.nanoTime() - startNanos) / 1_000_000;
  }

  synchronized void lifecycle(LifecycleEvent e) {
    long t = elapsedMillis();
    if (json) {
      out.println(LifecycleJson.of(e, t));
    } else {
      out.println(stamp(t) + LifecycleJson.describe(e));
    }
  }

  synchronized void event(String stream, JsonNode data) {
    long t = elapsedMillis();
    if (json) {
      out.println(jsonLine("event", stream, "data", data, t));
    } else {
      out.println(stamp(t) + "event " + stream + " " + data);
    }
  }

  /** A warning about {@code stream} (null if it concerns no stream). */
  synchronized void warning(String stream, String message) {
    long t = elapsedMillis();
    if (json) {
      out.println(jsonLine("warning", stream, "message", TextNode.valueOf(message), t));
    } else {
      out.println(
          stamp(t) + "WARNING " + (stream == null ? "" : "stream " + stream + ": ") + message);
    }
  }

  /**
   * Prints {@code text} as it is, or with {@code --json} {@code line} stamped with {@code "t"}: for
   * what a command reports besides events (where it listens, what it received).
   */
  synchronized void report(String text, ObjectNode line) {
    if (json) {
      out.println(line.put("t", elapsedMillis()));
    } else {
      out.println(text);
    }
  }

  /** A readable note such as {@code -- server stops}; not printed in JSON mode. */
  synchronized void note(String text) {
    if (!json) {
      out.println(stamp(elapsedMillis()) + "-- " + text);
    }
  }

  /** A readable line without timestamp (headers, summaries); not printed in JSON mode. */
  synchronized void text(String line) {
    if (!json) {
      out.println(line);
    }
  }

  synchronized void flush() {
    out.flush();
  }

  /**
   * {@code {"type":…,"stream":…,key:value,"t":…}}, in that order, like the lifecycle lines; no
   * {@code stream} if it is null.
   */
  private static ObjectNode jsonLine(
      String type, String stream, String key, JsonNode value, long t) {
    ObjectNode n = JsonLines.line(type);
    if (stream != null) {
      n.put("stream", stream);
    }
    n.set(key, value);
    n.put("t", t);
    return n;
  }

  private static String stamp(long t) {
    return "[" + LifecycleJson.clock(t) + "] ";
  }
}
