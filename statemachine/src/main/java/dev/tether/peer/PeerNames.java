package dev.tether.peer;

import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Validates pod names before they reach the disk or the wire (invariant P4).
 *
 * <p>The rule is an allow-list, not a deny-list: a name is 1 to {@value #MAX_LENGTH} characters
 * from {@code [A-Za-z0-9._-]}, does not start or end with {@code '.'}, and is not a Windows device
 * name ({@code CON}, {@code PRN}, {@code AUX}, {@code NUL}, {@code COM1}-{@code COM9}, {@code
 * LPT1}-{@code LPT9}, in any case, alone or before an extension such as {@code con.txt}). This
 * excludes the empty name, {@code "."}, {@code ".."}, both path separators, NUL, every control
 * character, every non-ASCII character (so no Unicode look-alikes, bidi overrides, combining marks
 * or normalisation tricks), hidden files, names Windows would silently shorten (a trailing dot or
 * space) and names Windows maps to a device instead of a file; it also keeps the store's own files
 * (which start with {@code '.'} or live beside the pod directory) out of the name space. A valid
 * name is safe to use as a file name on every common file system.
 *
 * <p>Thread-safe (stateless).
 */
public final class PeerNames {

  /**
   * Longest accepted name. 64 keeps {@code NAME.json} and its temp siblings far below every file
   * system's 255-byte name limit and keeps names readable in logs.
   */
  public static final int MAX_LENGTH = 64;

  private PeerNames() {}

  /**
   * Returns {@code name} if it is a valid pod name.
   *
   * @throws IllegalArgumentException naming the (escaped) bad value and the rule it breaks
   * @throws NullPointerException if {@code name} is null
   */
  public static String requireValid(String name) {
    String problem = problem(name);
    if (problem != null) {
      throw new IllegalArgumentException(
          "invalid pod name " + quote(name) + ": " + problem + " (allowed: " + RULE + ")");
    }
    return name;
  }

  /** Whether {@code name} is a valid pod name; never throws. */
  public static boolean isValid(String name) {
    return name != null && problem(name) == null;
  }

  /** The rule in words, for messages and help texts. */
  public static final String RULE =
      "1-"
          + MAX_LENGTH
          + " characters from A-Z a-z 0-9 . _ -, not starting or ending with '.',"
          + " not a Windows device name such as CON or com1.txt";

  /** Names Windows maps to a device in every directory, whatever the case or extension. */
  private static final Set<String> DEVICE_NAMES = deviceNames();

  private static Set<String> deviceNames() {
    Set<String> names = new HashSet<>(List.of("CON", "PRN", "AUX", "NUL"));
    for (int i = 1; i <= 9; i++) {
      names.add("COM" + i);
      names.add("LPT" + i);
    }
    return Set.copyOf(names);
  }

  private static String problem(String name) {
    if (name == null) {
      throw new NullPointerException("name");
    }
    if (name.isEmpty()) {
      return "empty";
    }
    if (name.length() > MAX_LENGTH) {
      return "longer than " + MAX_LENGTH + " characters (" + name.length() + ")";
    }
    if (name.charAt(0) == '.') {
      return "starts with '.'";
    }
    for (int i = 0; i < name.length(); i++) {
      char c = name.charAt(i);
      if (!allowed(c)) {
        return "character " + describe(c) + " at index " + i + " is not allowed";
      }
    }
    if (name.charAt(name.length() - 1) == '.') {
      return "ends with '.' (Windows drops a trailing dot)";
    }
    int dot = name.indexOf('.');
    String base = (dot < 0 ? name : name.substring(0, dot)).toUpperCase(Locale.ROOT);
    if (DEVICE_NAMES.contains(base)) {
      return "is the Windows device name " + base + " (with or without an extension)";
    }
    return null;
  }

  private static boolean allowed(char c) {
    return (c >= 'a' && c <= 'z')
        || (c >= 'A' && c <= 'Z')
        || (c >= '0' && c <= '9')
        || c == '.'
        || c == '_'
        || c == '-';
  }

  private static String describe(char c) {
    if (c == '/') {
      return "'/' (path separator)";
    }
    if (c == '\\') {
      return "'\\' (path separator)";
    }
    if (c == ' ') {
      return "' ' (space)";
    }
    if (c == 0) {
      return "NUL";
    }
    if (Character.isISOControl(c)) {
      return String.format("U+%04X (control character)", (int) c);
    }
    return String.format("U+%04X", (int) c);
  }

  /** The name as a Java-style literal: printable ASCII as is, everything else escaped. */
  static String quote(String name) {
    if (name == null) {
      return "null";
    }
    StringBuilder sb = new StringBuilder("\"");
    int shown = Math.min(name.length(), MAX_LENGTH + 16);
    for (int i = 0; i < shown; i++) {
      char c = name.charAt(i);
      if (c >= 0x20 && c < 0x7f && c != '"' && c != '\\') {
        sb.append(c);
      } else {
        sb.append(String.format("\\u%04x", (int) c));
      }
    }
    if (shown < name.length()) {
      sb.append("...");
    }
    return sb.append('"').toString();
  }
}
