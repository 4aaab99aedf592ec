package dev.tether.peer;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/**
 * The file-system steps of an atomic write, one method per step, so that tests can fail or crash
 * the store between any two of them.
 */
interface Disk {

  /** Creates {@code file} (which must not exist) with {@code bytes}, without syncing. */
  void create(Path file, byte[] bytes) throws IOException;

  /** Forces {@code file}'s content to stable storage. */
  void force(Path file) throws IOException;

  /** Renames {@code from} onto {@code to} atomically, replacing it. */
  void rename(Path from, Path to) throws IOException;

  /** Forces a directory's entries (renames, deletions) to stable storage. */
  void forceDirectory(Path dir) throws IOException;

  /** Deletes {@code file} if it exists. */
  void delete(Path file) throws IOException;

  /** The real file system. */
  Disk REAL =
      new Disk() {
        @Override
        public void create(Path file, byte[] bytes) throws IOException {
          try (FileChannel ch =
              FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            ByteBuffer buf = ByteBuffer.wrap(bytes);
            while (buf.hasRemaining()) {
              ch.write(buf);
            }
          }
        }

        @Override
        public void force(Path file) throws IOException {
          try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
            ch.force(true);
          }
        }

        @Override
        public void rename(Path from, Path to) throws IOException {
          Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        }

        @Override
        public void forceDirectory(Path dir) throws IOException {
          // POSIX: a rename is durable only once its directory is synced. Opening a directory for
          // reading works on Linux and macOS; where it does not (Windows), the OS gives no handle
          // to sync and the rename's durability is the file system's.
          FileChannel ch;
          try {
            ch = FileChannel.open(dir, StandardOpenOption.READ);
          } catch (IOException | UnsupportedOperationException e) {
            FileMetadataStore.LOG.debug(
                "cannot open directory {} to sync it: {}", dir, e.toString());
            return;
          }
          try (ch) {
            ch.force(true);
          }
        }

        @Override
        public void delete(Path file) throws IOException {
          Files.deleteIfExists(file);
        }
      };
}
