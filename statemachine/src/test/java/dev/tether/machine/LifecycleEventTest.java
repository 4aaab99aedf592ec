package dev.tether.machine;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class LifecycleEventTest {
  static final Cause LOST = Cause.of(Cause.Kind.CHANNEL_CLOSED, "lost");

  @Test
  void isTerminalAgreesWithTheStateTheEventEnters() {
    List<LifecycleEvent> every =
        List.of(
            new LifecycleEvent.Connecting(1, 10, Duration.ZERO, Optional.empty()),
            new LifecycleEvent.Connected(1),
            new LifecycleEvent.Reconnecting(1, 10, Duration.ofMillis(100), LOST),
            new LifecycleEvent.Reconnected(2, 1, Duration.ofMillis(5)),
            new LifecycleEvent.PermanentlyDisconnected(LOST, 10),
            new LifecycleEvent.Closed("done"));
    assertThat(every)
        .allSatisfy(e -> assertThat(e.isTerminal()).as(e.name()).isEqualTo(e.state().isTerminal()));
    assertThat(every).filteredOn(LifecycleEvent::isTerminal).hasSize(2);
  }
}
