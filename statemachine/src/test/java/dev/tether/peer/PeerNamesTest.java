package dev.tether.peer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class PeerNamesTest {

  @Test
  void acceptsAllowListNames() {
    for (String ok : List.of("a", "pod-1", "Pod_2.x", "a..b", "x".repeat(PeerNames.MAX_LENGTH))) {
      assertThat(PeerNames.requireValid(ok)).isEqualTo(ok);
    }
  }

  @Test
  void rejectsNamesThatCouldEscapeTheStore() {
    List<String> bad =
        List.of(
            "",
            ".",
            "..",
            ".hidden",
            "/",
            "a/b",
            "\\",
            "a\\b",
            "../x",
            "a\0b",
            "a\nb",
            "a\u007fb",
            "caf\u00e9",
            "a\u202eb",
            "\uff0e\uff0e",
            "a\u0301",
            "x".repeat(PeerNames.MAX_LENGTH + 1));
    for (String name : bad) {
      assertThat(PeerNames.isValid(name)).as(PeerNames.quote(name)).isFalse();
      assertThatThrownBy(() -> PeerNames.requireValid(name))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageStartingWith("invalid pod name \"");
    }
  }

  @Test
  void messagesNameTheProblemAndEscapeTheValue() {
    assertThatThrownBy(() -> PeerNames.requireValid("a\0b"))
        .hasMessageContaining("\"a\\u0000b\"")
        .hasMessageContaining("NUL at index 1");
    assertThatThrownBy(() -> PeerNames.requireValid("../etc"))
        .hasMessageContaining("starts with '.'");
    assertThatThrownBy(() -> PeerNames.requireValid("a/b"))
        .hasMessageContaining("'/' (path separator) at index 1");
    assertThatThrownBy(() -> PeerNames.requireValid("")).hasMessageContaining("empty");
    assertThatThrownBy(() -> PeerNames.requireValid("y".repeat(100)))
        .hasMessageContaining("longer than 64 characters (100)");
  }
}
