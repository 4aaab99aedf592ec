package dev.tether.session;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * An immutable bounded buffer that keeps the newest {@code capacity} items.
 *
 * @param <T> item type
 * @param capacity maximum number of items kept
 * @param items the items, oldest first
 */
public record Ring<T>(int capacity, List<T> items) {

  /** Validates and copies. */
  public Ring {
    if (capacity < 1) {
      throw new IllegalArgumentException("capacity must be >= 1, was " + capacity);
    }
    items = List.copyOf(items);
    if (items.size() > capacity) {
      throw new IllegalArgumentException("more items than capacity " + capacity);
    }
  }

  /** An empty ring. */
  public static <T> Ring<T> empty(int capacity) {
    return new Ring<>(capacity, List.of());
  }

  /** A ring with {@code item} appended, dropping the oldest item if full. */
  public Ring<T> add(T item) {
    Objects.requireNonNull(item, "item");
    List<T> next = new ArrayList<>(Math.min(items.size() + 1, capacity));
    int skip = items.size() == capacity ? 1 : 0;
    next.addAll(items.subList(skip, items.size()));
    next.add(item);
    return new Ring<>(capacity, next);
  }

  /** Number of items kept. */
  public int size() {
    return items.size();
  }
}
