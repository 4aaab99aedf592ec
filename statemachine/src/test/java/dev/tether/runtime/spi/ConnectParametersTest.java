package dev.tether.runtime.spi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import org.junit.jupiter.api.Test;

/** The value of one attempt's parameters: validated at the edge, and never shown (R3). */
class ConnectParametersTest {
  static final String SECRET = "s3cr3t-77";

  @Test
  void toStringNamesTheParametersButShowsNoValue() {
    ConnectParameters p =
        ConnectParameters.none()
            .withHeader("Authorization", "Bearer " + SECRET)
            .withEnv("TOKEN", SECRET);
    assertThat(p)
        .hasToString("ConnectParameters[headers=[Authorization], environment=[TOKEN]]")
        .isEqualTo(
            ConnectParameters.none()
                .withHeader("Authorization", "Bearer " + SECRET)
                .withEnv("TOKEN", SECRET));
    assertThat(p.headers()).containsEntry("Authorization", "Bearer " + SECRET);
    assertThat(p.environment()).containsEntry("TOKEN", SECRET);
    assertThat(ConnectParameters.none().isEmpty()).isTrue();
    assertThat(p.isEmpty()).isFalse();
  }

  @Test
  void aHeaderReplacesOneOfTheSameNameInAnyCase() {
    ConnectParameters p =
        ConnectParameters.none()
            .withHeader("authorization", "old")
            .withHeader("Authorization", "new");
    assertThat(p.headers()).containsExactly(java.util.Map.entry("Authorization", "new"));
  }

  @Test
  void headerInjectionIsRefusedWithoutShowingTheValue() {
    assertThatThrownBy(
            () -> ConnectParameters.none().withHeader("Authorization", SECRET + "\r\nX-Evil: 1"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("Authorization")
        .hasMessageNotContaining(SECRET);
    assertThatThrownBy(() -> ConnectParameters.none().withHeader("Bad Name", "v"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("invalid HTTP header name 'Bad Name'");
    assertThatThrownBy(() -> ConnectParameters.none().withHeader("", "v"))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void invalidEnvironmentIsRefusedWithoutShowingTheValue() {
    assertThatThrownBy(() -> ConnectParameters.none().withEnv("A=B", "v"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("invalid environment variable name 'A=B'");
    assertThatThrownBy(() -> ConnectParameters.none().withEnv("TOKEN", SECRET + "\0"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("TOKEN")
        .hasMessageNotContaining(SECRET);
  }

  @Test
  void theAttemptContextRedactsItsEndpoint() {
    var ctx =
        new ConnectParametersProvider.AttemptContext(
            "c", 2, true, URI.create("ws://u:pw@h:1/ws?token=" + SECRET));
    assertThat(ctx.toString()).doesNotContain(SECRET, "pw").contains("ws://h:1/ws", "attempt=2");
  }

  @Test
  void aTransportThatKnowsNoParametersRefusesSomeAndPassesNone() {
    Transport plain = (endpoint, listener) -> new java.util.concurrent.CompletableFuture<>();
    assertThat(plain.open(URI.create("x://y"), ConnectParameters.none(), null)).isNotNull();
    assertThatThrownBy(
            () ->
                plain.open(
                    URI.create("x://y"),
                    ConnectParameters.none().withHeader("Authorization", SECRET),
                    null))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("takes no connect parameters")
        .hasMessageContaining("[Authorization]")
        .hasMessageNotContaining(SECRET);
  }
}
