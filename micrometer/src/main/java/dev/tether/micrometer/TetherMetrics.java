package dev.tether.micrometer;

import dev.tether.machine.ConnectionState;
import dev.tether.machine.LifecycleEvent;
import dev.tether.rpc.ConnectionStats;
import dev.tether.rpc.RequestListener;
import dev.tether.rpc.RpcConnection;
import dev.tether.runtime.Connection;
import dev.tether.runtime.spi.EndpointResolver;
import dev.tether.session.Session;
import dev.tether.session.SessionsRuntime;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import java.net.URI;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.ToDoubleFunction;
import java.util.function.ToLongFunction;

/**
 * Binds Tether to a Micrometer {@link MeterRegistry}. Meters are named in Micrometer's dotted
 * convention ({@code tether.connection.*}, {@code tether.rpc.*}, {@code tether.sessions*}; a
 * Prometheus registry renders {@code tether_connection_attempts_total}) and tagged {@code
 * connection} (the name given) and {@code endpoint} (without user information, query or fragment,
 * R3; {@code dynamic} when an endpoint resolver picks it per attempt).
 *
 * <table>
 *   <caption>Meters</caption>
 *   <tr><th>meter</th><th>type</th><th>what</th></tr>
 *   <tr><td>tether.connection.state</td><td>gauge, tag state</td><td>1 for the current state, 0
 *       for the others</td></tr>
 *   <tr><td>tether.connection.attempts</td><td>counter</td><td>connect attempts (each {@code
 *       Connecting} and {@code Reconnecting} event)</td></tr>
 *   <tr><td>tether.connection.reconnects</td><td>counter</td><td>{@code Reconnected}
 *       events</td></tr>
 *   <tr><td>tether.connection.downtime</td><td>timer</td><td>each outage, from the loss to {@code
 *       Reconnected}</td></tr>
 *   <tr><td>tether.rpc.requests</td><td>timer, tag outcome</td><td>the latency of the caller's
 *       requests, by outcome: success, remote_error, timeout, connection_lost, send_failed,
 *       not_connected, rejected</td></tr>
 *   <tr><td>tether.rpc.requests.in.flight</td><td>gauge</td><td>the caller's requests awaiting an
 *       answer</td></tr>
 *   <tr><td>tether.rpc.events.received, .dropped</td><td>counters</td><td>stream events</td></tr>
 *   <tr><td>tether.rpc.heartbeat.misses</td><td>counter</td><td>unanswered probes</td></tr>
 *   <tr><td>tether.rpc.frames.in, .out</td><td>counters</td><td>frames</td></tr>
 *   <tr><td>tether.rpc.bytes.in, .out</td><td>counters, bytes</td><td>bytes</td></tr>
 *   <tr><td>tether.sessions</td><td>gauge, tag state</td><td>sessions per state</td></tr>
 * </table>
 *
 * <p>A connection's (and an RPC connection's) meters are removed at its terminal event; bind before
 * {@code start()}, since binding counts the event it replays. Thread-safe.
 */
public final class TetherMetrics {
  /** The {@code state} tag values, in the order of the state machine. */
  static final List<String> STATES =
      List.of(
          "idle", "connecting", "connected", "reconnecting", "permanently_disconnected", "closed");

  private TetherMetrics() {}

  /**
   * Binds a connection's lifecycle meters ({@code tether.connection.*}).
   *
   * @param name the {@code connection} tag
   */
  public static MetricsBinding bind(MeterRegistry registry, String name, Connection connection) {
    Objects.requireNonNull(connection, "connection");
    MetricsBinding binding = new MetricsBinding(Objects.requireNonNull(registry, "registry"));
    bindLifecycle(binding, registry, tags(name, connection), connection);
    return binding;
  }

  /**
   * Binds an RPC connection: its connection's meters, and {@code tether.rpc.*}.
   *
   * @param name the {@code connection} tag
   */
  public static MetricsBinding bind(MeterRegistry registry, String name, RpcConnection rpc) {
    Objects.requireNonNull(rpc, "rpc");
    MetricsBinding binding = new MetricsBinding(Objects.requireNonNull(registry, "registry"));
    Tags tags = tags(name, rpc.connection());
    bindRpc(binding, registry, tags, rpc);
    bindLifecycle(binding, registry, tags, rpc.connection());
    return binding;
  }

  /**
   * Binds a sessions runtime: {@code tether.sessions} per state. Close the binding to remove it.
   *
   * @param name the {@code runtime} tag
   */
  public static MetricsBinding bind(MeterRegistry registry, String name, SessionsRuntime sessions) {
    Objects.requireNonNull(sessions, "sessions");
    Objects.requireNonNull(name, "name");
    MetricsBinding binding = new MetricsBinding(Objects.requireNonNull(registry, "registry"));
    for (String state : STATES) {
      binding.add(
          Gauge.builder("tether.sessions", sessions, s -> countIn(s, state))
              .tags("runtime", name, "state", state)
              .description("sessions in this state")
              .strongReference(true)
              .register(registry));
    }
    return binding;
  }

