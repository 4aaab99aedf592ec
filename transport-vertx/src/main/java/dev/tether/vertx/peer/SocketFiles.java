package dev.tether.vertx.peer;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Claiming and releasing a Unix socket path. Blocking: call off the event loop. */
final class SocketFiles {
  private static final Logger log = LoggerFactory.getLogger(SocketFiles.class);

  /** {@code S_IFMT} and {@code S_IFSOCK} from {@code stat(2)}. */
  private static final int TYPE_MASK = 0170000;

  private static final int TYPE_SOCKET = 0140000;

  private SocketFiles() {}

  /**
   * Makes {@code path} free to bind: nothing there, or a stale socket file (no server accepts on
   * it), which is removed.
   *
   * @throws IOException if a server accepts on it, or something other than a socket is there
   */
  static void claim(Path path) throws IOException {
    if (!Files.exists(path, LinkOption.NOFOLLOW_LINKS)) {
      return;
    }
    if (!isSocket(path)) {
      throw new FileAlreadyExistsException(
          path.toString(), null, "exists and is not a socket; remove it or choose another path");
    }
    if (accepts(path)) {
      throw new IOException(path + " is in use: a server is listening on it");
    }
    Files.deleteIfExists(path);
    log.info("removed stale socket file {} (no server was listening on it)", path);
  }

  /** Removes the socket file; a failure is logged, as the server is stopped either way. */
  static void remove(Path path) {
    try {
      Files.deleteIfExists(path);
    } catch (IOException e) {
      log.warn("cannot remove socket file {}", path, e);
    }
  }

  private static boolean isSocket(Path path) throws IOException {
    try {
      Object mode = Files.getAttribute(path, "unix:mode", LinkOption.NOFOLLOW_LINKS);
      return mode instanceof Integer m && (m & TYPE_MASK) == TYPE_SOCKET;
    } catch (UnsupportedOperationException | IllegalArgumentException e) {
      log.debug("cannot tell whether {} is a socket: {}", path, e.toString());
      return false; // unknown: never delete what might be a user's file
    }
  }

  /** Whether a server accepts connections on the socket (a Unix connect never waits). */
  private static boolean accepts(Path path) {
    try (SocketChannel probe = SocketChannel.open(StandardProtocolFamily.UNIX)) {
      probe.connect(UnixDomainSocketAddress.of(path));
      return true;
    } catch (IOException e) {
      return false; // refused: nobody listens
    }
  }
}
