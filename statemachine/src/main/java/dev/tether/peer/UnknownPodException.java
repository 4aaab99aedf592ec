package dev.tether.peer;

import java.io.IOException;

/** A registry operation named a pod that has no record in the store. */
public final class UnknownPodException extends IOException {
  private static final long serialVersionUID = 1L;

  private final String pod;

  UnknownPodException(String pod) {
    super("unknown pod \"" + pod + "\": add it first");
    this.pod = pod;
  }

  /** The pod that has no record. */
  public String pod() {
    return pod;
  }
}
