package dev.tether.stub;

import dev.tether.machine.Cause;
import dev.tether.runtime.spi.Channel;
import dev.tether.runtime.spi.ChannelListener;
import dev.tether.runtime.spi.Scheduler;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Consumer;

/**
 * One accepted connection on a {@link StubEndpoint}: the client's {@link Channel} and the server's
 * handle on it. Frames cross on the scheduler, never inline.
 *
 * <p>Not thread-safe; used from the scheduler's thread.
 */
public final class StubConnection implements Channel {

  /**
   * Frames the client may have sent and the server not yet read before the client's channel reports
   * itself not {@link #writable()}: a socket buffer's worth of small frames.
   */
  public static final int WRITE_BUFFER_FRAMES = 64;

  /**
   * Unread frames beyond which {@link #send} refuses a frame (fails with an {@link IOException}),
   * as a real channel refuses writes past its outbound buffer's hard limit: room for a writer that
   * ignores {@link #writable()} for a while, but bounded.
   */
  public static final int MAX_UNREAD_FRAMES = 4 * WRITE_BUFFER_FRAMES;

  /** Which side of the connection reads. */
  public enum Side {
    /** The client reads what the server {@link #push pushes}. */
    CLIENT,
    /** The server reads what the client {@link #send sends}. */
    SERVER
  }

  private final StubEndpoint endpoint;
  private final ChannelListener client;
  private final Pipe toServer;
  private final Pipe toClient;
  private boolean open = true;
  private boolean silent;
  private boolean serverStopped;
  private int stalled; // frames sent after the server stopped reading; it never will
  // The endpoint's crash-loop drop of this connection, if it was accepted during a crash loop.
  Scheduler.Cancellable crash;
  // Sends past the socket buffer while the server does not read: their stages stay pending.
  // Sized for none (it grows): few connections ever queue, and five default-sized deques per
  // connection were 2 % of the bytes the B6 simulation allocated.
  private final ArrayDeque<CompletableFuture<Void>> undrained = new ArrayDeque<>(1);

  StubConnection(StubEndpoint endpoint, ChannelListener client) {
    this.endpoint = endpoint;
    this.client = client;
    this.toServer = new Pipe(frame -> endpoint.deliverToServer(this, frame));
    this.toClient = new Pipe(client::onFrame);
  }

  /** Whether neither side has closed the connection. */
  public boolean isOpen() {
    return open;
  }

  /**
   * Makes the connection half-open: from now on frames are silently lost in both directions and
   * neither side is told. Only a heartbeat can notice; {@link #drop} and {@link #close} still work.
   */
  public void silence() {
    silent = true;
  }

  /** Whether {@link #silence()} was called. */
  public boolean isSilent() {
    return silent;
  }

  /**
   * Makes {@code reader} read slowly: from now on it takes each frame {@code perFrame} after the
   * previous one, so unread frames queue up (in order, none lost) and, when the server reads
   * slowly, the client's channel stops being {@link #writable()} once {@link #WRITE_BUFFER_FRAMES}
   * are queued. {@link Duration#ZERO} heals: the queued frames are delivered at once, in order.
   *
   * @throws IllegalArgumentException if {@code perFrame} is negative
   */
  public void slowReader(Side reader, Duration perFrame) {
    Objects.requireNonNull(reader, "reader");
    if (perFrame.isNegative()) {
      throw new IllegalArgumentException("perFrame must not be negative, was " + perFrame);
    }
    pipe(reader).rate(perFrame.toNanos());
  }

  /**
   * The server stops reading for good, its socket still open (a process that hangs, a peer stuck in
   * a loop). Frames the client sends from now on fill the socket buffer ({@link
   * #WRITE_BUFFER_FRAMES} frames unread, counting any a slow reader left; those sends complete);
   * beyond it the writes never drain: the stages {@link #send} returns stay pending, up to {@link
   * #MAX_UNREAD_FRAMES} unread frames (then sends fail at once), and fail when the connection ends.
   * Nothing tells the client; only a write timeout notices. Frames a slow reader still had queued
   * are still read.
   */
  public void stopServerReading() {
    serverStopped = true;
  }

  /** Whether {@link #stopServerReading()} was called. */
  public boolean serverStoppedReading() {
    return serverStopped;
  }

  /** Frames sent to {@code reader} that it has not read yet. */
  public int unread(Side reader) {
    return pipe(reader).unread() + (reader == Side.SERVER ? stalled : 0);
  }

  /** Whether the client's channel has paused reading (see {@link #pauseReading()}). */
  public boolean clientReadingPaused() {
    return toClient.paused;
  }

  /** Frames {@code reader} has read late, because it was reading slowly. */
  public long readLate(Side reader) {
    return pipe(reader).late;
  }

  /** Sends a frame from the server to the client. Ignored once closed or silenced. */
  public void push(byte[] frame) {
    if (open && !silent) {
      toClient.offer(frame);
    }
  }

  /** The server closes the connection (or it breaks) with {@code cause}. */
  public void drop(Cause cause) {
    if (!open) {
      return;
    }
    open = false;
    toServer.discard();
    toClient.discard();
    failUndrained();
    endpoint.closed(this);
    endpoint.scheduler().execute(() -> client.onClosed(cause));
  }

