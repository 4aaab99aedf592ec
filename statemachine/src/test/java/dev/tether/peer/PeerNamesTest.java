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

  @Test
  void windowsDeviceNamesAndTrailingDotsWereAccepted() {
    List<String> bad =
        List.of(
            "CON",
            "con",
            "Con.txt",
            "prn",
            "AUX.tar.gz",
            "nul",
            "NUL.json",
            "COM1",
            "com9.log",
            "Lpt1",
            "LPT9.x",
            "a.",
            "pod..",
            "a ",
            "pod. ");
    for (String name : bad) {
      assertThat(PeerNames.isValid(name)).as(PeerNames.quote(name)).isFalse();
    }
    assertThatThrownBy(() -> PeerNames.requireValid("con.txt"))
        .hasMessageStartingWith("invalid pod name \"con.txt\": ")
        .hasMessageContaining("Windows device name CON");
    assertThatThrownBy(() -> PeerNames.requireValid("Lpt3"))
        .hasMessageContaining("Windows device name LPT3");
    assertThatThrownBy(() -> PeerNames.requireValid("pod.")).hasMessageContaining("ends with '.'");
    assertThatThrownBy(() -> PeerNames.requireValid("pod "))
        .hasMessageContaining("' ' (space) at index 3");
  }

  @Test
  void namesThatOnlyResembleDevicesAreFine() {
    for (String ok : List.of("CONS", "console", "com10", "COM0", "lpt", "nul-1", "aux_2", "a.b")) {
      assertThat(PeerNames.isValid(ok)).as(ok).isTrue();
    }
  }
}
