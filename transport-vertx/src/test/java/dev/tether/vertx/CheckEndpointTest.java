package dev.tether.vertx;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import org.junit.jupiter.api.Test;

/** {@link VertxTransport#checkEndpoint}: the public check of what the transport can open. */
class CheckEndpointTest {
  @Test
  void acceptsEverySupportedSchemeAndReturnsTheSameUri() {
    for (String s :
        new String[] {
          "ws://127.0.0.1:8181/ws",
          "wss://example.org/ws",
          "tcp://127.0.0.1:7777",
          "unix:///tmp/a.sock"
        }) {
      URI uri = URI.create(s);
      assertThat(VertxTransport.checkEndpoint(uri)).isSameAs(uri);
    }
  }

  @Test
  void refusesAnUnsupportedSchemeOrAMissingPartByName() {
    assertThatThrownBy(() -> VertxTransport.checkEndpoint(URI.create("http://127.0.0.1:80/")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("http");
    assertThatThrownBy(() -> VertxTransport.checkEndpoint(URI.create("tcp://127.0.0.1")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("port");
  }
}