  @Override
  public CompletionStage<Void> send(byte[] frame) {
    if (!open) {
      return CompletableFuture.failedFuture(new IOException("channel closed"));
    }
    int unread = unread(Side.SERVER);
    if (unread >= MAX_UNREAD_FRAMES) {
      return CompletableFuture.failedFuture(
          new IOException("outbound buffer full: " + unread + " frames unread by the server"));
    }
    if (serverStopped) {
      return stall(unread);
    }
    if (!silent) {
      toServer.offer(frame);
    }
    return CompletableFuture.completedFuture(null);
  }

  /** Open, and fewer than {@link #WRITE_BUFFER_FRAMES} sent frames unread by the server. */
  @Override
  public boolean writable() {
    return open && unread(Side.SERVER) < WRITE_BUFFER_FRAMES;
  }

  /** A frame the stopped server will never read: in the socket buffer if it fits, else stuck. */
  private CompletionStage<Void> stall(int unread) {
    stalled++;
    if (unread < WRITE_BUFFER_FRAMES) {
      return CompletableFuture.completedFuture(null);
    }
    CompletableFuture<Void> stuck = new CompletableFuture<>();
    undrained.add(stuck);
    return stuck;
  }

  /** The connection ended: stuck writes fail, on the scheduler as a real socket reports them. */
  private void failUndrained() {
    stalled = 0;
    if (undrained.isEmpty()) {
      return;
    }
    List<CompletableFuture<Void>> stuck = List.copyOf(undrained);
    undrained.clear();
    endpoint
        .scheduler()
        .execute(
            () -> {
              IOException closed = new IOException("channel closed before the write drained");
              stuck.forEach(f -> f.completeExceptionally(closed));
            });
  }

  @Override
  public void close() {
    drop(Cause.of(Cause.Kind.CHANNEL_CLOSED, "closed locally"));
  }

  /**
   * {@inheritDoc}
   *
   * <p>Models a paused socket: frames the server pushes from now on stay with it, unread and in
   * order ({@link #unread}), and a frame already on its way is kept too, until {@link
   * #resumeReading()}. A slow reader's pace applies after the resume. Call on the scheduler's
   * thread.
   */
  @Override
  public void pauseReading() {
    toClient.pause(true);
  }

  /** {@inheritDoc} Kept frames are delivered first, in order, from a task of the scheduler. */
  @Override
  public void resumeReading() {
    toClient.pause(false);
  }

  private Pipe pipe(Side reader) {
    return reader == Side.SERVER ? toServer : toClient;
  }

  /**
   * One direction of the connection. At full speed each frame is delivered by its own task, as soon
   * as possible; while the reader is slow, frames queue and one is delivered every {@code
   * perFrameNanos}. A frame never overtakes another: while anything is queued, new frames queue
   * behind it. While paused, nothing is delivered: frames queue, and a frame whose own task runs
   * meanwhile is kept ({@code stalled}, older than anything queued) until the resume.
   */
  private final class Pipe {
    private final Consumer<byte[]> reader;
    private final ArrayDeque<byte[]> queue = new ArrayDeque<>(1); // sized as undrained is
    private final ArrayDeque<byte[]> stalled = new ArrayDeque<>(1); // reached the reader paused
    private int inFlight; // frames given a delivery task of their own, not yet run
    private boolean paused;
    private long perFrameNanos;
    private Scheduler.Cancellable pending;
    private long late;

    Pipe(Consumer<byte[]> reader) {
      this.reader = reader;
    }

    void offer(byte[] frame) {
      if (perFrameNanos == 0 && queue.isEmpty() && stalled.isEmpty() && !paused) {
        inFlight++;
        endpoint.scheduler().execute(() -> arrive(frame));
        return;
      }
      queue.add(frame);
      arm();
    }

    int unread() {
      return queue.size() + stalled.size();
    }

    void pause(boolean on) {
      paused = on;
      arm();
    }

    /** A frame's own task: delivered, unless the reader paused or older frames wait. */
    private void arrive(byte[] frame) {
      inFlight--;
      if (paused || !stalled.isEmpty()) {
        stalled.add(frame);
      } else {
        deliver(frame);
      }
      if (inFlight == 0) {
        arm(); // frames queued behind those in flight may go now
      }
    }

    void rate(long nanos) {
      perFrameNanos = nanos;
      if (pending != null) {
        pending.cancel();
        pending = null;
      }
      arm();
    }

    void discard() {
      queue.clear();
      stalled.clear();
      if (pending != null) {
        pending.cancel();
        pending = null;
      }
    }

    private void arm() {
      if (pending != null || paused || (queue.isEmpty() && stalled.isEmpty())) {
        return;
      }
      pending = endpoint.scheduler().schedule(Duration.ofNanos(perFrameNanos), this::pump);
    }

    /** Slow: the next frame. Healed: everything queued, in order. */
    private void pump() {
      pending = null;
      while (!paused && !stalled.isEmpty()) {
        deliver(stalled.poll());
      }
      if (inFlight > 0) {
        return; // the queued frames are younger: the last one in flight arms again
      }
      do {
        if (paused) {
          break;
        }
        byte[] frame = queue.poll();
        if (frame != null && deliver(frame)) {
          late++;
        }
      } while (perFrameNanos == 0 && !queue.isEmpty());
      arm();
    }

    private boolean deliver(byte[] frame) {
      if (!open || silent) {
        queue.clear(); // lost with the connection, or silently on a half-open one
        stalled.clear();
        return false;
      }
      reader.accept(frame);
      return true;
    }
  }
}
