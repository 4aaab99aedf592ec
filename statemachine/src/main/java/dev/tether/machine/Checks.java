package dev.tether.machine;

/** Argument checks shared by the records of this package. */
final class Checks {
  private Checks() {}

  static void attempt(int attempt, int maxAttempts) {
    if (attempt < 1) {
      throw new IllegalArgumentException("attempt must be >= 1, was " + attempt);
    }
    if (maxAttempts != ConnectionState.UNLIMITED && maxAttempts < 1) {
      throw new IllegalArgumentException(
          "maxAttempts must be >= 1 or UNLIMITED (-1), was " + maxAttempts);
    }
    if (maxAttempts != ConnectionState.UNLIMITED && attempt > maxAttempts) {
      throw new IllegalArgumentException(
          "attempt " + attempt + " exceeds maxAttempts " + maxAttempts);
    }
  }

  static String fraction(int attempt, int maxAttempts) {
    return maxAttempts == ConnectionState.UNLIMITED
        ? Integer.toString(attempt)
        : attempt + "/" + maxAttempts;
  }
}
