package dev.tether.stub.peer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tether.machine.Cause;
import dev.tether.runtime.spi.Channel;
import dev.tether.runtime.spi.ChannelListener;
import dev.tether.runtime.spi.Transport;
import dev.tether.stub.StubConnection;
import dev.tether.stub.StubEndpoint;
import dev.tether.stub.StubNetwork;
import dev.tether.stub.VirtualScheduler;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A peer endpoint server on a {@link StubNetwork}, scripted by the test. On every connection it
 * writes its buffered alerts (one per {@link #alertInterval}), then, after {@link #snapshotDelay},
 * its one snapshot, and only then reads; it answers each {@code notify} as {@link #reply} says.
 * Faults: {@link #closeBeforeSnapshot()}, {@link #withholdSnapshot()}, {@link Reply#SILENT}, {@link
 * Reply#CLOSE}, {@link Reply#REJECT}.
 *
 * <p>The stub endpoint has no accept hook, so the server sees new connections through its own
 * {@link #transport()}, which wraps the network's: clients must connect through it.
 *
 * <p>It records every client frame, and counts frames that arrived before its snapshot was written
 * ({@link #framesBeforeSnapshot()}): a client that keeps P1 never causes one.
 *
 * <p>Not thread-safe; used from the scheduler's thread.
 */
public final class ScriptedPeerServer {
  private static final Logger LOG = LoggerFactory.getLogger(ScriptedPeerServer.class);
  private static final ObjectMapper JSON = new ObjectMapper();

  /** Bound on buffered alerts, as a real server bounds its buffer. */
  public static final int MAX_BUFFERED_ALERTS = 1_000;

  /** How the server answers a {@code notify}. */
  public enum Reply {
    /** {@code {"event":"ack","data":{"id":…}}}. */
    ACK,
    /** {@code {"event":"error",…}} with {@link #rejectWith}'s code and message. */
    REJECT,
    /** Nothing: an older, non-confirming peer. */
    SILENT,
    /** Closes the connection without answering. */
    CLOSE
  }

  private final StubEndpoint endpoint;
  private final VirtualScheduler scheduler;
  private final Transport network;
  private final Set<StubConnection> greeted = Collections.newSetFromMap(new IdentityHashMap<>());
  private final List<String> alerts = new ArrayList<>();
  private final List<String> notifies = new ArrayList<>();
  private Duration alertInterval = Duration.ZERO;
  private Duration snapshotDelay = Duration.ZERO;
  private String snapshot = frame("snapshot", "{\"status\":\"idle\"}");
  private boolean withholdSnapshot;
  private boolean closeBeforeSnapshot;
  private Reply reply = Reply.ACK;
  private String rejectCode = "busy";
  private String rejectMessage = "try later";
  private int framesBeforeSnapshot;

  private ScriptedPeerServer(StubNetwork network, URI uri) {
    this.endpoint = network.endpoint(uri);
    this.scheduler = network.scheduler();
    this.network = network.transport();
    endpoint.onFrame(this::received);
  }

  /** A server at {@code uri} on {@code network}; it takes over the endpoint's frame handler. */
  public static ScriptedPeerServer on(StubNetwork network, String uri) {
    return new ScriptedPeerServer(network, URI.create(uri));
  }

  /** The stub endpoint, to refuse, hang or drop connections. */
  public StubEndpoint endpoint() {
    return endpoint;
  }

  /** A transport that reaches the whole network and greets connections to this server. */
  public Transport transport() {
    return this::open;
  }

  /**
   * Buffers an alert, as JSON text for its {@code data}.
   *
   * @throws IllegalArgumentException beyond {@link #MAX_BUFFERED_ALERTS} or if not a JSON object
   */
  public ScriptedPeerServer alert(String dataJson) {
    if (alerts.size() >= MAX_BUFFERED_ALERTS) {
      throw new IllegalArgumentException("more than " + MAX_BUFFERED_ALERTS + " alerts");
    }
    alerts.add(frame("alert", dataJson));
    return this;
  }

  /** Time between connect-time frames (default zero). */
  public ScriptedPeerServer alertInterval(Duration interval) {
    this.alertInterval = Objects.requireNonNull(interval, "interval");
    return this;
  }

  /** Extra time before the snapshot, after the alerts (default zero). */
  public ScriptedPeerServer snapshotDelay(Duration delay) {
    this.snapshotDelay = Objects.requireNonNull(delay, "delay");
    return this;
  }

  /** The snapshot's {@code data}, as JSON text (default {@code {"status":"idle"}}). */
  public ScriptedPeerServer snapshot(String dataJson) {
    this.snapshot = frame("snapshot", dataJson);
    return this;
  }

  /** Never sends the snapshot (and so never reads). */
  public ScriptedPeerServer withholdSnapshot() {
    this.withholdSnapshot = true;
    return this;
  }

  /** Closes each connection after its alerts, instead of sending the snapshot. */
  public ScriptedPeerServer closeBeforeSnapshot() {
    this.closeBeforeSnapshot = true;
    return this;
  }

  /** How to answer a notify (default {@link Reply#ACK}). */
  public ScriptedPeerServer reply(Reply reply) {
    this.reply = Objects.requireNonNull(reply, "reply");
    return this;
  }

  /** Sets {@link Reply#REJECT} with this code and message. */
  public ScriptedPeerServer rejectWith(String code, String message) {
    this.reply = Reply.REJECT;
    this.rejectCode = Objects.requireNonNull(code, "code");
    this.rejectMessage = Objects.requireNonNull(message, "message");
    return this;
  }

  /** The {@code params.message} of every notify received, in order. */
  public List<String> notifies() {
    return List.copyOf(notifies);
  }

  /** Client frames that arrived before this server had written its snapshot (P1 violations). */
  public int framesBeforeSnapshot() {
    return framesBeforeSnapshot;
  }

  private CompletionStage<Channel> open(URI uri, ChannelListener listener) {
    CompletionStage<Channel> opened = network.open(uri, listener);
    if (!uri.equals(endpoint.uri())) {
      return opened;
    }
    return opened.thenApply(
        ch -> {
          greet((StubConnection) ch);
          return ch;
        });
  }

  private void greet(StubConnection c) {
    Duration at = Duration.ZERO;
    for (String a : alerts) {
      scheduler.schedule(at, () -> c.push(bytes(a)));
      at = at.plus(alertInterval);
    }
    at = at.plus(snapshotDelay);
    if (closeBeforeSnapshot) {
      // After the alerts' delivery tasks, which a same-instant drop would discard.
      scheduler.schedule(
          at,
          () ->
              scheduler.execute(() -> c.drop(Cause.of(Cause.Kind.CHANNEL_CLOSED, "peer closed"))));
    } else if (!withholdSnapshot) {
      scheduler.schedule(
          at,
          () -> {
            greeted.add(c);
            c.push(bytes(snapshot));
          });
    }
  }

  private void received(StubConnection c, byte[] frame) {
    if (!greeted.contains(c)) {
      framesBeforeSnapshot++;
      LOG.warn("client wrote before the snapshot (P1 violation)");
      return;
    }
    JsonNode node;
    try {
      node = JSON.readTree(frame);
    } catch (IOException e) {
      LOG.warn("ignoring a frame that is not JSON: {}", e.getMessage());
      return;
    }
    if (!"notify".equals(node.path("method").asText())) {
      LOG.warn("ignoring a request that is not a notify: {}", node);
      return;
    }
    notifies.add(node.path("params").path("message").asText());
    answer(c, node.path("id").asText());
  }

  private void answer(StubConnection c, String id) {
    ObjectNode data = JSON.createObjectNode().put("id", id);
    switch (reply) {
      case ACK -> c.push(bytes(wrap("ack", data)));
      case REJECT ->
          c.push(bytes(wrap("error", data.put("code", rejectCode).put("message", rejectMessage))));
      case CLOSE -> c.drop(Cause.of(Cause.Kind.CHANNEL_CLOSED, "peer closed without answering"));
      case SILENT -> {}
    }
  }

  private static String frame(String event, String dataJson) {
    try {
      JsonNode data = JSON.readTree(dataJson);
      if (data == null || !data.isObject()) {
        throw new IllegalArgumentException("data must be a JSON object, was " + dataJson);
      }
      return wrap(event, data);
    } catch (IOException e) {
      throw new IllegalArgumentException("data is not JSON: " + dataJson, e);
    }
  }

  private static String wrap(String event, JsonNode data) {
    ObjectNode node = JSON.createObjectNode();
    node.put("event", event);
    node.set("data", data);
    return node.toString();
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
