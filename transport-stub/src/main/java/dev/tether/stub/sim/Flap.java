package dev.tether.stub.sim;

import java.time.Duration;

/** A flapping server: down, up, down, … every {@code periodMillis} until the window ends. */
final class Flap {
  private final Run run;
  private final SimSession session;
  private final long periodMillis;
  private final long endNanos;
  private boolean down;

  Flap(Run run, SimSession session, long periodMillis, long lengthMillis) {
    this.run = run;
    this.session = session;
    this.periodMillis = periodMillis;
    this.endNanos = run.clock.nanoTime() + Duration.ofMillis(lengthMillis).toNanos();
  }

  void start() {
    toggle();
  }

  private void toggle() {
    if (down) {
      session.comeUp();
    } else {
      session.goDown();
    }
    down = !down;
    run.check(session);
    long left = endNanos - run.clock.nanoTime();
    long period = Duration.ofMillis(periodMillis).toNanos();
    if (left > period) {
      run.clock.schedule(Duration.ofNanos(period), this::toggle);
    } else if (down) {
      run.clock.schedule(Duration.ofNanos(Math.max(0, left)), this::toggle);
    }
  }
}
