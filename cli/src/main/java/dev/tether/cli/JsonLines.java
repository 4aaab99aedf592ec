package dev.tether.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tether.machine.Cause;
import java.util.Locale;

/**
 * The building blocks of every {@code --json} line, as {@code docs/json.md} defines them: each line
 * is one object whose first field is {@code type}; an error is {@code {"kind":…,"message":…}} with
 * {@code kind} in UPPER_SNAKE case; a field with no value is left out, never {@code null}.
 */
final class JsonLines {
  private JsonLines() {}

  /** A new line {@code {"type":type}}. */
  static ObjectNode line(String type) {
    return LifecycleJson.MAPPER.createObjectNode().put("type", type);
  }

  /** An error object {@code {"kind":kind,"message":message}}. */
  static ObjectNode error(String kind, String message) {
    return LifecycleJson.MAPPER.createObjectNode().put("kind", kind).put("message", message);
  }

  /** A connection's cause as an error object: {@code {"kind":"OPEN_FAILED","message":…}}. */
  static ObjectNode cause(Cause cause) {
    return error(cause.kind().name(), cause.message());
  }

  /** {@code WrittenUnconfirmed} → {@code WRITTEN_UNCONFIRMED}: a type's name as an enum value. */
  static String upperSnake(String camel) {
    return camel.replaceAll("([a-z0-9])([A-Z])", "$1_$2").toUpperCase(Locale.ROOT);
  }
}
