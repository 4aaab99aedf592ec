/**
 * Tether's public test kit: a {@link dev.tether.stub.VirtualScheduler virtual clock} that never
 * runs a task until the test advances time, and an in-memory {@link dev.tether.stub.StubNetwork
 * network} whose endpoints a test can take down, bring up, hang or drop, so that connection
 * behaviour under faults can be checked deterministically.
 */
package dev.tether.stub;
