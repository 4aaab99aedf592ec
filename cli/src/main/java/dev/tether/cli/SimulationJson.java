package dev.tether.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tether.stub.sim.FaultPlan;
import dev.tether.stub.sim.SimulationResult;
import java.util.Map;

/**
 * The {@code tether simulate --json} summary of one seed: {@link SimulationResult#toJson}'s figures
 * in the CLI's common form (docs/json.md): {@code "type":"simulation"} first, the simulated time as
 * {@code simulatedMillis}, the violation as an error object {@code {"kind":"I1","message":…}} and
 * absent when there is none.
 */
final class SimulationJson {
  private SimulationJson() {}

  /**
   * The summary line; {@code shrunk} (the shrunk plan of a failing seed) may be null. After {@code
   * sessions}: {@code handshakeMillis} and {@code rpcEvery} when {@code config} has them.
   */
  static ObjectNode summary(SimulationResult r, FaultPlan shrunk, SimConfig config) {
    ObjectNode figures;
    try {
      figures = (ObjectNode) LifecycleJson.MAPPER.readTree(r.toJson(shrunk));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("SimulationResult.toJson wrote invalid JSON", e);
    }
    ObjectNode n = JsonLines.line("simulation");
    for (Map.Entry<String, JsonNode> f : figures.properties()) {
      switch (f.getKey()) {
        case "simulatedSeconds" -> n.put("simulatedMillis", r.simulatedSeconds() * 1000);
        case "violation" ->
            r.violation()
                .ifPresent(v -> n.set("violation", JsonLines.error(v.invariant(), v.message())));
        case "sessions" -> {
          n.set(f.getKey(), f.getValue());
          if (config.handshakes() != null) {
            n.put("handshakeMillis", Durations.parse(config.handshakes()).toMillis());
          }
          if (config.rpcEvery() > 0) {
            n.put("rpcEvery", config.rpcEvery());
          }
        }
        default -> n.set(f.getKey(), f.getValue());
      }
    }
    return n;
  }
}
