package example.ci;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.tether.machine.BackoffPolicy;
import dev.tether.rpc.Dialect;
import dev.tether.rpc.RpcConnection;
import dev.tether.stub.StubEndpoint;
import dev.tether.stub.StubNetwork;
import dev.tether.stub.VirtualScheduler;
import dev.tether.stub.rpc.ScriptedRpcPeer;
import dev.tether.stub.rpc.ScriptedRpcPeer.PeerDialect;
import java.net.URI;
import java.time.Duration;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Simulates the deploy service with Tether's test kit (tether-transport-stub): virtual time, an
 * in-memory network that can go down, and a scripted JSON-RPC server. Nothing sleeps; the same
 * seed gives the same run, so a failure here replays exactly.
 */
class DeployMonitorTest {
  private static final JsonNodeFactory JSON = JsonNodeFactory.instance;
  private static final URI SERVICE = URI.create("ws://deploys.example/ws");

  private final VirtualScheduler clock = new VirtualScheduler();
  private final StubNetwork network = new StubNetwork(clock);
  private final StubEndpoint endpoint = network.endpoint(SERVICE);
  private final ScriptedRpcPeer service =
      ScriptedRpcPeer.attach(endpoint, clock, PeerDialect.VM_SERVICE);
  private String latest = "v1";

  private DeployMonitor monitor() {
    service.handle("getLatestDeploy", params -> JSON.objectNode().put("version", latest));
    RpcConnection rpc =
        RpcConnection.builder()
            .transport(network.transport())
            .scheduler(clock)
            .random(new SplittableRandom(42))
            .endpoint(SERVICE)
            .dialect(Dialect.vmService())
            .policy(BackoffPolicy.builder().maxAttempts(5).build())
            .build();
    return new DeployMonitor(rpc);
  }

  @Test
  void catchesUpOnDeploysMissedDuringAnOutage() {
    DeployMonitor monitor = monitor();
    monitor.start();
    clock.runUntilIdle();
    print(monitor);
    assertEquals("deploy v1", monitor.statusLine());

    service.emit(DeployMonitor.STREAM, JSON.objectNode().put("version", "v2"));
    clock.runUntilIdle();
    print(monitor);
    assertEquals("deploy v2", monitor.statusLine());

    endpoint.down(); // the service goes away...
    clock.advance(Duration.ofMillis(500));
    print(monitor);
    assertTrue(monitor.statusLine().startsWith("deploy v2 (stale: Reconnecting"));

    latest = "v3"; // ...a deploy happens meanwhile, and nobody tells us...
    endpoint.up();
    clock.runUntil(
        () -> "v3".equals(monitor.version()), Duration.ofMinutes(1)); // ...so we must ask
    print(monitor);
    assertEquals("deploy v3", monitor.statusLine());

    service.emit(DeployMonitor.STREAM, JSON.objectNode().put("version", "v4"));
    clock.runUntilIdle();
    print(monitor); // the stream was resubscribed on the new connection
    assertEquals("deploy v4", monitor.statusLine());
    monitor.close();
    clock.runUntilIdle();
  }

  @Test
  void saysSoWhenTheServiceIsGoneForGood() {
    DeployMonitor monitor = monitor();
    monitor.start();
    clock.runUntilIdle();
    endpoint.down();
    clock.runUntil(() -> monitor.statusLine().endsWith("(stale: Disconnected)"), Duration.ofHours(1));
    print(monitor); // five attempts, then PermanentlyDisconnected: the status bar says so
    assertEquals("deploy v1 (stale: Disconnected)", monitor.statusLine());
  }

  private void print(DeployMonitor monitor) {
    System.out.println("[t=" + clock.now().toMillis() + " ms] " + monitor.statusLine());
  }
}
