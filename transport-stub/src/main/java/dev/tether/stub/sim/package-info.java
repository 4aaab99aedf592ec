/**
 * Deterministic fault simulation for connections: {@link dev.tether.stub.sim.Simulation} runs many
 * connections on the virtual clock and the stub network, applies a {@link
 * dev.tether.stub.sim.FaultPlan} (random from a seed and a {@link
 * dev.tether.stub.sim.FaultProfile}, or explicit), checks {@link dev.tether.stub.sim.Oracle
 * oracles} for the invariants I1–I5 and I8 after every step, hashes the trace (I9), and shrinks a
 * failing plan to a minimal replayable one.
 */
package dev.tether.stub.sim;
