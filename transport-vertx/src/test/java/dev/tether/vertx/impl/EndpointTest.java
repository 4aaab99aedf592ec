package dev.tether.vertx.impl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import org.junit.jupiter.api.Test;

class EndpointTest {

  @Test
  void webSocketKeepsPathAndQueryAndDefaultsPort() {
    Endpoint ws = Endpoint.parse(URI.create("ws://127.0.0.1/vm/ws?token=a%20b"));
    assertThat(ws.kind()).isEqualTo(Endpoint.Kind.WS);
    assertThat(ws.port()).isEqualTo(80);
    assertThat(ws.path()).isEqualTo("/vm/ws?token=a%20b");
    assertThat(Endpoint.parse(URI.create("wss://example.test")).port()).isEqualTo(443);
    assertThat(Endpoint.parse(URI.create("wss://example.test")).path()).isEqualTo("/");
  }

  @Test
  void ipv6HostLosesItsBrackets() {
    Endpoint tcp = Endpoint.parse(URI.create("tcp://[::1]:7000"));
    assertThat(tcp.host()).isEqualTo("::1");
    assertThat(tcp.address()).isEqualTo("[::1]:7000");
  }

  @Test
  void unixTakesTheAbsolutePath() {
    Endpoint unix = Endpoint.parse(URI.create("unix:///run/tether/peer.sock"));
    assertThat(unix.kind()).isEqualTo(Endpoint.Kind.UNIX);
    assertThat(unix.path()).isEqualTo("/run/tether/peer.sock");
  }

  @Test
  void unsupportedSchemeIsNamed() {
    assertThatThrownBy(() -> Endpoint.parse(URI.create("http://127.0.0.1:80/")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("unsupported scheme 'http'")
        .hasMessageContaining("ws://");
  }

  @Test
  void missingPartsAreRejected() {
    assertThatThrownBy(() -> Endpoint.parse(URI.create("tcp://127.0.0.1")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("needs a port");
    assertThatThrownBy(() -> Endpoint.parse(URI.create("unix://host/x.sock")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("unix:///absolute/path");
    assertThatThrownBy(() -> Endpoint.parse(URI.create("tcp://127.0.0.1:70000")))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
