package dev.tether.process;

import dev.tether.runtime.framing.Framing;
import java.time.Duration;
import java.util.Objects;

/**
 * Settings of a {@link ProcessTransport}: the framing on stdio, frame and buffer bounds, the stderr
 * tail kept for causes, and how long closing waits before terminating and killing.
 *
 * <p>Defaults: {@link Framing#ndjson()}, {@value #DEFAULT_MAX_FRAME_BYTES} bytes per frame, {@value
 * #DEFAULT_MAX_OUTBOUND_BYTES} bytes of unwritten stdin, not writable from {@value
 * #DEFAULT_WRITE_QUEUE_HIGH_WATER_BYTES} queued bytes, a stderr tail of {@value
 * #DEFAULT_STDERR_TAIL_LINES} lines of at most {@value #DEFAULT_MAX_STDERR_LINE_CHARS} characters,
 * a close grace of {@link #DEFAULT_CLOSE_GRACE} and a terminate grace of {@link
 * #DEFAULT_TERMINATE_GRACE}.
 *
 * <p>Immutable and thread-safe.
 */
public final class ProcessTransportOptions {
  /** Default largest frame; as the Vert.x transport's and the RPC layer's default. */
  public static final int DEFAULT_MAX_FRAME_BYTES = 16 * 1024 * 1024;

  /**
   * Default bound on bytes handed to a channel and not yet written to stdin: two maximal frames.
   */
  public static final long DEFAULT_MAX_OUTBOUND_BYTES = 2L * DEFAULT_MAX_FRAME_BYTES;

  /** Default queued stdin bytes at which a channel reports itself not writable (half: writable). */
  public static final int DEFAULT_WRITE_QUEUE_HIGH_WATER_BYTES = 64 * 1024;

  /**
   * Default number of stderr lines kept for a cause: enough for a stack trace's head, and what
   * editors show of a crashed language server.
   */
  public static final int DEFAULT_STDERR_TAIL_LINES = 50;

  /** Default longest stderr line kept; the rest of a longer line is dropped. */
  public static final int DEFAULT_MAX_STDERR_LINE_CHARS = 512;

  /**
   * Default time a closed child gets to exit on its own after stdin was closed, before it is
   * terminated: language servers exit on EOF at once; 2 s spares a slow one a SIGTERM.
   */
  public static final Duration DEFAULT_CLOSE_GRACE = Duration.ofSeconds(2);

  /** Default time between terminating (SIGTERM) and killing (SIGKILL) the child and descendants. */
  public static final Duration DEFAULT_TERMINATE_GRACE = Duration.ofSeconds(2);

  /** Longest accepted grace: a child kept alive longer than this after close is an orphan. */
  public static final Duration MAX_GRACE = Duration.ofMinutes(1);

  /** Most stderr lines kept: the tail is quoted in a cause, which should stay readable. */
  public static final int MAX_STDERR_TAIL_LINES = 1000;

  /** Smallest accepted frame bound: a JSON-RPC request must fit. */
  public static final int MIN_FRAME_BYTES = 64;

  private static final ProcessTransportOptions DEFAULTS = builder().build();

  private final Framing framing;
  private final int maxFrameBytes;
  private final long maxOutboundBytes;
  private final int writeQueueHighWaterBytes;
  private final int stderrTailLines;
  private final int maxStderrLineChars;
  private final Duration closeGrace;
  private final Duration terminateGrace;

  private ProcessTransportOptions(Builder b) {
    this.framing = b.framing;
    this.maxFrameBytes = b.maxFrameBytes;
    this.maxOutboundBytes = b.maxOutboundBytes;
    this.writeQueueHighWaterBytes = b.writeQueueHighWaterBytes;
    this.stderrTailLines = b.stderrTailLines;
    this.maxStderrLineChars = b.maxStderrLineChars;
    this.closeGrace = b.closeGrace;
    this.terminateGrace = b.terminateGrace;
  }

  /** The defaults (see the class documentation). */
  public static ProcessTransportOptions defaults() {
    return DEFAULTS;
  }

  /** A builder starting from the defaults. */
  public static Builder builder() {
    return new Builder();
  }

  /** How frames travel on stdin and stdout. */
  public Framing framing() {
    return framing;
  }

  /** The largest frame read from stdout or written to stdin, in bytes. */
  public int maxFrameBytes() {
    return maxFrameBytes;
  }

  /** The bound on bytes handed to a channel and not yet written to the child's stdin. */
  public long maxOutboundBytes() {
    return maxOutboundBytes;
  }

  /** Queued stdin bytes from which a channel reports itself not writable. */
  public int writeQueueHighWaterBytes() {
    return writeQueueHighWaterBytes;
  }

  /** How many of the last stderr lines are kept for a cause. */
  public int stderrTailLines() {
    return stderrTailLines;
  }

  /** The longest stderr line kept, in characters. */
  public int maxStderrLineChars() {
    return maxStderrLineChars;
  }

