package dev.tether.cli;

import java.util.Locale;

/**
 * An inclusive range of seeds, {@code A..B} on the command line, and its slices for a sweep that
 * shards over a CI job matrix. Immutable.
 *
 * @param first the first seed
 * @param last the last seed (inclusive), {@code >= first}
 */
record SeedRange(long first, long last) {

  /** Validates the bounds. */
  SeedRange {
    if (last < first) {
      throw new IllegalArgumentException("empty seed range " + first + ".." + last);
    }
    if (last - first == Long.MAX_VALUE || last - first < 0) {
      // The count would not fit in a long (last - first overflowed, or is the largest long).
      throw new IllegalArgumentException("seed range " + first + ".." + last + " is too large");
    }
  }

  /**
   * Parses {@code A..B} (whole numbers, {@code A <= B}).
   *
   * @throws IllegalArgumentException naming {@code text} if it is not such a range
   */
  static SeedRange parse(String text) {
    int dots = text.indexOf("..");
    try {
      if (dots < 0) {
        throw new NumberFormatException("no '..'");
      }
      return new SeedRange(
          Long.parseLong(text.substring(0, dots).strip()),
          Long.parseLong(text.substring(dots + 2).strip()));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          "'" + text + "' is not a seed range A..B with whole numbers A <= B", e);
    }
  }

  /** How many seeds the range holds. */
  long count() {
    return last - first + 1;
  }

  /**
   * Slice {@code shard.k()} of {@code shard.n()}: the slices are disjoint and contiguous and
   * together cover this range; their sizes differ by at most one (the first {@code count % n}
   * slices hold one seed more). Null (an empty slice) when there are more slices than seeds and
   * this one is past the last seed.
   */
  SeedRange slice(Shard shard) {
    long base = count() / shard.n();
    long extra = count() % shard.n();
    long k = shard.k() - 1L;
    long before = k * base + Math.min(k, extra);
    long size = base + (k < extra ? 1 : 0);
    return size == 0 ? null : new SeedRange(first + before, first + before + size - 1);
  }

  /**
   * Slice {@code k} of {@code n}, as {@code --shard K/N} names it.
   *
   * @param k the slice, 1-based
   * @param n the number of slices
   */
  record Shard(int k, int n) {

    /** Validates {@code 1 <= k <= n}. */
    Shard {
      if (n < 1 || k < 1 || k > n) {
        throw new IllegalArgumentException("shard " + k + "/" + n + " is not K/N with 1 <= K <= N");
      }
    }

    /**
     * Parses {@code K/N}.
     *
     * @throws IllegalArgumentException naming {@code text} if it is not such a slice
     */
    static Shard parse(String text) {
      int slash = text.indexOf('/');
      try {
        if (slash < 0) {
          throw new NumberFormatException("no '/'");
        }
        return new Shard(
            Integer.parseInt(text.substring(0, slash).strip()),
            Integer.parseInt(text.substring(slash + 1).strip()));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("'" + text + "' is not K/N with 1 <= K <= N", e);
      }
    }

    @Override
    public String toString() {
      return k + "/" + n;
    }
  }

  @Override
  public String toString() {
    return String.format(Locale.ROOT, "%d..%d", first, last);
  }
}
