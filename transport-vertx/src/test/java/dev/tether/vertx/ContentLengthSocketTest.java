package dev.tether.vertx;

import static dev.tether.vertx.Loopback.WAIT;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tether.machine.Cause;
import dev.tether.runtime.framing.Framing;
import dev.tether.runtime.spi.Channel;
import io.vertx.core.Vertx;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * TCP channels in the language server protocol's {@code Content-Length} framing ({@link
 * VertxTransportOptions#socketFraming()}), as language servers that listen on a socket speak it.
 */
class ContentLengthSocketTest {
  private static final VertxTransportOptions CONTENT_LENGTH =
      VertxTransportOptions.builder().socketFraming(Framing.contentLength()).build();

  private final Rig rig = new Rig();
  private final Vertx vertx = rig.vertx();

  @AfterEach
  void tearDown() throws Exception {
    rig.close();
  }

  @Test
  void framesRoundTripThroughAnEchoServerInContentLengthFraming() throws Exception {
    List<String> received = new CopyOnWriteArrayList<>();
    URI endpoint =
        tcpServer(
            socket ->
                socket.handler(
                    bytes -> {
                      received.add(bytes.toString(StandardCharsets.UTF_8));
                      socket.write(bytes);
                    }));
    RecordingListener listener = new RecordingListener();
    Channel ch = open(endpoint, listener);
    String body = "{\"text\":\"a\\nb\",\"é\":1}"; // a newline escape and a multi-byte character
    ch.send(body.getBytes(StandardCharsets.UTF_8))
        .toCompletableFuture()
        .get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
    assertThat(listener.nextFrame()).isEqualTo(body);
    assertThat(String.join("", received))
        .isEqualTo(
            "Content-Length: " + body.getBytes(StandardCharsets.UTF_8).length + "\r\n\r\n" + body);
    ch.close();
  }

  @Test
  void headersSplitAcrossWritesAreReassembled() throws Exception {
    URI endpoint =
        tcpServer(
            socket ->
                socket
                    .write("Content-Len")
                    .compose(v -> socket.write("gth: 2\r\nContent-Type: x\r\n"))
                    .compose(v -> socket.write("\r\n{"))
                    .compose(v -> socket.write("}")));
    RecordingListener listener = new RecordingListener();
    open(endpoint, listener);
    assertThat(listener.nextFrame()).isEqualTo("{}");
  }

  @Test
  void headerLineWithoutAColonEndsTheChannelWithItsCause() throws Exception {
    URI endpoint = tcpServer(socket -> socket.write("Server ready\r\n\r\n"));
    RecordingListener listener = new RecordingListener();
    open(endpoint, listener);
    assertThat(listener.awaitSingleEnd())
        .isEqualTo(
            Cause.of(Cause.Kind.PROTOCOL_ERROR, "header line without a colon: 'Server ready'"));
  }

  private URI tcpServer(Consumer<NetSocket> onConnect) throws Exception {
    NetServer server = vertx.createNetServer().connectHandler(onConnect::accept);
    int port =
        server
            .listen(0, "127.0.0.1")
            .toCompletionStage()
            .toCompletableFuture()
            .get(WAIT.toMillis(), TimeUnit.MILLISECONDS)
            .actualPort();
    return URI.create("tcp://127.0.0.1:" + port);
  }

  private Channel open(URI endpoint, RecordingListener listener) throws Exception {
    return rig.transport(CONTENT_LENGTH)
        .open(endpoint, listener)
        .toCompletableFuture()
        .get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
  }
}
