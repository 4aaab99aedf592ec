package dev.tether.cli;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** {@code tether demo --metrics}: the socket demo's Prometheus scrape, taken at the end. */
class DemoMetricsTest {

  @Test
  void metricsPrintsThePrometheusScrapeOfTheOutages() {
    String out = DemoCommandTest.run(0, "demo", "--metrics", "--seed", "3");
    System.out.println(out); // the README's excerpt comes from a run like this one
    assertThat(out)
        .contains("Prometheus scrape at the terminal event:")
        .contains("tether_connection_attempts_total{connection=\"demo\",endpoint=\"dynamic\"}")
        .contains("tether_connection_reconnects_total{")
        .contains("tether_connection_downtime_seconds_count{")
        .contains("tether_rpc_events_received_total{")
        .contains("tether_rpc_bytes_in_bytes_total{")
        .contains("tether_connection_state{")
        .contains("meters left after the terminal event: 0");
    assertThat(out).containsPattern("tether_connection_reconnects_total\\{[^}]*\\} 2\\.0");
  }

  @Test
  void metricsWithTheInMemoryDemoIsAUsageError() {
    DemoCommandTest.run(TetherCli.EXIT_USAGE, "demo", "--metrics", "--in-memory");
  }
}
