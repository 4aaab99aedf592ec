/**
 * Tether's public test kit: a {@link dev.tether.stub.VirtualScheduler virtual clock} that never
 * runs a task until the test advances time, and an in-memory {@link dev.tether.stub.StubNetwork
 * network} whose endpoints a test can take down, bring up, hang or drop, so that connection
 * behaviour under faults can be checked deterministically. Link latency is drawn from a seeded
 * {@link dev.tether.stub.Latency} distribution; {@link dev.tether.stub.StubConnection#silence()}
 * makes a channel half-open; {@link dev.tether.stub.StubConnection#slowReader} makes one side read
 * slowly (frames queue in order, the writer meets backpressure). The {@code sim} subpackage runs
 * whole fault simulations with invariant oracles and shrinking.
 */
package dev.tether.stub;
