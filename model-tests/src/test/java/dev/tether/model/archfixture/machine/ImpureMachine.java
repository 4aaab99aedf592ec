package dev.tether.model.archfixture.machine;

import java.util.Random;

/** A deliberately impure "machine" that the purity rule must reject. */
final class ImpureMachine {
  private ImpureMachine() {}

  static long step() {
    return System.nanoTime() + new Random(1).nextInt();
  }
}
