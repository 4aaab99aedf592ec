package dev.tether.runtime.spi;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.random.RandomGenerator;

/** The list resolvers: a position in a (possibly reshuffled) order. Thread-safe. */
final class EndpointRotation implements EndpointResolver {
  private final List<URI> endpoints;
  private final RandomGenerator random; // null: in order
  private final List<URI> order;
  private int next;

  EndpointRotation(List<URI> endpoints, RandomGenerator random) {
    this.endpoints = endpoints; // checked by the factories
    this.random = random;
    this.order = new ArrayList<>(this.endpoints);
  }

  @Override
  public synchronized CompletionStage<URI> resolve(ResolveContext context) {
    if (next == 0 && random != null) {
      for (int i = order.size() - 1; i > 0; i--) { // Fisher-Yates
        int j = random.nextInt(i + 1);
        URI t = order.get(i);
        order.set(i, order.get(j));
        order.set(j, t);
      }
    }
    URI e = order.get(next);
    next = (next + 1) % order.size();
    return CompletableFuture.completedFuture(e);
  }

  @Override
  public String describe() {
    return endpoints.stream().map(u -> EndpointResolver.redact(u).toString()).toList().toString();
  }
}
