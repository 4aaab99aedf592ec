package dev.tether.model;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import dev.tether.process.ProcessEndpoint;
import dev.tether.process.ProcessTransport;
import dev.tether.rpc.RpcConnection;
import dev.tether.runtime.Connection;
import dev.tether.runtime.spi.Channel;
import dev.tether.runtime.spi.ChannelListener;
import dev.tether.runtime.spi.ConnectParameters;
import dev.tether.runtime.spi.ConnectParametersProvider;
import dev.tether.runtime.spi.Transport;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/** Keeps the example of per-attempt connect parameters in docs/connections.md honest. */
class ConnectParametersDocExampleTest {

  // example:connect-parameters:begin
  /** A token a refresher keeps current: every attempt sends the token of that moment. */
  static RpcConnection withFreshToken(
      Transport transport, URI endpoint, AtomicReference<String> token) {
    return RpcConnection.builder()
        .transport(transport)
        .endpoint(endpoint)
        .connectParameters(
            ConnectParametersProvider.current(
                () ->
                    ConnectParameters.none().withHeader("Authorization", "Bearer " + token.get())))
        .build();
  }

  /** A token fetched from an identity service before every attempt, without blocking. */
  static ConnectParametersProvider fetchedToken(HttpClient http, URI tokenService) {
    return attempt ->
        http.sendAsync(HttpRequest.newBuilder(tokenService).build(), BodyHandlers.ofString())
            .thenApply(
                response -> {
                  if (response.statusCode() != 200) { // the message becomes the cause's: no secret
                    throw new IllegalStateException(
                        "token service answered " + response.statusCode());
                  }
                  return ConnectParameters.none()
                      .withHeader("Authorization", "Bearer " + response.body().strip());
                });
  }

  /** A child that reads its credentials from the environment gets fresh ones on every restart. */
  static Connection childWithToken(Supplier<String> token) {
    ProcessTransport transport = ProcessTransport.create(ProcessEndpoint.of("node", "server.js"));
    return Connection.builder()
        .transport(transport)
        .endpoint(transport.uri())
        .connectParameters(
            ConnectParametersProvider.current(
                () -> ConnectParameters.none().withEnv("API_TOKEN", token.get())))
        .build();
  }

  // example:connect-parameters:end

  /** Records the parameters of every open and never completes it. */
  static final class Recording implements Transport {
    final LinkedBlockingQueue<ConnectParameters> opened = new LinkedBlockingQueue<>();

    @Override
    public CompletableFuture<Channel> open(URI endpoint, ChannelListener listener) {
      return new CompletableFuture<>();
    }

    @Override
    public CompletableFuture<Channel> open(
        URI endpoint, ConnectParameters parameters, ChannelListener listener) {
      opened.add(parameters);
      return new CompletableFuture<>();
    }
  }

  @Test
  void withFreshTokenSendsTheCurrentToken() throws Exception {
    Recording transport = new Recording();
    RpcConnection rpc =
        withFreshToken(transport, URI.create("ws://127.0.0.1:9/ws"), new AtomicReference<>("abc"));
    rpc.start();
    try {
      assertThat(transport.opened.poll(5, TimeUnit.SECONDS))
          .isEqualTo(ConnectParameters.none().withHeader("Authorization", "Bearer abc"));
    } finally {
      rpc.close();
    }
  }

  @Test
  void fetchedTokenAsksTheServiceEveryTimeAndFailsOnARefusal() throws Exception {
    AtomicInteger asked = new AtomicInteger();
    HttpServer server =
        HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext(
        "/token",
        exchange -> {
          int n = asked.incrementAndGet();
          byte[] body = ("tok-" + n + "\n").getBytes(StandardCharsets.UTF_8);
          exchange.sendResponseHeaders(n == 3 ? 503 : 200, body.length);
          exchange.getResponseBody().write(body);
          exchange.close();
        });
    server.start();
    try {
      InetSocketAddress a = server.getAddress();
      URI service = URI.create("http://127.0.0.1:" + a.getPort() + "/token");
      ConnectParametersProvider provider = fetchedToken(HttpClient.newHttpClient(), service);
      var ctx =
          new ConnectParametersProvider.AttemptContext("t", 1, false, URI.create("ws://h/ws"));
      assertThat(fetch(provider, ctx).headers()).containsEntry("Authorization", "Bearer tok-1");
      assertThat(fetch(provider, ctx).headers()).containsEntry("Authorization", "Bearer tok-2");
      assertThat(
              provider
                  .parameters(ctx)
                  .toCompletableFuture()
                  .handle((p, e) -> e)
                  .get(5, TimeUnit.SECONDS))
          .hasRootCauseMessage("token service answered 503");
    } finally {
      server.stop(0);
    }
  }

  private static ConnectParameters fetch(
      ConnectParametersProvider provider, ConnectParametersProvider.AttemptContext ctx)
      throws InterruptedException, ExecutionException, java.util.concurrent.TimeoutException {
    return provider.parameters(ctx).toCompletableFuture().get(5, TimeUnit.SECONDS);
  }

  @Test
  void childWithTokenBuildsWithoutStarting() {
    Connection c = childWithToken(() -> "abc");
    assertThat(c.toString()).doesNotContain("abc");
    c.close("test over");
  }
}
