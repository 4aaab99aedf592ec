package dev.tether.vertx.peer;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link NotifyHandler} that queues messages for another thread, up to a bound. When the queue is
 * full it rejects the message with code {@link #CODE_QUEUE_FULL}, so the sender learns that it was
 * not taken; nothing is dropped silently.
 *
 * <p>Thread-safe.
 */
public final class MessageQueue implements NotifyHandler {
  private static final Logger log = LoggerFactory.getLogger(MessageQueue.class);

  /** Default capacity: a pod handles messages in well under a second, so this is a long backlog. */
  public static final int DEFAULT_CAPACITY = 10_000;

  /** The error code sent when the queue is full. */
  public static final String CODE_QUEUE_FULL = "queue-full";

  private final BlockingQueue<PeerMessage> messages;
  private final int capacity;

  private MessageQueue(int capacity) {
    this.capacity = capacity;
    this.messages = new ArrayBlockingQueue<>(capacity);
  }

  /**
   * A queue holding at most {@code capacity} messages.
   *
   * @throws IllegalArgumentException if {@code capacity} is less than 1
   */
  public static MessageQueue bounded(int capacity) {
    if (capacity < 1) {
      throw new IllegalArgumentException("capacity must be >= 1, was " + capacity);
    }
    return new MessageQueue(capacity);
  }

  /** A queue of {@link #DEFAULT_CAPACITY}. */
  public static MessageQueue bounded() {
    return bounded(DEFAULT_CAPACITY);
  }

  /** Queues the message, or rejects it with {@link #CODE_QUEUE_FULL} when full. */
  @Override
  public Verdict onNotify(PeerMessage message) {
    if (messages.offer(message)) {
      return Verdict.accept();
    }
    log.warn("message queue full ({} messages); rejecting message {}", capacity, message.id());
    return Verdict.reject(CODE_QUEUE_FULL, "the receiver's queue of " + capacity + " is full");
  }

  /**
   * Takes the oldest message, waiting up to {@code timeout} for one.
   *
   * @return empty if none arrived in time
   * @throws InterruptedException if interrupted while waiting
   */
  public Optional<PeerMessage> poll(Duration timeout) throws InterruptedException {
    return Optional.ofNullable(messages.poll(timeout.toNanos(), TimeUnit.NANOSECONDS));
  }

  /** Messages queued and not yet taken. */
  public int size() {
    return messages.size();
  }
}
