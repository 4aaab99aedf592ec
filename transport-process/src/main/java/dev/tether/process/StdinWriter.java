package dev.tether.process;

import java.io.IOException;
import java.io.OutputStream;
import java.util.ArrayDeque;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes frames to a child's stdin on a thread of its own, so that a child that stops reading
 * blocks that thread, never the connection's: {@link #enqueue} only queues. The queue is bounded in
 * bytes; writability is reported with a high-water mark (not writable from it, writable again at
 * half). Stages complete in the order frames were queued, when the bytes were flushed to the pipe.
 *
 * <p>Thread-safe.
 */
final class StdinWriter {
  private static final Logger log = LoggerFactory.getLogger(StdinWriter.class);

  /** A frame's bytes and the stage its sender waits on. */
  private static final class Pending {
    final byte[] bytes;
    final CompletableFuture<Void> written;

    Pending(byte[] bytes, CompletableFuture<Void> written) {
      this.bytes = bytes;
      this.written = written;
    }
  }

  private final OutputStream stdin;
  private final long maxQueuedBytes;
  private final long highWaterBytes;
  private final Consumer<Boolean> writabilityListener;
  private final Consumer<IOException> failureListener;
  private final Object owner;
  private final ArrayDeque<Pending> queue = new ArrayDeque<>();
  private long queuedBytes; // guarded by queue
  private boolean shutDown; // guarded by queue
  private boolean reportedWritable = true; // guarded by this

  /**
   * @param writabilityListener told when writability changes
   * @param failureListener told when a write fails (the child closed stdin or died)
   */
  StdinWriter(
      OutputStream stdin,
      long maxQueuedBytes,
      long highWaterBytes,
      Consumer<Boolean> writabilityListener,
      Consumer<IOException> failureListener,
      Object owner) {
    this.stdin = stdin;
    this.maxQueuedBytes = maxQueuedBytes;
    this.highWaterBytes = highWaterBytes;
    this.writabilityListener = writabilityListener;
    this.failureListener = failureListener;
    this.owner = owner;
  }

  /** Queues {@code bytes}; the stage fails at once when the queue is full or shut down. */
  CompletionStage<Void> enqueue(byte[] bytes) {
    CompletableFuture<Void> written = new CompletableFuture<>();
    synchronized (queue) {
      if (shutDown) {
        return CompletableFuture.failedFuture(new IOException("stdin of " + owner + " is closed"));
      }
      if (bytes.length > maxQueuedBytes - queuedBytes) {
        return CompletableFuture.failedFuture(
            new IOException(
                "outbound buffer of "
                    + owner
                    + " full: "
                    + queuedBytes
                    + " bytes queued, "
                    + bytes.length
                    + " more would exceed maxOutboundBytes "
                    + maxQueuedBytes));
      }
      queue.addLast(new Pending(bytes, written));
      queuedBytes += bytes.length;
      queue.notifyAll();
    }
    updateWritability();
    return written;
  }

  /** Whether the queue is below the high-water mark (see the class documentation). */
  synchronized boolean writable() {
    return reportedWritable;
  }

  /**
   * Fails every queued frame and closes stdin once the write in progress (if any) returns. The
   * child sees end of input. Idempotent.
   */
  void shutdown() {
    synchronized (queue) {
      shutDown = true;
      for (Pending p; (p = queue.pollFirst()) != null; ) {
        p.written.completeExceptionally(
            new IOException("channel to " + owner + " closed before the frame was written"));
      }
      queuedBytes = 0;
      queue.notifyAll();
    }
  }

  /** The writer thread's loop: write and flush each frame, then close stdin after shutdown. */
  void run() {
    try (stdin) {
      for (Pending p; (p = next()) != null; ) {
        try {
          stdin.write(p.bytes);
          stdin.flush();
        } catch (IOException e) {
          p.written.completeExceptionally(
              new IOException("write to stdin of " + owner + " failed: " + e.getMessage(), e));
          shutdown();
          failureListener.accept(e);
          return;
        }
        synchronized (queue) {
          if (!shutDown) { // shutdown() already zeroed the count
            queuedBytes -= p.bytes.length;
          }
        }
        p.written.complete(null);
        updateWritability();
      }
    } catch (IOException e) {
      log.debug("{}: closing stdin failed: {}", owner, e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** The next frame to write, or null after shutdown; its bytes stay counted until written. */
  private Pending next() throws InterruptedException {
    synchronized (queue) {
      while (queue.isEmpty() && !shutDown) {
        queue.wait();
      }
      return shutDown ? null : queue.pollFirst();
    }
  }

  private synchronized void updateWritability() {
    long queued;
    synchronized (queue) {
      queued = queuedBytes;
    }
    boolean now = reportedWritable ? queued < highWaterBytes : queued <= highWaterBytes / 2;
    if (now != reportedWritable) {
      reportedWritable = now;
      writabilityListener.accept(now);
    }
  }
}