  private static long countIn(SessionsRuntime sessions, String state) {
    long n = 0;
    for (Session s : sessions.snapshot().sessions()) {
      if (stateName(s.status()).equals(state)) {
        n++;
      }
    }
    return n;
  }

  private static void bindLifecycle(
      MetricsBinding binding, MeterRegistry registry, Tags tags, Connection connection) {
    for (String state : STATES) {
      binding.add(
          Gauge.builder(
                  "tether.connection.state",
                  connection,
                  c -> stateName(c.state()).equals(state) ? 1 : 0)
              .tags(tags)
              .tag("state", state)
              .description("1 for the connection's current state")
              .strongReference(true)
              .register(registry));
    }
    Counter attempts =
        binding.add(
            Counter.builder("tether.connection.attempts")
                .tags(tags)
                .description("connect attempts")
                .register(registry));
    Counter reconnects =
        binding.add(
            Counter.builder("tether.connection.reconnects")
                .tags(tags)
                .description("Reconnected events")
                .register(registry));
    Timer downtime =
        binding.add(
            Timer.builder("tether.connection.downtime")
                .tags(tags)
                .description("outages, from the loss of the channel to Reconnected")
                .register(registry));
    binding.onClose(
        connection.subscribe(
            event -> {
              if (event instanceof LifecycleEvent.Connecting
                  || event instanceof LifecycleEvent.Reconnecting) {
                attempts.increment();
              } else if (event instanceof LifecycleEvent.Reconnected r) {
                reconnects.increment();
                downtime.record(r.downtime());
              } else if (event.isTerminal()) {
                binding.close(); // nothing leaks: the meters go with the connection
              }
            }));
  }

  private static void bindRpc(
      MetricsBinding binding, MeterRegistry registry, Tags tags, RpcConnection rpc) {
    binding.add(
        Gauge.builder(
                "tether.rpc.requests.in.flight",
                rpc,
                r -> (double) (r.stats().inFlight() - r.stats().internalInFlight()))
            .tags(tags)
            .description("the caller's requests awaiting an answer")
            .strongReference(true)
            .register(registry));
    counter(
        binding, registry, tags, rpc, "tether.rpc.events.received", null, s -> s.eventsReceived());
    counter(
        binding, registry, tags, rpc, "tether.rpc.events.dropped", null, s -> s.eventsDropped());
    counter(
        binding,
        registry,
        tags,
        rpc,
        "tether.rpc.heartbeat.misses",
        null,
        s -> s.heartbeatMisses());
    counter(binding, registry, tags, rpc, "tether.rpc.frames.in", null, s -> s.framesIn());
    counter(binding, registry, tags, rpc, "tether.rpc.frames.out", null, s -> s.framesOut());
    counter(binding, registry, tags, rpc, "tether.rpc.bytes.in", "bytes", s -> s.bytesIn());
    counter(binding, registry, tags, rpc, "tether.rpc.bytes.out", "bytes", s -> s.bytesOut());
    Map<String, Timer> latency = new ConcurrentHashMap<>(); // one timer per outcome seen
    binding.onClose(
        rpc.observeRequests(
            request -> {
              if (request.internal()) {
                return; // the connection's own (subscriptions, probes): not the caller's latency
              }
              latency
                  .computeIfAbsent(outcome(request), o -> requestTimer(binding, registry, tags, o))
                  .record(request.latency());
            }));
  }

  private static String outcome(RequestListener.Settled request) {
    return request.failure().map(kind -> kind.name().toLowerCase(Locale.ROOT)).orElse("success");
  }

  private static Timer requestTimer(
      MetricsBinding binding, MeterRegistry registry, Tags tags, String outcome) {
    return binding.add(
        Timer.builder("tether.rpc.requests")
            .tags(tags)
            .tag("outcome", outcome)
            .description("request latency, by outcome")
            .register(registry));
  }

  private static void counter(
      MetricsBinding binding,
      MeterRegistry registry,
      Tags tags,
      RpcConnection rpc,
      String name,
      String unit,
      ToLongFunction<ConnectionStats> value) {
    ToDoubleFunction<RpcConnection> read = r -> value.applyAsLong(r.stats());
    binding.add(
        FunctionCounter.builder(name, rpc, read).tags(tags).baseUnit(unit).register(registry));
  }

  static Tags tags(String name, Connection connection) {
    Objects.requireNonNull(name, "name");
    URI endpoint = connection.endpoint();
    return Tags.of(
        "connection",
        name,
        "endpoint",
        endpoint == null ? "dynamic" : EndpointResolver.redact(endpoint).toString());
  }

  static String stateName(ConnectionState state) {
    if (state instanceof ConnectionState.Idle) {
      return "idle";
    } else if (state instanceof ConnectionState.Connecting) {
      return "connecting";
    } else if (state instanceof ConnectionState.Connected) {
      return "connected";
    } else if (state instanceof ConnectionState.Reconnecting) {
      return "reconnecting";
    } else if (state instanceof ConnectionState.PermanentlyDisconnected) {
      return "permanently_disconnected";
    }
    return "closed";
  }
}
