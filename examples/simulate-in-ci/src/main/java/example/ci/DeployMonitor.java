package example.ci;

import dev.tether.machine.ConnectionState;
import dev.tether.machine.LifecycleEvent;
import dev.tether.rpc.RpcConnection;

/**
 * "Your own code": a status bar item that shows the version a deploy service last reported. It
 * follows the service's {@code Deploy} stream and, because events sent while it was disconnected
 * are lost, asks for the latest deploy again after every (re)connect. The connection is built by
 * the caller, so production passes the Vert.x transport and tests pass the stub network.
 *
 * <p>Thread safety: the listeners run on the connection's context; {@link #statusLine()} may be
 * called from any thread.
 */
public final class DeployMonitor implements AutoCloseable {
  /** The stream the service reports deploys on. */
  public static final String STREAM = "Deploy";

  private final RpcConnection rpc;
  private volatile String version = "unknown";

  public DeployMonitor(RpcConnection rpc) {
    this.rpc = rpc;
    rpc.listen(STREAM, event -> version = event.path("version").asText());
    rpc.subscribe(this::onLifecycle);
  }

  public void start() {
    rpc.start();
  }

  private void onLifecycle(LifecycleEvent event) {
    if (event instanceof LifecycleEvent.Connected || event instanceof LifecycleEvent.Reconnected) {
      rpc.request("getLatestDeploy", null)
          .thenAccept(latest -> version = latest.path("version").asText())
          .exceptionally(
              failure -> {
                System.err.println("getLatestDeploy failed: " + failure);
                return null;
              });
    }
  }

  /** {@code deploy v5}, or {@code deploy v5 (stale: Reconnecting (2/10))} while disconnected. */
  public String statusLine() {
    ConnectionState state = rpc.state();
    return "deploy "
        + version
        + (state instanceof ConnectionState.Connected ? "" : " (stale: " + state.label() + ")");
  }

  /** The version last seen, for tests. */
  public String version() {
    return version;
  }

  @Override
  public void close() {
    rpc.close();
  }
}
