package dev.tether.peer;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tether.machine.Cause;
import dev.tether.peer.SendOutcome.Phase;
import dev.tether.runtime.spi.Channel;
import dev.tether.runtime.spi.ChannelListener;
import dev.tether.runtime.spi.Scheduler;
import dev.tether.runtime.spi.Transport;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One connect-and-send (or probe) attempt. Every field is confined to the scheduler's context:
 * transport callbacks, which may come from any thread, are moved onto it first.
 */
final class SendAttempt implements ChannelListener {
  private static final Logger LOG = LoggerFactory.getLogger(SendAttempt.class);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final AtomicLong IDS = new AtomicLong();

  /**
   * Where the attempt is. Frames may arrive before the open completes, so DRAINING has no channel
   * yet.
   */
  private enum Stage {
    CONNECTING,
    DRAINING,
    CONFIRMING,
    DONE
  }

  private final Transport transport;
  private final Scheduler scheduler;
  private final URI endpoint;
  private final String method; // null for a probe
  private final ObjectNode params; // null for a probe
  private final SendOptions options;
  private final String id = Long.toString(IDS.incrementAndGet());
  private final CompletableFuture<SendOutcome> outcome = new CompletableFuture<>();
  private CompletableFuture<ProbeResult> probe;
  private final List<String> alerts = new ArrayList<>();
  private int droppedAlerts;
  private JsonNode snapshot;
  private Channel channel;
  private Stage stage = Stage.CONNECTING;
  private Scheduler.Cancellable timer = () -> false;

  /** A probe ({@code method == null}) or a request with {@code params}. */
  SendAttempt(
      Transport transport,
      Scheduler scheduler,
      URI endpoint,
      String method,
      ObjectNode params,
      SendOptions options) {
    this.transport = transport;
    this.scheduler = scheduler;
    this.endpoint = endpoint;
    this.method = method;
    this.params = params;
    this.options = options;
  }

  /** A {@code notify} carrying {@code message}. */
  static ObjectNode notifyParams(String message) {
    return JSON.createObjectNode().put("message", message);
  }

  /** Empty params, for callers that build their own. */
  static ObjectNode newParams() {
    return JSON.createObjectNode();
  }

  CompletableFuture<SendOutcome> outcome() {
    return outcome;
  }

  CompletableFuture<ProbeResult> probeResult() {
    probe = new CompletableFuture<>();
    return probe;
  }

  /**
   * Starts the open on the caller's thread, so an unsupported scheme throws to the caller before
   * anything is scheduled. Frames may be handled before the connect timer is armed; every frame
   * re-arms, replaces or ends the timing, so none is left unbounded.
   */
  void start() {
    CompletionStage<Channel> opening = transport.open(endpoint, this);
    scheduler.execute(
        () -> {
          if (stage == Stage.CONNECTING) {
            arm(options.connectTimeout(), Phase.CONNECT);
          }
        });
    opening.whenComplete((ch, err) -> scheduler.execute(() -> opened(ch, err)));
  }

  @Override
  public void onFrame(byte[] frame) {
    scheduler.execute(() -> frame(frame));
  }

  @Override
  public void onClosed(Cause cause) {
    scheduler.execute(() -> closed(cause));
  }

  /**
   * The attempt's overall limit {@code limit} passed: before the write it timed out; after it, the
   * request stays unconfirmed. Either way nothing is written after this.
   */
  void deadline(Duration limit) {
    if (stage == Stage.DONE) {
      return;
    }
    if (stage == Stage.CONFIRMING) {
      finish(new SendOutcome.WrittenUnconfirmed(traffic(), limit));
      return;
    }
    Phase phase = stage == Stage.CONNECTING ? Phase.CONNECT : Phase.SNAPSHOT;
    finish(new SendOutcome.TimedOut(phase, limit));
  }

  private void opened(Channel ch, Throwable err) {
    if (stage == Stage.DONE) {
      if (ch != null) {
        ch.close(); // abandoned: timed out or closed meanwhile
      }
      return;
    }
    if (err != null) {
      finish(new SendOutcome.Refused(describe(err)));
      return;
    }
    channel = ch;
    if (stage == Stage.CONNECTING) {
      stage = Stage.DRAINING;
      arm(options.readTimeout(), Phase.SNAPSHOT);
    } else if (snapshot != null) {
      afterSnapshot();
    }
  }

  private void frame(byte[] bytes) {
    if (stage == Stage.DONE) {
      return;
    }
    if (stage == Stage.CONNECTING) {
      stage = Stage.DRAINING; // the peer is talking, so the connection is open
    }
    JsonNode node;
    try {
      node = JSON.readTree(bytes);
    } catch (java.io.IOException e) {
      finish(new SendOutcome.ProtocolViolation("not JSON: " + detail(e)));
      return;
    }
    if (node == null || !node.isObject()) {
      finish(new SendOutcome.ProtocolViolation("frame is not a JSON object"));
      return;
    }
    String event = node.path("event").asText("");
    if (snapshot == null) {
      connectTimeFrame(event, node.path("data"));
    } else {
      reply(event, node.path("data"));
    }
  }

