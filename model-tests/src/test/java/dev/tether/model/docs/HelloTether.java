package dev.tether.model.docs;

// example:quickstart:begin
import dev.tether.rpc.Dialect;
import dev.tether.rpc.RpcConnection;
import dev.tether.vertx.VertxTransport;
import io.vertx.core.Vertx;
import java.net.URI;
import java.util.concurrent.TimeUnit;

public final class HelloTether {
  public static void main(String[] args) throws Exception {
    URI endpoint = URI.create(args.length > 0 ? args[0] : "ws://127.0.0.1:8181/ws");
    Vertx vertx = Vertx.vertx(); // real sockets: ws, wss, tcp, unix
    RpcConnection rpc =
        RpcConnection.builder()
            .transport(VertxTransport.create(vertx)) // in tests: new StubNetwork(clock).transport()
            .endpoint(endpoint)
            .dialect(Dialect.vmService()) // streamListen/streamNotify, as `./tether serve` speaks
            .build();
    rpc.subscribe(event -> System.out.println(event.state().label())); // Connecting (1/10), …
    rpc.listen("Isolate", event -> System.out.println("event " + event));
    rpc.start();
    System.out.println(
        rpc.request("getVersion", null).toCompletableFuture().get(10, TimeUnit.SECONDS));
    rpc.close(); // the terminal event comes last; no channel, timer or thread is left
    vertx.close().await();
  }
}
// example:quickstart:end
