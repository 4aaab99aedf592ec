package dev.tether.process;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Drains a child's stderr continuously (so the child never blocks on a full pipe), logs each line
 * at {@code debug}, and keeps the last lines for the cause when the child exits. Lines are bounded
 * in number and length; the rest of a longer line is dropped.
 *
 * <p>Thread-safe: one thread drains, any thread reads the tail.
 */
final class StderrTail {
  private static final Logger log = LoggerFactory.getLogger(StderrTail.class);
  private static final int READ_CHUNK_BYTES = 8192;
  private static final int MAX_BYTES_PER_CHAR = 4; // UTF-8

  private final int maxLines;
  private final int maxLineChars;
  private final Object owner; // names the process in logs
  private final ArrayDeque<String> lines;
  private long totalLines;

  StderrTail(int maxLines, int maxLineChars, Object owner) {
    this.maxLines = maxLines;
    this.maxLineChars = maxLineChars;
    this.owner = owner;
    this.lines = new ArrayDeque<>(Math.min(maxLines, 64));
  }

  /** Reads {@code stderr} to its end; returns when the child closed it or reading failed. */
  void drain(InputStream stderr) {
    byte[] chunk = new byte[READ_CHUNK_BYTES];
    ByteArrayOutputStream line = new ByteArrayOutputStream();
    int maxLineBytes = maxLineChars * MAX_BYTES_PER_CHAR;
    try (stderr) {
      for (int n; (n = stderr.read(chunk)) >= 0; ) {
        for (int i = 0; i < n; i++) {
          if (chunk[i] == '\n') {
            add(line);
          } else if (line.size() < maxLineBytes) {
            line.write(chunk[i]);
          }
        }
      }
    } catch (IOException e) {
      // Closing the stream (teardown) or a dead pipe ends the drain; nothing is lost but noise.
      log.debug("{}: reading stderr ended: {}", owner, e.getMessage());
    }
    if (line.size() > 0) {
      add(line);
    }
  }

  private void add(ByteArrayOutputStream bytes) {
    String text = bytes.toString(StandardCharsets.UTF_8);
    bytes.reset();
    if (text.endsWith("\r")) {
      text = text.substring(0, text.length() - 1);
    }
    if (text.length() > maxLineChars) {
      text = text.substring(0, maxLineChars) + "…";
    }
    log.debug("{} stderr: {}", owner, text);
    synchronized (this) {
      totalLines++;
      if (maxLines == 0) {
        return;
      }
      if (lines.size() == maxLines) {
        lines.removeFirst();
      }
      lines.addLast(text);
    }
  }

  /** The last lines, oldest first. */
  synchronized List<String> lines() {
    return List.copyOf(lines);
  }

  /**
   * The tail for a cause: {@code "; stderr (last 2 of 7 lines): a | b"}, or empty without stderr.
   */
  synchronized String describe() {
    if (lines.isEmpty()) {
      return "";
    }
    String count =
        totalLines > lines.size()
            ? "last " + lines.size() + " of " + totalLines + " lines"
            : lines.size() == 1 ? "1 line" : lines.size() + " lines";
    return "; stderr (" + count + "): " + String.join(" | ", lines);
  }
}