  private void connectTimeFrame(String event, JsonNode data) {
    if ("alert".equals(event)) {
      if (alerts.size() < PeerClient.MAX_KEPT_ALERTS) {
        alerts.add(data.toString());
      } else if (droppedAlerts++ == 0) {
        LOG.warn(
            "{}: more than {} alerts; dropping the rest", endpoint, PeerClient.MAX_KEPT_ALERTS);
      }
      arm(options.readTimeout(), Phase.SNAPSHOT);
    } else if ("snapshot".equals(event)) {
      snapshot = data;
      afterSnapshot();
    } else {
      finish(
          new SendOutcome.ProtocolViolation(
              "expected an alert or the snapshot, got event \"" + event + "\""));
    }
  }

  private void reply(String event, JsonNode data) {
    boolean ours = id.equals(data.path("id").asText(null));
    if ("ack".equals(event) && ours) {
      finish(new SendOutcome.Delivered(traffic()));
    } else if ("error".equals(event) && ours) {
      finish(
          new SendOutcome.Rejected(
              data.path("code").asText("unknown"), data.path("message").asText("")));
    } else if ("snapshot".equals(event)) {
      finish(new SendOutcome.ProtocolViolation("a second snapshot"));
    } else {
      LOG.debug("{}: ignoring event \"{}\" after the snapshot", endpoint, event);
    }
  }

  private void afterSnapshot() {
    timer.cancel();
    if (method == null) {
      finishProbe();
    } else if (channel != null) {
      writeRequest();
    }
    // else: the open's completion is still on its way; opened() writes then.
  }

  private void writeRequest() {
    stage = Stage.CONFIRMING;
    ObjectNode request = JSON.createObjectNode();
    request.put("method", method);
    request.put("id", id);
    request.set("params", params);
    byte[] bytes = request.toString().getBytes(StandardCharsets.UTF_8);
    arm(options.confirmTimeout(), null);
    channel
        .send(bytes)
        .whenComplete(
            (v, err) -> {
              if (err != null) {
                scheduler.execute(
                    () ->
                        finish(
                            new SendOutcome.ClosedBeforeConfirmation(
                                "write failed: " + describe(err))));
              }
            });
  }

  private void closed(Cause cause) {
    if (stage == Stage.DONE) {
      return;
    }
    if (stage == Stage.CONFIRMING) {
      finish(new SendOutcome.ClosedBeforeConfirmation(cause.toString()));
    } else {
      finish(new SendOutcome.ClosedBeforeSnapshot(alerts.size() + droppedAlerts, cause.toString()));
    }
  }

  /** Restarts the phase timer; {@code phase == null} is the confirmation wait. */
  private void arm(Duration limit, Phase phase) {
    timer.cancel();
    Stage armedIn = stage;
    int alertsAtArm = alerts.size() + droppedAlerts;
    timer =
        scheduler.schedule(
            limit,
            () -> {
              boolean stale = stage != armedIn || alerts.size() + droppedAlerts != alertsAtArm;
              if (stale || stage == Stage.DONE) {
                return; // superseded; a cancelled task may still run on some schedulers
              }
              finish(
                  phase == null
                      ? new SendOutcome.WrittenUnconfirmed(traffic(), limit)
                      : new SendOutcome.TimedOut(phase, limit));
            });
  }

  private ConnectTraffic traffic() {
    return new ConnectTraffic(alerts, droppedAlerts, snapshot.toString());
  }

  private void finishProbe() {
    JsonNode status = snapshot.path("status");
    Optional<String> text =
        status.isMissingNode() || status.isNull()
            ? Optional.empty()
            : Optional.of(status.isTextual() ? status.asText() : status.toString());
    end();
    probe.complete(new ProbeResult(true, text, ""));
  }

  private void finish(SendOutcome result) {
    if (stage == Stage.DONE) {
      return;
    }
    end();
    outcome.complete(result);
    if (probe != null && result instanceof SendOutcome.Failed failed) {
      probe.complete(new ProbeResult(false, Optional.empty(), failed.reason()));
    }
  }

  private void end() {
    stage = Stage.DONE;
    timer.cancel();
    if (channel != null) {
      channel.close();
    }
  }

  private static String describe(Throwable err) {
    Throwable t =
        err instanceof CompletionException && err.getCause() != null ? err.getCause() : err;
    return t.getMessage() != null ? t.getMessage() : t.getClass().getSimpleName();
  }

  private static String detail(java.io.IOException e) {
    return e instanceof JacksonException je ? je.getOriginalMessage() : e.toString();
  }
}
