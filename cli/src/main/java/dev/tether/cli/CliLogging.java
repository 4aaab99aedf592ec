package dev.tether.cli;

/**
 * What the command line's logging provider (slf4j-simple) prints. Tether's output is its own lines;
 * library log lines would interleave with them (Vert.x warns {@code Connection evicted} when a
 * WebSocket upgrade is refused), so by default only Tether's own warnings and errors reach stderr.
 * {@code --verbose} brings everything back: Tether at debug, the rest at info.
 *
 * <p>slf4j-simple reads its configuration once, when the first logger is made, so this runs first
 * in {@code main}. A property the user set ({@code -Dorg.slf4j.simpleLogger.…}) wins.
 */
final class CliLogging {
  private static final String PREFIX = "org.slf4j.simpleLogger.";

  private CliLogging() {}

  /** Sets the logging provider's defaults for a command line run. */
  static void configure(boolean verbose) {
    setIfAbsent("defaultLogLevel", verbose ? "info" : "off");
    setIfAbsent("log.dev.tether", verbose ? "debug" : "warn");
    setIfAbsent("showThreadName", Boolean.toString(verbose));
    setIfAbsent("showShortLogName", "true");
    setIfAbsent("showLogName", "false");
  }

  private static void setIfAbsent(String key, String value) {
    if (System.getProperty(PREFIX + key) == null) {
      System.setProperty(PREFIX + key, value);
    }
  }
}
