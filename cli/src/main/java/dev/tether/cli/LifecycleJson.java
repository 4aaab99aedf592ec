package dev.tether.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tether.machine.BackoffPolicy;
import dev.tether.machine.Cause;
import dev.tether.machine.ConnectionState;
import dev.tether.machine.LifecycleEvent;
import java.math.BigDecimal;
import java.time.Duration;

/** Renders lifecycle events as the one-line JSON objects documented in the README. */
final class LifecycleJson {
  static final ObjectMapper MAPPER = new ObjectMapper();

  private LifecycleJson() {}

  /**
   * {@code {"type":"lifecycle","event":…,"state":…,"attempt":…,"maxAttempts":…,"delayMillis":…,
   * "epoch":…,"cause":{"kind":…,"message":…},"t":…}}; fields that do not apply to the event are
   * absent (docs/json.md). {@code maxAttempts} is 0 for unlimited, as in {@code --max-attempts}.
   *
   * @param t milliseconds since the start of the run
   */
  static ObjectNode of(LifecycleEvent e, long t) {
    ObjectNode n = JsonLines.line("lifecycle");
    n.put("event", e.name());
    n.put("state", e.state().name());
    if (e instanceof LifecycleEvent.Connecting c) {
      attempt(n, c.attempt(), c.maxAttempts(), c.delay());
      c.lastFailure().ifPresent(cause -> n.set("cause", JsonLines.cause(cause)));
    } else if (e instanceof LifecycleEvent.Reconnecting r) {
      attempt(n, r.attempt(), r.maxAttempts(), r.delay());
      n.set("cause", JsonLines.cause(r.cause()));
    } else if (e instanceof LifecycleEvent.Connected c) {
      n.put("epoch", c.epoch());
      c.endpoint().ifPresent(u -> n.put("endpoint", u));
    } else if (e instanceof LifecycleEvent.Reconnected r) {
      n.put("epoch", r.epoch());
      n.put("attempt", r.attempts());
      n.put("downtimeMillis", r.downtime().toMillis());
      r.endpoint().ifPresent(u -> n.put("endpoint", u));
    } else if (e instanceof LifecycleEvent.PermanentlyDisconnected p) {
      n.put("attempt", p.attempts());
      n.set("cause", JsonLines.cause(p.cause()));
    } else if (e instanceof LifecycleEvent.Closed c) {
      n.put("reason", c.reason());
    }
    n.put("t", t);
    return n;
  }

  /** " at ENDPOINT" for an event that names its (already redacted) endpoint; "" otherwise. */
  private static String at(java.util.Optional<String> endpoint) {
    return endpoint.map(u -> " at " + u).orElse("");
  }

  /** A readable one-line description of an event. */
  static String describe(LifecycleEvent e) {
    if (e instanceof LifecycleEvent.Connecting c) {
      return "Connecting ("
          + fraction(c.attempt(), c.maxAttempts())
          + ")"
          + delay(c.delay())
          + c.lastFailure().map(cause -> " after " + cause).orElse("");
    } else if (e instanceof LifecycleEvent.Reconnecting r) {
      return "Reconnecting ("
          + fraction(r.attempt(), r.maxAttempts())
          + ")"
          + delay(r.delay())
          + " after "
          + r.cause();
    } else if (e instanceof LifecycleEvent.Connected c) {
      return "Connected (epoch " + c.epoch() + ")" + at(c.endpoint());
    } else if (e instanceof LifecycleEvent.Reconnected r) {
      return "Reconnected (epoch "
          + r.epoch()
          + ") after "
          + r.attempts()
          + " attempt(s), down "
          + r.downtime().toMillis()
          + " ms"
          + at(r.endpoint());
    } else if (e instanceof LifecycleEvent.PermanentlyDisconnected p) {
      return "PermanentlyDisconnected " + why(p);
    } else if (e instanceof LifecycleEvent.Closed c) {
      return "Closed: " + c.reason();
    }
    throw new AssertionError("unknown event " + e);
  }

  /**
   * Why a connection ended: {@code after 5 attempt(s): OPEN_FAILED: …}; when the flap guard ended
   * it (no attempt was made after the last loss), {@code by the flap guard: FLAPPING: …}; when a
   * loss was final ({@code FATAL}, such as close code 1008), {@code at once, without a reconnect
   * attempt: FATAL: …}.
   */
  static String why(LifecycleEvent.PermanentlyDisconnected p) {
    if (p.cause().kind() == Cause.Kind.FLAPPING) {
      return "by the flap guard: " + p.cause();
    }
    return p.attempts() == 0
        ? "at once, without a reconnect attempt: " + p.cause()
        : "after " + p.attempts() + " attempt(s): " + p.cause();
  }

  /**
   * A backoff policy as a person reads it: {@code backoff 100ms x2 up to 1s, jitter 20%, 5
   * attempts, connect timeout 2s, flap guard 10 losses per 1m}; not its {@code toString()}.
   */
  static String policy(BackoffPolicy p) {
    String shape =
        p.delays().isEmpty()
            ? "backoff "
                + Durations.format(p.initialDelay())
                + " x"
                + BigDecimal.valueOf(p.multiplier()).stripTrailingZeros().toPlainString()
                + " up to "
                + Durations.format(p.delayCap())
            : "delays " + String.join(", ", p.delays().stream().map(Durations::format).toList());
    return shape
        + ", jitter "
        + Math.round(p.jitter() * 100)
        + "%, "
        + (p.maxAttempts() == ConnectionState.UNLIMITED
            ? "unlimited attempts"
            : p.maxAttempts() + " attempts")
        + ", connect timeout "
        + Durations.format(p.connectTimeout())
        + (p.hasFlapGuard()
            ? ", flap guard " + p.flapLimit() + " losses per " + Durations.format(p.flapWindow())
            : ", no flap guard");
  }

  /** {@code mm:ss.SSS} of a simulated or elapsed time. */
  static String clock(long millis) {
    return String.format(
        java.util.Locale.ROOT,
        "%02d:%02d.%03d",
        millis / 60_000,
        millis / 1000 % 60,
        millis % 1000);
  }

  private static void attempt(ObjectNode n, int attempt, int max, Duration delay) {
    n.put("attempt", attempt);
    n.put("maxAttempts", max == ConnectionState.UNLIMITED ? 0 : max);
    n.put("delayMillis", delay.toMillis());
  }

  private static String fraction(int attempt, int max) {
    return max < 0 ? Integer.toString(attempt) : attempt + "/" + max;
  }

  private static String delay(Duration d) {
    return d.isZero() ? "" : " in " + d.toMillis() + " ms";
  }
}
