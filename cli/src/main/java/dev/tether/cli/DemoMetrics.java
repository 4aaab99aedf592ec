package dev.tether.cli;

import dev.tether.micrometer.TetherMetrics;
import dev.tether.rpc.RpcConnection;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.PrintWriter;
import java.util.concurrent.atomic.AtomicReference;

/**
 * {@code tether demo --metrics}: the socket demo with its connection bound to a Prometheus registry
 * ({@link TetherMetrics}), and the scrape printed at the end. The binding removes its meters at the
 * terminal event, so the scrape printed is the one taken at that event, just before they go. With
 * {@code --json} the scrape is one line, {@code {"type":"metrics","prometheus":…,"metersLeft":…}}.
 */
final class DemoMetrics {
  private DemoMetrics() {}

  static int run(PrintWriter out, boolean json, long seed, PrintWriter err) {
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    AtomicReference<String> atTheEnd = new AtomicReference<>("");
    int status =
        new SocketDemo(
                new EventPrinter(out, json),
                err,
                seed,
                rpc -> {
                  // Subscribed before the binding, so it runs before the binding removes its
                  // meters.
                  rpc.subscribe(
                      e -> {
                        if (e.isTerminal()) {
                          atTheEnd.set(registry.scrape());
                        }
                      });
                  bind(registry, rpc);
                })
            .run();
    int left = registry.getMeters().size();
    if (json) {
      out.println(
          JsonLines.line("metrics").put("prometheus", atTheEnd.get()).put("metersLeft", left));
    } else {
      out.println("Prometheus scrape at the terminal event:");
      out.print(atTheEnd.get());
      out.println("meters left after the terminal event: " + left);
    }
    out.flush();
    registry.close();
    return status;
  }

  private static void bind(PrometheusMeterRegistry registry, RpcConnection rpc) {
    TetherMetrics.bind(registry, "demo", rpc);
  }
}
