package dev.tether.vertx.testserver;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

class VmServiceProtocolTest {
  private final ObjectMapper json = new ObjectMapper();
  private final VmServiceProtocol protocol = new VmServiceProtocol(json);

  @Test
  void getVersionAnswersWithTheRequestId() throws Exception {
    JsonNode reply = handle("{\"jsonrpc\":\"2.0\",\"id\":\"a7\",\"method\":\"getVersion\"}");
    assertThat(reply.path("id").asText()).isEqualTo("a7");
    assertThat(reply.path("result").path("type").asText()).isEqualTo("Version");
    assertThat(reply.path("result").path("major").asInt()).isEqualTo(4);
  }

  @Test
  void streamListenAndCancelFollowTheVmServiceErrors() throws Exception {
    assertThat(handle(listen(1, "Isolate")).path("result").path("type").asText())
        .isEqualTo("Success");
    assertThat(handle(listen(2, "Isolate")).path("error").path("code").asInt())
        .isEqualTo(VmServiceProtocol.STREAM_ALREADY_SUBSCRIBED);
    assertThat(protocol.streams()).containsExactly("Isolate");
    assertThat(handle(cancel(3, "Isolate")).path("result").path("type").asText())
        .isEqualTo("Success");
    assertThat(handle(cancel(4, "Isolate")).path("error").path("code").asInt())
        .isEqualTo(VmServiceProtocol.STREAM_NOT_SUBSCRIBED);
    assertThat(protocol.streams()).isEmpty();
  }

  @Test
  void badInputGetsJsonRpcErrorsNotExceptions() throws Exception {
    assertThat(handle("{not json").path("error").path("code").asInt())
        .isEqualTo(VmServiceProtocol.PARSE_ERROR);
    assertThat(handle("[1,2]").path("error").path("code").asInt())
        .isEqualTo(VmServiceProtocol.INVALID_REQUEST);
    assertThat(
            handle("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"nope\"}")
                .path("error")
                .path("code")
                .asInt())
        .isEqualTo(VmServiceProtocol.METHOD_NOT_FOUND);
    assertThat(
            handle("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"streamListen\",\"params\":{}}")
                .path("error")
                .path("code")
                .asInt())
        .isEqualTo(VmServiceProtocol.INVALID_PARAMS);
    assertThat(protocol.handle("{\"jsonrpc\":\"2.0\",\"method\":\"getVersion\"}"))
        .as("a notification gets no reply")
        .isNull();
  }

  @Test
  void eventsNameTheirStream() throws Exception {
    JsonNode event = json.readTree(protocol.event("Extension", 42));
    assertThat(event.has("id")).isFalse();
    assertThat(event.path("method").asText()).isEqualTo("streamNotify");
    assertThat(event.path("params").path("streamId").asText()).isEqualTo("Extension");
    assertThat(event.path("params").path("event").path("seq").asLong()).isEqualTo(42);
  }

  private JsonNode handle(String frame) throws Exception {
    return json.readTree(protocol.handle(frame));
  }

  private static String listen(int id, String stream) {
    return "{\"jsonrpc\":\"2.0\",\"id\":"
        + id
        + ",\"method\":\"streamListen\",\"params\":{\"streamId\":\""
        + stream
        + "\"}}";
  }

  private static String cancel(int id, String stream) {
    return "{\"jsonrpc\":\"2.0\",\"id\":"
        + id
        + ",\"method\":\"streamCancel\",\"params\":{\"streamId\":\""
        + stream
        + "\"}}";
  }
}
