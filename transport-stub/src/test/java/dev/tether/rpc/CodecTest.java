package dev.tether.rpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The request frame: a body encoded once, with the id spliced in per send. */
class CodecTest {
  static final ObjectMapper JSON = new ObjectMapper();
  final Codec codec = new Codec();

  @Test
  void aSplicedRequestIsTheJsonRpcRequestWithThatId() throws Exception {
    byte[] body = codec.requestBody("echo", JSON.readTree("{\"a\":[1,{\"b\":\"x\"}],\"c\":null}"));
    for (long id : new long[] {1, 9, 10, 12_345, Long.MAX_VALUE}) {
      byte[] frame = Codec.request(id, body);
      assertThat(new String(frame, StandardCharsets.UTF_8))
          .isEqualTo(
              "{\"jsonrpc\":\"2.0\",\"id\":"
                  + id
                  + ",\"method\":\"echo\",\"params\":{\"a\":[1,{\"b\":\"x\"}],\"c\":null}}");
      JsonNode parsed = JSON.readTree(frame);
      assertThat(parsed.get("id").longValue()).isEqualTo(id);
    }
  }

  @Test
  void aRequestWithoutParamsHasNoParamsMember() throws Exception {
    JsonNode parsed = JSON.readTree(Codec.request(3, codec.requestBody("getVM", null)));
    assertThat(parsed.toString()).isEqualTo("{\"jsonrpc\":\"2.0\",\"id\":3,\"method\":\"getVM\"}");
  }

  @Test
  void theSameBodySplicesUnderEveryNewIdUnchanged() throws Exception {
    byte[] body = codec.requestBody("m", JSON.createArrayNode().add("é✓"));
    byte[] copy = body.clone();
    Codec.request(1, body);
    Codec.request(2, body);
    assertThat(body).isEqualTo(copy);
    assertThat(JSON.readTree(Codec.request(2, body)).get("params").get(0).textValue())
        .isEqualTo("é✓");
  }

  @Test
  void somethingThatIsNotABodyIsRefused() {
    assertThatThrownBy(() -> Codec.request(1, "[]".getBytes(StandardCharsets.UTF_8)))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
