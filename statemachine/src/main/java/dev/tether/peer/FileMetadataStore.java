package dev.tether.peer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tether.peer.spi.MetadataStore;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The default {@link MetadataStore}: one JSON file per pod under a data directory.
 *
 * <pre>
 * DIR/pods/NAME.json   {"name":"NAME","peers":["a","b"],"endpoint":"unix:///…"}
 *                      (peers sorted, unique; endpoint optional, kept by every write)
 * DIR/intent.json      the pending registration, if any
 * DIR/.lock            the inter-process lock file
 * </pre>
 *
 * <p><b>Atomic writes.</b> Every file is replaced by writing a temp file beside it ({@code
 * .tmp-*}), syncing it, renaming it over the target atomically, and syncing the directory. A crash
 * leaves the old or the new file, plus at worst a stray temp file, which {@link #open} deletes.
 *
 * <p><b>Concurrency.</b> {@link #exclusively} takes two locks in order: a {@link ReentrantLock}
 * shared by every instance in this JVM that opened the same directory (Java file locks are held per
 * process, so threads must be excluded in-process), then an exclusive {@link FileChannel#lock()} on
 * {@code DIR/.lock}, which excludes other processes and is released by the OS if the holder dies.
 * Every read-modify-write of the registry happens inside it, so concurrent registrations from
 * threads or processes are serialised and none is lost.
 *
 * <p>Thread-safe. Names are not validated here; {@link PeerRegistry} validates them first, and
 * {@link #open} and the path helpers refuse names that would leave the directory as a second guard.
 */
public final class FileMetadataStore implements MetadataStore {
  static final Logger LOG = LoggerFactory.getLogger(FileMetadataStore.class);

  /** Prefix of temp files; pod names cannot start with '.', so no pod file ever matches it. */
  static final String TEMP_PREFIX = ".tmp-";

  /** One lock per directory in this JVM, shared by all instances that opened it. */
  private static final ConcurrentMap<Path, ReentrantLock> JVM_LOCKS = new ConcurrentHashMap<>();

  private static final ObjectMapper JSON = new ObjectMapper();

  private final Path dir;
  private final Path pods;
  private final Path intent;
  private final Path lockFile;
  private final ReentrantLock jvmLock;
  private final Disk disk;

  private FileMetadataStore(Path dir, Disk disk) {
    this.dir = dir;
    this.pods = dir.resolve("pods");
    this.intent = dir.resolve("intent.json");
    this.lockFile = dir.resolve(".lock");
    this.jvmLock = JVM_LOCKS.computeIfAbsent(dir, d -> new ReentrantLock());
    this.disk = disk;
  }

  /**
   * Opens (creating if needed) the store in {@code dir} and deletes temp files a crash left behind.
   * Recovery of an unfinished registration is {@link PeerRegistry#open}'s job.
   *
   * @throws IOException if the directory cannot be created or read
   */
  public static FileMetadataStore open(Path dir) throws IOException {
    return open(dir, Disk.REAL);
  }

  static FileMetadataStore open(Path dir, Disk disk) throws IOException {
    Objects.requireNonNull(dir, "dir");
    Files.createDirectories(dir.resolve("pods"));
    FileMetadataStore store = new FileMetadataStore(dir.toRealPath(), disk);
    store.exclusively(
        () -> {
          store.deleteTempFiles(store.dir);
          store.deleteTempFiles(store.pods);
          return null;
        });
    return store;
  }

  /** The data directory (its real path). */
  public Path directory() {
    return dir;
  }

  @Override
  public Optional<List<String>> peers(String pod) throws IOException {
    Optional<JsonNode> node = record(pod);
    if (node.isEmpty()) {
      return Optional.empty();
    }
    return Optional.of(sortedUnique(podFile(pod), node.get().path("peers")));
  }

  @Override
  public Optional<URI> endpoint(String pod) throws IOException {
    Optional<JsonNode> node = record(pod);
    JsonNode endpoint = node.isEmpty() ? null : node.get().get("endpoint");
    if (endpoint == null || endpoint.isNull()) {
      return Optional.empty();
    }
    return Optional.of(uri(podFile(pod), endpoint));
  }

  @Override
  public void writeEndpoint(String pod, URI endpoint) throws IOException {
    Objects.requireNonNull(endpoint, "endpoint");
    List<String> peers =
        peers(pod).orElseThrow(() -> new IOException("no record for pod \"" + pod + "\""));
    atomicWrite(podFile(pod), podNode(pod, peers, Optional.of(endpoint)));
  }

  /** The pod's record, checked for a name and a peer list; empty if it has none. */
  private Optional<JsonNode> record(String pod) throws IOException {
    Path file = podFile(pod);
    byte[] bytes;
    try {
      bytes = Files.readAllBytes(file);
    } catch (NoSuchFileException e) {
      return Optional.empty();
    }
    JsonNode node = parse(file, bytes);
    if (!pod.equals(node.path("name").asText(null)) || !node.path("peers").isArray()) {
      throw new IOException("corrupt pod record " + file + ": expected name and peers");
    }
    return Optional.of(node);
  }

  @Override
  public void create(String pod) throws IOException {
    if (peers(pod).isEmpty()) {
      writePeers(pod, List.of());
    }
  }

  @Override
  public void writePeers(String pod, List<String> peers) throws IOException {
    atomicWrite(podFile(pod), podNode(pod, peers, endpoint(pod)));
  }

  private static ObjectNode podNode(String pod, List<String> peers, Optional<URI> endpoint) {
    ObjectNode node = JSON.createObjectNode();
    node.put("name", pod);
    ArrayNode array = node.putArray("peers");
    new TreeSet<>(peers).forEach(array::add);
    endpoint.ifPresent(e -> node.put("endpoint", e.toString()));
    return node;
  }

  @Override
  public List<String> pods() throws IOException {
    List<String> names = new ArrayList<>();
    try (DirectoryStream<Path> files = Files.newDirectoryStream(pods, "*.json")) {
      for (Path f : files) {
        String file = f.getFileName().toString();
        String name = file.substring(0, file.length() - ".json".length());
        if (PeerNames.isValid(name)) {
          names.add(name);
        }
      }
    }
    names.sort(null);
    return names;
  }

  @Override
  public Optional<Intent> readIntent() throws IOException {
    byte[] bytes;
    try {
      bytes = Files.readAllBytes(intent);
    } catch (NoSuchFileException e) {
      return Optional.empty();
    }
    JsonNode node = parse(intent, bytes);
    String source = node.path("source").asText(null);
    String target = node.path("target").asText(null);
    if (source == null || target == null) {
      throw new IOException("corrupt intent journal " + intent + ": expected source and target");
    }
    JsonNode consent = node.get("consentEndpoint");
    return Optional.of(
        new Intent(
            source,
            target,
            sortedUnique(intent, node.path("sourcePrior")),
            sortedUnique(intent, node.path("targetPrior")),
            consent == null || consent.isNull()
                ? Optional.empty()
                : Optional.of(uri(intent, consent))));
  }

  @Override
  public void writeIntent(Intent value) throws IOException {
    ObjectNode node = JSON.createObjectNode();
    node.put("source", value.source());
    node.put("target", value.target());
    value.sourcePrior().forEach(node.putArray("sourcePrior")::add);
    value.targetPrior().forEach(node.putArray("targetPrior")::add);
    value.consentEndpoint().ifPresent(e -> node.put("consentEndpoint", e.toString()));
    atomicWrite(intent, node);
  }

  @Override
  public void clearIntent() throws IOException {
    if (Files.exists(intent)) {
      disk.delete(intent);
      disk.forceDirectory(dir);
    }
  }

  @Override
  public <T> T exclusively(IoAction<T> action) throws IOException {
    jvmLock.lock();
    try {
      if (jvmLock.getHoldCount() > 1) {
        return action.run(); // the file lock is already ours
      }
      try (FileChannel ch =
              FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
          FileLock held = ch.lock()) {
        if (!held.isValid()) {
          throw new IOException("lost the lock on " + lockFile);
        }
        return action.run();
      }
    } finally {
      jvmLock.unlock();
    }
  }

  @Override
  public String toString() {
    return "FileMetadataStore[" + dir + "]";
  }

  private Path podFile(String pod) {
    Path file = pods.resolve(pod + ".json").normalize();
    // Second guard behind PeerNames: whatever a name holds, the file stays in pods/.
    if (!Objects.equals(file.getParent(), pods)) {
      throw new IllegalArgumentException(
          "invalid pod name " + PeerNames.quote(pod) + ": escapes the store");
    }
    return file;
  }

  private void atomicWrite(Path target, JsonNode node) throws IOException {
    byte[] bytes = JSON.writeValueAsString(node).getBytes(StandardCharsets.UTF_8);
    Path parent = target.getParent();
    Path temp = parent.resolve(TEMP_PREFIX + UUID.randomUUID() + ".json");
    try {
      disk.create(temp, bytes);
      disk.force(temp);
      disk.rename(temp, target);
    } catch (IOException | RuntimeException e) {
      try {
        disk.delete(temp);
      } catch (IOException | RuntimeException suppressed) {
        e.addSuppressed(suppressed);
      }
      throw e;
    }
    disk.forceDirectory(parent);
  }

  private void deleteTempFiles(Path in) throws IOException {
    try (DirectoryStream<Path> files = Files.newDirectoryStream(in, TEMP_PREFIX + "*")) {
      for (Path f : files) {
        LOG.info("deleting temp file {} left by an interrupted write", f);
        Files.deleteIfExists(f);
      }
    }
  }

  private static JsonNode parse(Path file, byte[] bytes) throws IOException {
    try {
      JsonNode node = JSON.readTree(bytes);
      if (node == null || !node.isObject()) {
        throw new IOException("corrupt file " + file + ": not a JSON object");
      }
      return node;
    } catch (com.fasterxml.jackson.core.JacksonException e) {
      throw new IOException("corrupt file " + file + ": " + e.getOriginalMessage(), e);
    }
  }

  private static URI uri(Path file, JsonNode text) throws IOException {
    if (!text.isTextual()) {
      throw new IOException("corrupt file " + file + ": an endpoint must be a string");
    }
    try {
      return new URI(text.asText());
    } catch (URISyntaxException e) {
      throw new IOException("corrupt file " + file + ": invalid endpoint: " + e.getMessage(), e);
    }
  }

  private static List<String> sortedUnique(Path file, JsonNode array) throws IOException {
    if (!array.isArray()) {
      throw new IOException("corrupt file " + file + ": expected an array of names");
    }
    TreeSet<String> names = new TreeSet<>();
    for (JsonNode n : array) {
      if (!n.isTextual() || !PeerNames.isValid(n.asText())) {
        throw new IOException("corrupt file " + file + ": invalid peer name " + n);
      }
      names.add(n.asText());
    }
    return List.copyOf(names);
  }
}
