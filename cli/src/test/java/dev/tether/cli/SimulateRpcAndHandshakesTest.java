package dev.tether.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tether.stub.sim.FaultPlan;
import dev.tether.stub.sim.RpcTraffic;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code tether simulate --handshakes [D]} and {@code --rpc-every N}: the sessions run handshakes,
 * and one in N is an RPC session; both show in the {@code --json} line and in the replay command of
 * a violation, whose shrunk plan carries the traffic cut and replays.
 */
class SimulateRpcAndHandshakesTest {

  static final String[] SMALL = {"--seed", "2", "--sessions", "6", "--duration", "1h"};

  @Test
  void jsonLineNamesTheHandshakeBoundAndTheRpcShare() throws Exception {
    String[] args =
        SimulateCommandTest.with(
            SimulateCommandTest.with(new String[] {"simulate"}, SMALL),
            "--faults",
            "chaos",
            "--handshakes",
            "--rpc-every",
            "3",
            "--json");
    JsonNode n = LifecycleJson.MAPPER.readTree(DemoCommandTest.run(0, args).strip());
    assertThat(n.get("handshakeMillis").asLong()).as("the default bound").isEqualTo(8_000);
    assertThat(n.get("rpcEvery").asInt()).isEqualTo(3);
    assertThat(n.get("invariantViolations").asInt()).isZero();

    JsonNode plain =
        LifecycleJson.MAPPER.readTree(
            DemoCommandTest.run(
                    0,
                    SimulateCommandTest.with(
                        SimulateCommandTest.with(new String[] {"simulate"}, SMALL),
                        "--faults",
                        "chaos",
                        "--json"))
                .strip());
    assertThat(plain.has("handshakeMillis")).as("absent without the option").isFalse();
    assertThat(plain.has("rpcEvery")).isFalse();
    assertThat(plain.get("traceHash"))
        .as("RPC sessions and handshakes change the run")
        .isNotEqualTo(n.get("traceHash"));
  }

  @Test
  void violationReplayCarriesTheOptionsAndTheShrunkTraffic(@TempDir Path dir) throws Exception {
    SimulateCommandTest.Outcome o =
        SimulateCommandTest.runWithLostTerminalEvents(
            SimulateCommandTest.with(
                SimulateCommandTest.OUTAGES, "--handshakes", "5s", "--rpc-every", "2"));
    assertThat(o.exit()).as("stdout: %s", o.out()).isEqualTo(SimulateCommand.EXIT_VIOLATION);
    String prefix = "save it to a file and replay with: tether simulate ";
    String command = o.out().lines().filter(l -> l.startsWith(prefix)).findFirst().orElseThrow();
    assertThat(command).contains("--handshakes 5s", "--rpc-every 2", "--plan FILE");

    String printed = o.out().substring(o.out().indexOf("--plan FILE") + "--plan FILE".length());
    FaultPlan shrunk = FaultPlan.parse(printed);
    // A lost terminal event needs none of the RPC traffic: the shrink turned it all off.
    assertThat(shrunk.trafficOff()).contains(RpcTraffic.Part.REQUESTS, RpcTraffic.Part.HEARTBEAT);
    Path file = dir.resolve("shrunk.txt");
    Files.writeString(file, printed, StandardCharsets.UTF_8);
    String[] replayArgs =
        ShellWords.split(command.substring(prefix.length()).replace("FILE", file.toString()))
            .toArray(String[]::new);
    SimulateCommandTest.Outcome replay = SimulateCommandTest.runWithLostTerminalEvents(replayArgs);
    assertThat(replay.exit()).as(replay.out()).isEqualTo(SimulateCommand.EXIT_VIOLATION);
    assertThat(replay.out()).contains("I1 violated at");
  }

  @Test
  void rpcEveryBelowOneIsAUsageError() {
    SimulateUsageTest.usageError(
        SimulateUsageTest.simulate("--rpc-every", "0"), "--rpc-every 0", "1 or more");
  }

  @Test
  void handshakesOfNoDurationIsAUsageError() {
    SimulateUsageTest.usageError(
        SimulateUsageTest.simulate("--handshakes", "soon"), "--handshakes soon");
  }
}
