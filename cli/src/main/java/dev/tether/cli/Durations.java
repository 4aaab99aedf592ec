package dev.tether.cli;

import java.time.Duration;
import java.util.Locale;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * Durations on the command line: a positive whole number with a unit, {@code ms}, {@code s}, {@code
 * m}, {@code h} or {@code d}, such as {@code 250ms}, {@code 2s}, {@code 1m} or {@code 24h}.
 */
final class Durations {
  /** What a valid duration looks like, for error messages. */
  static final String FORMAT = "a positive number with ms, s, m, h or d, such as 250ms, 2s or 1m";

  private Durations() {}

  /**
   * {@code d} as a person and {@link #parse} read it: the largest unit that divides it ({@code
   * 100ms}, {@code 30s}, {@code 1m}, {@code 2h}), never {@code PT0.1S}.
   */
  static String format(Duration d) {
    long ms = d.toMillis();
    long[] sizes = {86_400_000L, 3_600_000L, 60_000L, 1000L};
    String[] units = {"d", "h", "m", "s"};
    for (int i = 0; i < sizes.length; i++) {
      if (ms != 0 && ms % sizes[i] == 0) {
        return ms / sizes[i] + units[i];
      }
    }
    return ms + "ms";
  }

  /**
   * Parses {@code text}.
   *
   * @throws IllegalArgumentException naming {@code text} if it is not a positive duration
   */
  static Duration parse(String text) {
    String t = text.strip().toLowerCase(Locale.ROOT);
    int unitAt = 0;
    while (unitAt < t.length() && Character.isDigit(t.charAt(unitAt))) {
      unitAt++;
    }
    try {
      long n = Long.parseLong(t.substring(0, unitAt));
      if (n < 1) {
        throw new NumberFormatException("not positive");
      }
      return switch (t.substring(unitAt)) {
        case "ms" -> Duration.ofMillis(n);
        case "s" -> Duration.ofSeconds(n);
        case "m" -> Duration.ofMinutes(n);
        case "h" -> Duration.ofHours(n);
        case "d" -> Duration.ofDays(n);
        default -> throw new NumberFormatException("unit");
      };
    } catch (NumberFormatException | ArithmeticException e) {
      throw new IllegalArgumentException("'" + text + "' is not " + FORMAT, e);
    }
  }

  /** Converts option values with {@link #parse}; picocli reports a bad value as a usage error. */
  static final class Converter implements ITypeConverter<Duration> {
    @Override
    public Duration convert(String value) {
      try {
        return parse(value);
      } catch (IllegalArgumentException e) {
        throw new TypeConversionException(e.getMessage());
      }
    }
  }
}
