package dev.tether.process;

import dev.tether.machine.Cause;
import dev.tether.runtime.framing.FrameDecoder;
import dev.tether.runtime.framing.FrameSink;
import dev.tether.runtime.framing.FramingException;
import dev.tether.runtime.spi.Channel;
import dev.tether.runtime.spi.ChannelListener;
import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A channel over one child process's stdio. Four daemon threads per child, named after its pid:
 * {@code -stdout} reads and decodes frames (and stops reading while paused, so a slow consumer
 * backs the child up), {@code -stderr} drains stderr into the {@link StderrTail}, {@code -stdin}
 * writes the queued frames ({@link StdinWriter}), {@code -wait} waits for the exit and remembers
 * descendants. The channel ends once, with the first of: the child's exit (code or signal, stderr
 * tail), stdout closed while the child runs on, a framing error, a failed read or write, or {@link
 * #close()}. Every end starts the {@link Teardown}.
 *
 * <p>Thread-safe.
 */
final class ProcessChannel implements Channel {
  private static final Logger log = LoggerFactory.getLogger(ProcessChannel.class);

  private static final int READ_CHUNK_BYTES = 8192;

  /**
   * How long the exit waits for stdout and stderr to be read to their end, so that the frames and
   * last words a child wrote just before exiting are delivered and quoted before the channel ends.
   */
  static final Duration EXIT_DRAIN = Duration.ofMillis(500);

  /**
   * How long a closed stdout waits for the child to exit before it is its own cause: a child that
   * closes stdout usually exits a moment later, and its exit code says more.
   */
  static final Duration STDOUT_EOF_EXIT_WAIT = Duration.ofMillis(500);

  /** How often the waiter remembers the child's descendants (see {@link Teardown}). */
  static final Duration DESCENDANT_POLL = Duration.ofMillis(500);

  private final Process process;
  private final ChannelListener listener;
  private final ProcessTransportOptions options;
  private final FrameDecoder decoder;
  private final String description;
  private final StderrTail stderr;
  private final StdinWriter stdin;
  private final Teardown teardown;
  private final Consumer<ProcessChannel> onEnded;
  private final AtomicReference<Cause> end = new AtomicReference<>();
  private final AtomicLong skippedLines = new AtomicLong();
  private final Object readLock = new Object();
  private boolean pauseWanted; // guarded by readLock
  private volatile Thread stdoutThread;
  private volatile Thread stderrThread;

  /**
   * Wraps a started child; {@link #start()} starts its threads.
   *
   * @param onEnded runs once, after the listener was told of the end
   */
  ProcessChannel(
      Process process,
      ProcessEndpoint endpoint,
      ChannelListener listener,
      ProcessTransportOptions options,
      Consumer<ProcessChannel> onEnded) {
    this.process = process;
    this.listener = listener;
    this.options = options;
    this.onEnded = onEnded;
    this.decoder = options.framing().newDecoder(options.maxFrameBytes());
    this.description = "process " + process.pid() + " " + endpoint;
    this.stderr =
        new StderrTail(options.stderrTailLines(), options.maxStderrLineChars(), description);
    this.stdin =
        new StdinWriter(
            process.getOutputStream(),
            options.maxOutboundBytes(),
            options.writeQueueHighWaterBytes(),
            this::writabilityChanged,
            this::stdinFailed,
            description);
    this.teardown = new Teardown(process, description);
  }

  /**
   * Starts the channel's threads.
   *
   * @throws IOException if {@value Reaper#MAX_LIVE_CHILDREN} children are alive already (the child
   *     is killed)
   */
  void start() throws IOException {
    if (!Reaper.INSTANCE.register(teardown)) {
      process.destroyForcibly();
      throw new IOException(
          Reaper.MAX_LIVE_CHILDREN + " child processes are alive already; not starting another");
    }
    stdoutThread = thread("stdout", this::readStdout);
    stderrThread = thread("stderr", () -> stderr.drain(process.getErrorStream()));
    thread("stdin", stdin::run);
    thread("wait", this::awaitExit);
  }

  private Thread thread(String stream, Runnable body) {
    Thread t = new Thread(body, "tether-process-" + process.pid() + "-" + stream);
    t.setDaemon(true);
    t.start();
    return t;
  }

  @Override
  public CompletionStage<Void> send(byte[] frame) {
    Cause ended = end.get();
    if (ended != null) {
      return CompletableFuture.failedFuture(
          new IOException("channel to " + description + " is closed (" + ended + ")"));
    }
    if (frame.length > options.maxFrameBytes()) {
      return CompletableFuture.failedFuture(
          new IOException(
              "frame of "
                  + frame.length
                  + " bytes exceeds maxFrameBytes "
                  + options.maxFrameBytes()));
    }
    byte[] bytes;
    try {
      bytes = options.framing().encode(frame);
    } catch (IllegalArgumentException e) {
      return CompletableFuture.failedFuture(new IOException(e.getMessage(), e));
    }
    return stdin.enqueue(bytes);
  }

  @Override
  public boolean writable() {
    return end.get() == null && stdin.writable();
  }

  /**
   * {@inheritDoc}
   *
   * <p>Frames not yet written fail; stdin is closed (the child sees end of input) and the child has
   * {@link ProcessTransportOptions#closeGrace()} to exit before it and its descendants are
   * terminated, then killed. Returns at once: the waiting happens on the reaper's thread.
   */
  @Override
  public void close() {
    endWith(Cause.of(Cause.Kind.CHANNEL_CLOSED, "closed locally"));
  }

  /**
   * {@inheritDoc}
   *
   * <p>Completes when the {@link Teardown} that follows the channel's end is over: the child is
   * reaped and its known descendants are gone, at most {@code closeGrace + terminateGrace} (plus
   * {@link Teardown#KILL_WAIT} for a process that survives SIGKILL) after the end.
   */
  @Override
  public CompletionStage<Void> released() {
    return teardown.released();
  }

  /** {@inheritDoc} Stdout is not read until {@link #resumeReading()}; the child's writes block. */
  @Override
  public void pauseReading() {
    synchronized (readLock) {
      pauseWanted = true;
    }
  }

  @Override
  public void resumeReading() {
    synchronized (readLock) {
      pauseWanted = false;
      readLock.notifyAll();
    }
  }

  /** The child's process handle. */
  ProcessHandle handle() {
    return process.toHandle();
  }

  /** The last stderr lines, oldest first. */
  List<String> stderrTail() {
    return stderr.lines();
  }

  @Override
  public String toString() {
    return "ProcessChannel[" + description + (end.get() != null ? ", ended]" : "]");
  }

  // ------------------------------------------------------------------ the end, exactly once

  private boolean endWith(Cause cause) {
    if (!end.compareAndSet(null, cause)) {
      return false;
    }
    log.debug("{}: channel ended: {}", description, cause);
    stdin.shutdown();
    synchronized (readLock) {
      readLock.notifyAll(); // a paused reader goes on draining (and dropping) stdout
    }
    try {
      listener.onClosed(cause);
    } finally {
      onEnded.accept(this);
      teardown.start(options.closeGrace(), options.terminateGrace());
    }
    return true;
  }

  private void writabilityChanged(boolean writable) {
    if (end.get() == null) {
      listener.onWritabilityChanged(writable);
    }
  }

  private void stdinFailed(IOException e) {
    if (exitsWithin(STDOUT_EOF_EXIT_WAIT)) {
      return; // the waiter reports the exit, which says more than a broken pipe
    }
    endWith(
        Cause.of(
            Cause.Kind.CHANNEL_ERROR,
            "write to stdin of " + description + " failed: " + e.getMessage()));
  }

  // ------------------------------------------------------------------ stdout

  private void readStdout() {
    byte[] chunk = new byte[READ_CHUNK_BYTES];
    FrameSink sink = new Sink();
    try (InputStream out = process.getInputStream()) {
      // Paused before a read and again before decoding it: a read blocked when the pause came
      // keeps its bytes until the resume, so nothing from after the pause reaches the listener.
      for (int n; awaitReadable() && (n = out.read(chunk)) >= 0; ) {
        if (awaitReadable() && end.get() == null) {
          decoder.feed(chunk, 0, n, sink);
        }
      }
      stdoutClosed();
    } catch (FramingException e) {
      endWith(Cause.of(e.kind(), e.getMessage() + " on stdout of " + description));
    } catch (IOException e) {
      if (end.get() == null && !exitsWithin(STDOUT_EOF_EXIT_WAIT)) {
        endWith(
            Cause.of(
                Cause.Kind.CHANNEL_ERROR,
                "reading stdout of " + description + " failed: " + e.getMessage()));
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Blocks while reading is paused and the channel open; true to go on reading. */
  private boolean awaitReadable() throws InterruptedException {
    synchronized (readLock) {
      while (pauseWanted && end.get() == null) {
        readLock.wait();
      }
    }
    return true;
  }

  private void stdoutClosed() {
    if (end.get() != null || exitsWithin(STDOUT_EOF_EXIT_WAIT)) {
      return; // ended already, or the waiter reports the exit
    }
    endWith(
        Cause.of(
            Cause.Kind.CHANNEL_CLOSED,
            description + " closed its stdout but is still running" + stderr.describe()));
  }

  /** Where decoded frames go: to the listener while the channel is open. */
  private final class Sink implements FrameSink {
    @Override
    public void frame(byte[] frame) {
      if (end.get() == null) {
        listener.onFrame(frame);
      }
    }

    @Override
    public void skipped(String excerpt) {
      long n = skippedLines.incrementAndGet();
      if (Long.bitCount(n) == 1) { // 1, 2, 4, 8, ...: a chatty child does not flood the log
        log.warn(
            "{}: skipped {} non-frame output(s) on stdout so far, latest: {}",
            description,
            n,
            excerpt);
      }
    }
  }

  // ------------------------------------------------------------------ exit

  private void awaitExit() {
    try {
      while (!process.waitFor(DESCENDANT_POLL.toNanos(), TimeUnit.NANOSECONDS)) {
        teardown.rememberDescendants();
      }
      if (end.get() != null) {
        teardown.childExited(); // closed, and it exited within its grace: its descendants go now
      } else {
        drain(stdoutThread);
        drain(stderrThread);
        endWith(Cause.of(Cause.Kind.CHANNEL_CLOSED, exitDescription(process.exitValue())));
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private void drain(Thread reader) throws InterruptedException {
    boolean paused;
    synchronized (readLock) {
      paused = pauseWanted;
    }
    if (reader == stderrThread || !paused) {
      reader.join(EXIT_DRAIN.toMillis());
    }
  }

  private boolean exitsWithin(Duration wait) {
    try {
      return process.waitFor(wait.toNanos(), TimeUnit.NANOSECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  /** "process 12 [node, x.js] exited with code 3; stderr (...)". */
  String exitDescription(int code) {
    return description + " exited with code " + code + Signals.describe(code) + stderr.describe();
  }

  /**
   * Skipped stdout outputs so far (non-JSON lines in ndjson, empty bodies in Content-Length). For
   * tests.
   */
  long skippedOutputs() {
    return skippedLines.get();
  }

  /** Tests only: the waiter's periodic step, run now (remembers the child's descendants). */
  void rememberDescendantsNow() {
    teardown.rememberDescendants();
  }
}