  /** How long a closed child may take to exit after its stdin was closed. */
  public Duration closeGrace() {
    return closeGrace;
  }

  /** How long a terminated child (and its descendants) may take to exit before being killed. */
  public Duration terminateGrace() {
    return terminateGrace;
  }

  /** Builds {@link ProcessTransportOptions}; each setter validates its value. Not thread-safe. */
  public static final class Builder {
    private Framing framing = Framing.ndjson();
    private int maxFrameBytes = DEFAULT_MAX_FRAME_BYTES;
    private long maxOutboundBytes = DEFAULT_MAX_OUTBOUND_BYTES;
    private int writeQueueHighWaterBytes = DEFAULT_WRITE_QUEUE_HIGH_WATER_BYTES;
    private int stderrTailLines = DEFAULT_STDERR_TAIL_LINES;
    private int maxStderrLineChars = DEFAULT_MAX_STDERR_LINE_CHARS;
    private Duration closeGrace = DEFAULT_CLOSE_GRACE;
    private Duration terminateGrace = DEFAULT_TERMINATE_GRACE;

    private Builder() {}

    /** How frames travel on stdin and stdout. */
    public Builder framing(Framing framing) {
      this.framing = Objects.requireNonNull(framing, "framing");
      return this;
    }

    /**
     * The largest frame, in bytes.
     *
     * @throws IllegalArgumentException if below {@value #MIN_FRAME_BYTES}
     */
    public Builder maxFrameBytes(int maxFrameBytes) {
      if (maxFrameBytes < MIN_FRAME_BYTES) {
        throw new IllegalArgumentException(
            "maxFrameBytes must be at least " + MIN_FRAME_BYTES + ", was " + maxFrameBytes);
      }
      this.maxFrameBytes = maxFrameBytes;
      return this;
    }

    /**
     * The bound on unwritten stdin bytes.
     *
     * @throws IllegalArgumentException if not positive
     */
    public Builder maxOutboundBytes(long maxOutboundBytes) {
      if (maxOutboundBytes <= 0) {
        throw new IllegalArgumentException(
            "maxOutboundBytes must be positive, was " + maxOutboundBytes);
      }
      this.maxOutboundBytes = maxOutboundBytes;
      return this;
    }

    /**
     * Queued bytes from which a channel is not writable.
     *
     * @throws IllegalArgumentException if not positive
     */
    public Builder writeQueueHighWaterBytes(int bytes) {
      if (bytes <= 0) {
        throw new IllegalArgumentException(
            "writeQueueHighWaterBytes must be positive, was " + bytes);
      }
      this.writeQueueHighWaterBytes = bytes;
      return this;
    }

    /**
     * How many stderr lines to keep, and how long each may be.
     *
     * @throws IllegalArgumentException if {@code lines} is negative or above {@value
     *     #MAX_STDERR_TAIL_LINES}, or {@code maxLineChars} is not positive
     */
    public Builder stderrTail(int lines, int maxLineChars) {
      if (lines < 0 || lines > MAX_STDERR_TAIL_LINES) {
        throw new IllegalArgumentException(
            "stderr tail lines must be within 0.." + MAX_STDERR_TAIL_LINES + ", was " + lines);
      }
      if (maxLineChars <= 0) {
        throw new IllegalArgumentException(
            "stderr maxLineChars must be positive, was " + maxLineChars);
      }
      this.stderrTailLines = lines;
      this.maxStderrLineChars = maxLineChars;
      return this;
    }

    /**
     * How long a closed child may take to exit after its stdin was closed.
     *
     * @throws IllegalArgumentException if negative or above {@link #MAX_GRACE}
     */
    public Builder closeGrace(Duration grace) {
      this.closeGrace = checkGrace("closeGrace", grace);
      return this;
    }

    /**
     * How long a terminated child may take to exit before it is killed.
     *
     * @throws IllegalArgumentException if negative or above {@link #MAX_GRACE}
     */
    public Builder terminateGrace(Duration grace) {
      this.terminateGrace = checkGrace("terminateGrace", grace);
      return this;
    }

    /**
     * The options.
     *
     * @throws IllegalArgumentException if the high-water mark is above {@code maxOutboundBytes}
     */
    public ProcessTransportOptions build() {
      if (writeQueueHighWaterBytes > maxOutboundBytes) {
        throw new IllegalArgumentException(
            "writeQueueHighWaterBytes "
                + writeQueueHighWaterBytes
                + " exceeds maxOutboundBytes "
                + maxOutboundBytes);
      }
      return new ProcessTransportOptions(this);
    }

    private static Duration checkGrace(String option, Duration grace) {
      Objects.requireNonNull(grace, option);
      if (grace.isNegative() || grace.compareTo(MAX_GRACE) > 0) {
        throw new IllegalArgumentException(
            option + " must be within 0.." + MAX_GRACE + ", was " + grace);
      }
      return grace;
    }
  }
}
